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
