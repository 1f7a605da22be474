"""Text with no version in the page's language shows the English one, marked as such."""

import pytest
from django.utils import translation
from django.utils.translation import pgettext

from cases import models as m

pytestmark = pytest.mark.django_db


def marker(language):
    with translation.override(language):
        text = pgettext("shown beside English text", "not translated")
    return f' <span class="untranslated">({text})</span>'


def test_a_biography_with_no_azerbaijani_version_shows_the_english_one_marked(client, kamran):
    page = client.get(f"/az/detainees/{kamran.slug}/").text
    assert f'<span lang="en">A fictional reporter.</span>{marker("az")}' in page


def test_a_translated_biography_is_shown_unmarked(client, kamran):
    page = client.get(f"/ru/detainees/{kamran.slug}/").text
    assert '<p class="bio">Вымышленный репортёр.</p>' in page
    assert "A fictional reporter." not in page


def test_english_pages_carry_no_marker(client, kamran):
    page = client.get(f"/detainees/{kamran.slug}/").text
    assert '<p class="bio">A fictional reporter.</p>' in page
    assert 'class="untranslated"' not in page


def test_event_descriptions_and_case_names_are_marked_where_english_stands_in(client, kamran):
    page = client.get(f"/ru/detainees/{kamran.slug}/").text
    assert f'<span lang="en">Detained at the newsroom.</span>{marker("ru")}' in page
    assert f'<span lang="en">Fictional newsroom case</span>{marker("ru")}' in page
    # The case has an Azerbaijani name: shown as it is.
    az = client.get(f"/az/detainees/{kamran.slug}/").text
    assert ">Uydurma redaksiya işi</a>" in az


def test_case_page_marks_its_untranslated_name(client, kamran):
    case = m.Case.objects.get()
    page = client.get(f"/ru/cases/{case.slug}/").text
    assert f'<h1><span lang="en">Fictional newsroom case</span>{marker("ru")}</h1>' in page
    assert "<h1>Uydurma redaksiya işi</h1>" in client.get(f"/az/cases/{case.slug}/").text


def test_echr_group_page_marks_untranslated_text(client):
    group = m.ExecutionGroup.objects.create(
        slug="fictional-group", name="Fictional group", name_ru="Вымышленная группа",
        description="Supervised since 2020.",
    )  # fmt: skip
    page = client.get(f"/ru/echr/groups/{group.slug}/").text
    assert "<h1>Вымышленная группа</h1>" in page
    assert f'<span lang="en">Supervised since 2020.</span>{marker("ru")}' in page
    az = client.get(f"/az/echr/groups/{group.slug}/").text
    assert f'<h1><span lang="en">Fictional group</span>{marker("az")}</h1>' in az


def test_marked_text_is_escaped(client, make_detainee):
    person = make_detainee("Testname Escaped Fictional", bio_en="<script>x</script>\nline two")
    page = client.get(f"/az/detainees/{person.slug}/").text
    assert '<span lang="en">&lt;script&gt;x&lt;/script&gt;<br>line two</span>' in page


def test_text_written_only_in_azerbaijani_is_shown_marked_on_other_pages(client, make_detainee):
    person = make_detainee("Testname Only Azerbaijani", bio_az="Uydurma jurnalist.")
    english = client.get(f"/detainees/{person.slug}/").text
    assert f'<span lang="az">Uydurma jurnalist.</span>{marker("en")}' in english
    russian = client.get(f"/ru/detainees/{person.slug}/").text
    assert f'<span lang="az">Uydurma jurnalist.</span>{marker("ru")}' in russian
    assert (
        '<p class="bio">Uydurma jurnalist.</p>' in client.get(f"/az/detainees/{person.slug}/").text
    )


def test_an_arrest_logged_in_azerbaijani_keeps_each_language_s_description(
    client_for, researcher, make_detainee
):
    m.Court.objects.create(slug="fictional-court", name="Fictional District Court")
    response = client_for(researcher).post(
        "/az/staff/log-arrest/",
        {
            "name": "Testname Aysel Fictional", "gender": "female",
            "detained_on": "2025-03-14", "detained_on_precision": "day",
            "description_az": "Evində saxlanılıb.", "description_en": "Detained at home.",
            "source_urls": "https://news.example.org/fictional",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    event = m.Event.objects.get(detainee__name="Testname Aysel Fictional")
    assert (event.description_en, event.description_az, event.description_ru) == (
        "Detained at home.", "Evində saxlanılıb.", None,
    )  # fmt: skip
