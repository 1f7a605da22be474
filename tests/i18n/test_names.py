"""A person's name in each language: the page's own spelling first, every spelling searchable."""

import re

import pytest

from cases import models as m

pytestmark = pytest.mark.django_db


def heading(html):
    return re.search(r"<h1>(.*?)</h1>", html).group(1)


@pytest.mark.parametrize(
    ("prefix", "shown"),
    [
        ("", "Testname Kamran Fictional"),
        ("/az", "Testname Kamran Fiksiyalı"),
        ("/ru", "Тестнейм Камран Фикшнл"),
    ],
)
def test_detainee_page_shows_the_language_s_spelling_first(client, kamran, prefix, shown):
    page = client.get(f"{prefix}/detainees/{kamran.slug}/").text
    assert heading(page) == shown
    also = page[page.index('class="other-names"') :].split("</p>")[0]
    assert shown not in also
    # Every other spelling, the display name included, is still on the page.
    for name in ["Testname Kamran Fictional", *kamran.other_names.values_list("name", flat=True)]:
        if name != shown:
            assert name in also


@pytest.mark.parametrize(
    ("prefix", "first"),
    [("/az", "Testname Kamran Fiksiyalı"), ("/ru", "Тестнейм Камран Фикшнл")],
)
def test_listing_row_shows_the_language_s_spelling_then_the_display_name(
    client, kamran, prefix, first
):
    page = client.get(f"{prefix}/detainees/").text
    assert f'>{first}</a> <span class="also-written">(Testname Kamran Fictional)</span>' in page


def test_a_latin_transliteration_without_a_language_is_not_the_azerbaijani_spelling(
    client, make_detainee
):
    person = make_detainee("Testname Ilgar Fictional")
    m.DetaineeName.objects.create(detainee=person, name="Testname Ilqar Fiktsional")
    assert heading(client.get(f"/az/detainees/{person.slug}/").text) == person.name
    assert heading(client.get(f"/ru/detainees/{person.slug}/").text) == person.name


@pytest.mark.parametrize("prefix", ["", "/az", "/ru"])
@pytest.mark.parametrize(
    "query",
    ["Testname Kamran Fictional", "fiksiyali", "FIKSIYALI", "Фикшнл", "Камран", "fiktsional"],
)
def test_name_search_finds_every_spelling_in_every_language(client, kamran, prefix, query):
    page = client.get(f"{prefix}/detainees/", {"q": query}).text
    assert f'href="{prefix}/detainees/{kamran.slug}/"' in page


@pytest.mark.parametrize("prefix", ["/az", "/ru"])
def test_spellings_per_language_cost_no_query(
    client, kamran, make_detainee, django_assert_num_queries, prefix
):
    for n in range(5):
        make_detainee(f"Testname Crowd{n}")
    # Data version, count, the facets' one query, page rows (with the spelling), occupations.
    with django_assert_num_queries(5):
        assert client.get(f"{prefix}/detainees/").status_code == 200
