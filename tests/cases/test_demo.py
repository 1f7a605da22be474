"""The demo data: idempotent, every fact sourced, derived facts as the timeline says."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from cases import models as m
from cases.demo import load_demo

# The sourced facts, kept in the repository beside the code they feed.
FACTS_FILE = Path(__file__).resolve().parents[2] / "docs" / "demo_facts.md"
# The facts file cites this article as context/000_097097f577dcadfd.txt.
CAUCASIAN_KNOT_ARTICLE = "https://www.kavkaz-uzel.eu/articles/420175"

D = datetime.date


@pytest.fixture
def demo(db):
    return load_demo()


def row_counts():
    """Rows of every model of the app: history and many-to-many tables included."""
    models = apps.get_app_config("cases").get_models(include_auto_created=True)
    return {model._meta.label: model._default_manager.count() for model in models}


def test_loading_twice_creates_nothing_new(demo):
    before = row_counts()
    assert any(label.startswith("cases.Historical") for label in before)

    summary = load_demo()

    assert row_counts() == before
    assert not summary.created


def test_loading_again_leaves_an_edited_row_as_it_is(demo):
    detainee = m.Detainee.objects.get(slug="imran-aliyev")
    detainee.bio_en = "Edited in the admin."
    detainee.save()

    load_demo()

    detainee.refresh_from_db()
    assert detainee.bio_en == "Edited in the admin."


def test_anar_mammadli_is_held_since_29_april_2024_and_on_trial_since_2025(demo):
    detainee = m.Detainee.objects.get(slug="anar-mammadli")

    # Set to open on 7 July 2025, under way at the hearing of 22 September 2025: the day the
    # trial opened is not given, so it is known to the year.
    assert detainee.status == m.Status.ON_TRIAL
    assert (detainee.status_since, detainee.status_since_precision) == (D(2025, 1, 1), "year")
    assert detainee.in_custody_since == D(2024, 4, 29)
    assert detainee.first_detained_on == D(2013, 12, 16)
    assert detainee.custody_days_closed == (D(2016, 3, 17) - D(2013, 12, 16)).days
    # The 2024 detention starts a new proceeding: the 2014 sentence is no longer current.
    assert detainee.sentence_kind == ""
    assert detainee.sentence_months is None


def test_imran_aliyev_is_in_pre_trial_detention_since_18_april_2024(demo):
    detainee = m.Detainee.objects.get(slug="imran-aliyev")

    assert detainee.status == m.Status.PRE_TRIAL
    assert detainee.in_custody_since == D(2024, 4, 18)
    assert detainee.first_detained_on == D(2024, 4, 18)


def test_anar_abdulla_is_in_custody_since_4_august_2025_after_police_supervision(demo):
    detainee = m.Detainee.objects.get(slug="anar-abdulla")

    assert detainee.status == m.Status.PRE_TRIAL
    assert detainee.in_custody_since == D(2025, 8, 4)
    assert list(detainee.events.values_list("kind", "date")) == [
        ("police_supervision", D(2025, 4, 8)),
        ("remand", D(2025, 8, 4)),
    ]
    membership = detainee.memberships.get()
    assert membership.case.slug == "anar-mammadli-and-imran-aliyev-case"
    assert membership.role == m.CaseDefendant.Role.SUSPECT
    assert membership.since == D(2025, 4, 8)


def test_all_entries_are_published(demo):
    assert not m.Detainee.objects.exclude(state=m.State.PUBLISHED).exists()
    assert not m.Case.objects.exclude(state=m.State.PUBLISHED).exists()


def test_last_updated_is_when_the_facts_were_revised_not_when_they_were_loaded(demo):
    from cases.demo import REVISED

    for model in (m.Detainee, m.Case):
        assert set(model.objects.values_list("updated_at", flat=True)) == {REVISED}


@pytest.mark.parametrize(
    "model",
    [
        m.Detainee,
        m.Case,
        m.CaseDefendant,
        m.Charge,
        m.Event,
        m.Affiliation,
        m.EchrApplication,
        m.ExecutionGroup,
        m.DetaineeName,
        m.DetaineeOccupation,
    ],
)
def test_every_fact_cites_a_source(demo, model):
    assert model.objects.exists()
    assert not model.objects.filter(sources__isnull=True).exists()


def test_every_source_url_is_one_the_facts_file_gives(demo):
    facts = FACTS_FILE.read_text(encoding="utf-8")
    urls = set(m.Source.objects.values_list("url", flat=True))
    urls |= set(m.CmDecision.objects.values_list("url", flat=True))

    assert CAUCASIAN_KNOT_ARTICLE in urls
    assert {url for url in urls if url not in facts} == {CAUCASIAN_KNOT_ARTICLE}


def test_imran_aliyev_article_discrepancy_is_a_staff_note_not_a_charge(demo):
    detainee = m.Detainee.objects.get(slug="imran-aliyev")
    charged = set(
        m.Charge.objects.filter(defendant__detainee=detainee).values_list(
            "article__number", flat=True
        )
    )

    assert charged == {"206.3.3"}
    assert "206.3.1" in detainee.internal_notes
    assert "206.3.2" in detainee.internal_notes
    assert "az24saat" in detainee.internal_notes
    assert "206.3" not in detainee.bio


def test_aggravated_charges_without_article_numbers_keep_them_unknown(demo):
    charges = m.Charge.objects.filter(
        defendant__detainee__slug="anar-mammadli", article__isnull=True
    )

    assert sorted(charges.values_list("description_en", flat=True)) == [
        "illegal entrepreneurship",
        "legalisation of criminally obtained property",
        "tax evasion",
    ]
    assert all(c.action == m.Charge.Action.ADDED and c.date is None for c in charges)


def test_no_conviction_is_invented_and_the_trial_start_keeps_its_precision(demo):
    # The sources do not say under which articles he was convicted in 2014.
    assert not m.Charge.objects.filter(action=m.Charge.Action.CONVICTED).exists()
    starts = m.Event.objects.filter(kind=m.Event.Kind.TRIAL_START)
    assert list(starts.values_list("detainee__slug", "date", "date_precision")) == [
        ("anar-mammadli", D(2025, 1, 1), "year")
    ]


def test_two_sources_that_disagree_on_a_date_leave_a_staff_note(demo):
    ruling = m.Event.objects.get(detainee__slug="anar-mammadli", date=D(2025, 7, 1))
    assert "30 June 2025" in ruling.internal_note
    assert ruling.sources.count() == 2


def test_mammadli_group_leads_with_mammadli_v_azerbaijan(demo):
    group = m.ExecutionGroup.objects.get(slug="mammadli-group")
    lead = group.lead_application

    assert lead.number == "47145/14"
    assert set(lead.violations.values_list("code", flat=True)) == {"5§1(c)", "5§4", "18+5"}
    assert list(lead.applicants.values_list("slug", flat=True)) == ["anar-mammadli"]
    assert group.applications.count() == 5
    assert not any(a.hudoc_itemid for a in group.applications.all())
    assert group.decisions.get().reference == "CM/Notes/1514/H46-7"


def test_aliyev_v_azerbaijan_is_not_linked_to_imran_aliyev(demo):
    application = m.EchrApplication.objects.get(number="68762/14")

    assert not application.applicants.exists()


def test_load_demo_command_prints_a_one_line_summary(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert out.getvalue().startswith("Demo data: created ")
    assert out.getvalue().count("\n") == 1

    out = StringIO()
    call_command("load_demo", stdout=out)
    assert out.getvalue().startswith("Demo data: nothing to create")
