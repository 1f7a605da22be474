"""Every public page in every language, and the staff's forms with every language's text."""

import pytest

from cases import models as m
from cases.forms import CorrectionForm, EventForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_urls(kamran):
    case = m.Case.objects.get()
    group = m.ExecutionGroup.objects.create(slug="fictional-group", name="Fictional group")
    application = m.EchrApplication.objects.create(
        number="12345/24", title="Fictional v. Nowhere", group=group
    )
    application.applicants.add(kamran)
    return [
        "/", "/detainees/", "/detainees/?status=pre_trial&sort=-detained",
        f"/detainees/{kamran.slug}/", "/cases/", f"/cases/{case.slug}/", "/echr/",
        f"/echr/groups/{group.slug}/", "/stats/", "/data/", "/about/methodology/",
    ]  # fmt: skip


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_public_page_answers_in_the_language(client, public_urls, language):
    for url in public_urls:
        response = client.get(f"/{language}{url}")
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.text, url
        assert response["Content-Language"] == language, url


def test_researchers_forms_edit_every_language_side_by_side():
    assert {"bio_en", "bio_az", "bio_ru"} <= set(CorrectionForm.base_fields)
    event_fields = set(EventForm.base_fields)
    assert {"description_en", "description_az", "description_ru"} <= event_fields


def test_a_researcher_s_event_keeps_each_language_s_description(client_for, researcher):
    draft = m.Detainee.objects.create(
        name="Testname Draft Fictional", state=m.State.DRAFT, created_by=researcher
    )
    response = client_for(researcher).post(
        f"/staff/detainees/{draft.pk}/events/add/",
        {
            "kind": "detention", "date": "2025-03-15", "date_precision": "day",
            "description_en": "Detained at home.", "description_az": "Evində saxlanılıb.",
            "description_ru": "Задержан дома.", "version": draft.version,
            "source_urls": "https://news.example.org/fictional-detention",
        },
    )  # fmt: skip
    assert response.status_code == 302
    event = draft.events.get()
    assert (event.description_en, event.description_az, event.description_ru) == (
        "Detained at home.", "Evində saxlanılıb.", "Задержан дома.",
    )  # fmt: skip


def test_the_admin_edits_every_language_side_by_side(admin_client, kamran):
    """The admin edits vocabularies (entries change in the workspace, through review)."""
    court = m.Court.objects.create(slug="fictional-court", name="Fictional District Court")
    page = admin_client.get(f"/admin/cases/court/{court.pk}/change/").text
    for name in ["name_en", "name_az", "name_ru"]:
        assert f'name="{name}"' in page
