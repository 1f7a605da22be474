"""Every invariant the database holds rejects bad data, at the database and through full_clean()."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import models as m

D = datetime.date


def _detainee():
    return m.Detainee.objects.create(name="Testname Constraintova")


def _group():
    return m.ExecutionGroup.objects.create(slug="fictional-group", name="Fictional group")


def _code():
    return m.LegalCode.objects.create(slug="c", name="Code", short_name="C", country="XX")


def _defendant():
    case = m.Case.objects.create(name="Fictional case")
    return m.CaseDefendant.objects.create(case=case, detainee=_detainee())


# (description, a function that builds the unsaved bad object, the constraint it breaks)
BAD_ROWS = [
    (
        "a date known to the month that is not the 1st",
        lambda: m.Event(detainee=_detainee(), kind="detention", date=D(2024, 4, 15),
                        date_precision=m.Precision.MONTH),
        "event_date_precision",
    ),
    (
        "a date known to the year that is not 1 January",
        lambda: m.Detainee(name="Testname Yearly", slug="yearly", born=D(1980, 6, 1),
                           born_precision=m.Precision.YEAR),
        "detainee_born_precision",
    ),
    (
        "a release before the first detention",
        lambda: m.Detainee(name="Testname Early", slug="early", first_detained_on=D(2024, 4, 29),
                           released_on=D(2024, 4, 1)),
        "detainee_release_not_before_detention",
    ),
    (
        "a custody period that ends before it starts",
        lambda: m.CustodyPeriod(detainee=_detainee(), kind="custody", start=D(2024, 4, 29),
                                end=D(2024, 4, 28)),
        "custodyperiod_end_not_before_start",
    ),
    (
        "an affiliation that ends before it starts",
        lambda: m.Affiliation(
            detainee=_detainee(),
            organization=m.Organization.objects.create(slug="o", name="Org"),
            start=D(2020, 1, 1), end=D(2019, 1, 1),
        ),
        "affiliation_end_not_before_start",
    ),
    (
        "an application number written 47145-14",
        lambda: m.EchrApplication(number="47145-14", title="Testname v. Nowhere"),
        "echr_number_format",
    ),
    (
        "a HUDOC item id that is not NNN-NNNN",
        lambda: m.EchrApplication(number="1/20", title="T v. N", hudoc_itemid="abc"),
        "echr_itemid_format",
    ),
    (
        "a judgment final before it was delivered",
        lambda: m.EchrApplication(number="2/20", title="T v. N", judgment_on=D(2020, 5, 1),
                                  final_on=D(2020, 4, 1)),
        "echr_final_after_judgment",
    ),
    (
        "communicated before lodged",
        lambda: m.EchrApplication(number="3/20", title="T v. N", lodged_on=D(2020, 5, 1),
                                  communicated_on=D(2020, 4, 1)),
        "echr_communicated_after_lodged",
    ),
    (
        "a source with neither URL nor title",
        lambda: m.Source(url="", title=""),
        "source_has_url_or_title",
    ),
    (
        "a charge with neither article nor description",
        lambda: m.Charge(defendant=_defendant(), action="brought"),
        "charge_has_article_or_description",
    ),
    (
        "a sentence on a detention",
        lambda: m.Event(detainee=_detainee(), kind="detention", date=D(2024, 1, 1),
                        sentence_kind="imprisonment"),
        "event_sentence_only_on_decisions",
    ),
    (
        "a sentence of 12 months or more in the months field",
        lambda: m.Event(detainee=_detainee(), kind="verdict", date=D(2024, 1, 1),
                        sentence_kind="imprisonment", sentence_months=12),
        "event_sentence_months_under_12",
    ),
    (
        "a legal article number with letters",
        lambda: m.LegalArticle(code=_code(), number="206.x"),
        "legalarticle_number_format",
    ),
    (
        "a legal code with a lower-case country",
        lambda: m.LegalCode(slug="lc", name="Code", short_name="C", country="az"),
        "legalcode_country_iso",
    ),
    (
        "a pending change for no entry",
        lambda: m.PendingChange(
            author=get_user_model().objects.create(username="author"),
            base_version=1, summary="x",
        ),
        "pendingchange_one_entry",
    ),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "build", "constraint"), BAD_ROWS, ids=[r[0] for r in BAD_ROWS])
def test_database_rejects(label, build, constraint):
    obj = build()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        # save() is skipped where it would fix the value itself (slugs, sort keys).
        type(obj).objects.bulk_create([obj]) if isinstance(obj, m.LegalArticle) else obj.save()


# Event.clean() moves a partial date to its first day instead (tested below).
CLEAN_REJECTS = [row for row in BAD_ROWS if row[2] != "event_date_precision"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "build", "constraint"), CLEAN_REJECTS, ids=[r[0] for r in CLEAN_REJECTS]
)
def test_full_clean_rejects_with_a_message(label, build, constraint):
    obj = build()
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    assert caught.value.messages, label
    assert all(message.strip() for message in caught.value.messages)


@pytest.mark.django_db
def test_duplicate_source_url_is_refused():
    m.Source.objects.create(url="https://news.example.org/a", title="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Source.objects.create(url="https://news.example.org/a", title="Again")


@pytest.mark.django_db
def test_sources_without_url_may_repeat():
    m.Source.objects.create(title="Interview with a relative", confidential=True)
    m.Source.objects.create(title="Another interview", confidential=True)
    assert m.Source.objects.filter(url="").count() == 2


@pytest.mark.django_db
def test_duplicate_article_number_in_one_code_is_refused():
    code = _code()
    m.LegalArticle.objects.create(code=code, number="206")
    with pytest.raises(IntegrityError), transaction.atomic():
        m.LegalArticle.objects.create(code=code, number="206")


@pytest.mark.django_db
def test_same_person_cannot_be_a_defendant_twice_in_one_case():
    defendant = _defendant()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.CaseDefendant.objects.create(case=defendant.case, detainee=defendant.detainee)


@pytest.mark.django_db
def test_case_cannot_be_its_own_parent():
    case = m.Case.objects.create(name="Fictional case")
    case.parent = case
    with pytest.raises(IntegrityError, match="case_not_own_parent"), transaction.atomic():
        case.save()


@pytest.mark.django_db
def test_case_cannot_be_split_from_its_own_split_off():
    parent = m.Case.objects.create(name="Fictional parent case")
    child = m.Case.objects.create(name="Fictional child case", parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError, match="own split-off"):
        parent.full_clean()


@pytest.mark.django_db
def test_slugs_are_unique_and_generated_from_any_script():
    first = m.Detainee.objects.create(name="Testname Məmmədova")
    second = m.Detainee.objects.create(name="Testname Məmmədova")
    assert first.slug == "testname-mammadova"
    assert second.slug == "testname-mammadova-2"
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Detainee.objects.create(name="Other", slug=first.slug)


@pytest.mark.django_db
def test_event_clean_moves_a_partial_date_to_its_first_day():
    event = m.Event(
        detainee=_detainee(), kind="detention", date=D(2025, 4, 17), date_precision="month"
    )
    event.full_clean()
    assert event.date == D(2025, 4, 1)
