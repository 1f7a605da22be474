"""The synthetic-data generator (manage.py generate_synthetic) for load tests."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cases import models as m
from cases.management.commands.generate_synthetic import check_target, clear_synthetic
from cases.text import search_key

N = 30
K = m.Event.Kind


def generate(n=N, seed=7, **options):
    call_command(
        "generate_synthetic", n, seed=seed, stdout=StringIO(), stderr=StringIO(), **options
    )


def people():
    return list(
        m.Detainee.objects.order_by("slug").values_list(
            "slug", "name", "state", "status", "status_since", "sentence_months"
        )
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_people():
    generate()
    first = people()
    generate(clear=True)
    assert people() == first
    assert len(first) == N


@pytest.mark.django_db
def test_another_seed_gives_other_timelines():
    generate(seed=7)
    first = [row[3:] for row in people()]
    generate(seed=8, clear=True)
    assert [row[3:] for row in people()] != first


@pytest.mark.django_db
def test_everything_is_marked_synthetic_and_plainly_named():
    generate()
    detainees = m.Detainee.objects.all()
    assert all(d.is_synthetic for d in detainees)
    assert all(re.fullmatch(r"Testname Synthova? \d{6}", d.name) for d in detainees)
    assert all(re.fullmatch(r"synthetic-\d{6}", d.slug) for d in detainees)
    assert m.Case.objects.filter(is_synthetic=False).count() == 0
    assert all(c.slug.startswith("synthetic-") for c in m.Case.objects.all())
    assert m.Detainee.objects.published().count() >= N * 0.8
    # Found by name like anyone else: the search text is built as the product builds it.
    assert not m.Detainee.objects.exclude(search_text__contains=search_key("Synthov")).exists()


@pytest.mark.django_db
def test_about_ten_events_and_two_charges_each():
    generate()
    for detainee in m.Detainee.objects.prefetch_related("occupations", "memberships__charges"):
        assert detainee.events.exists()
        assert 1 <= len(detainee.occupations.all()) <= 2
        (membership,) = detainee.memberships.all()
        assert len(membership.charges.all()) == 2
    assert 7 <= m.Event.objects.count() / N <= 13


@pytest.mark.django_db
def test_echr_application_numbers_are_well_formed():
    generate(n=300)
    numbers = list(m.EchrApplication.objects.values_list("number", flat=True))
    assert numbers
    assert all(re.fullmatch(m.APPLICATION_NUMBER_RE, n) for n in numbers)
    assert m.EchrApplication.objects.filter(applicants__is_synthetic=True).count() == len(numbers)


@pytest.mark.django_db
def test_derived_fields_are_what_refresh_derived_computes():
    generate()
    fields = [*m.DerivedTimeline().detainee_fields(), "search_text"]
    checked_custody = False
    for detainee in m.Detainee.objects.all():
        stored = {f: getattr(detainee, f) for f in fields}
        periods = list(detainee.custody_periods.order_by("start", "kind").values())
        copy = m.Detainee.objects.get(pk=detainee.pk)
        copy.refresh_derived()
        copy.refresh_from_db()
        assert {f: getattr(copy, f) for f in fields} == stored, detainee.slug
        recomputed = list(copy.custody_periods.order_by("start", "kind").values())
        assert [{**p, "id": None} for p in recomputed] == [{**p, "id": None} for p in periods]
        checked_custody = checked_custody or bool(periods)
    assert checked_custody


@pytest.mark.django_db
def test_refuses_a_database_with_a_real_detainee(make_detainee):
    make_detainee()
    with pytest.raises(CommandError, match="real"):
        generate()
    assert not m.Detainee.objects.filter(is_synthetic=True).exists()


@pytest.mark.django_db
def test_refuses_a_database_with_a_real_case(make_case):
    make_case()
    with pytest.raises(CommandError, match="real"):
        generate(clear=True)


@pytest.mark.django_db
def test_refuses_to_add_to_existing_synthetic_rows_without_clear():
    generate()
    with pytest.raises(CommandError, match="--clear"):
        generate()


@pytest.mark.django_db
def test_refuses_the_sqlite_file_of_make_run(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setitem(connection.settings_dict, "NAME", settings.BASE_DIR / "db.sqlite3")
    with pytest.raises(CommandError, match="make run"):
        check_target()
    check_target(allow_sqlite=True)


@pytest.mark.django_db
def test_clear_removes_only_synthetic_rows(make_detainee, make_event, make_case, make_article):
    generate()
    real = make_detainee("Testname Realrow")
    make_event(real, K.DETENTION, "2020-01-01")
    case = make_case("Fictional real case")
    membership = m.CaseDefendant.objects.create(case=case, detainee=real)
    m.Charge.objects.create(defendant=membership, article=make_article("1.1"))
    organization = m.Organization.objects.create(slug="fictional-org", name_en="Fictional Org")
    m.Affiliation.objects.create(detainee=real, organization=organization)

    clear_synthetic()

    assert list(m.Detainee.objects.all()) == [real]
    assert list(m.Case.objects.all()) == [case]
    assert m.Event.objects.get().detainee == real
    assert m.Charge.objects.get().defendant == membership
    assert m.CustodyPeriod.objects.get().detainee == real
    assert list(m.Organization.objects.all()) == [organization]
    assert not m.LegalCode.objects.filter(slug="synthetic-code").exists()
    assert set(m.LegalArticle.objects.values_list("number", flat=True)) == {"1", "1.1"}
    assert not m.Court.objects.exists()
    assert not m.Source.objects.exists()
    assert not m.EchrApplication.objects.exists()
    assert m.Occupation.objects.count() == 10  # the shared vocabulary stays
