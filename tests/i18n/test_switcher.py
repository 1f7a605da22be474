"""The language switcher, hreflang alternates, the remembered language, and data out."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from cases import models as m

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def switcher_links(page):
    """{language: (href, the whole <a> tag)} from the header's language switcher."""
    nav = re.search(r'<nav class="languages".*?</nav>', page, re.S).group(0)
    return {
        match.group(2): (html.unescape(match.group(1)), match.group(0))
        for match in re.finditer(r'<a href="([^"]*)" lang="(\w+)"[^>]*>[^<]*</a>', nav)
    }


def test_switcher_keeps_the_page_and_its_filters(client, kamran):
    page = client.get("/detainees/?status=pre_trial&occupation=journalist&page=2").text
    links = switcher_links(page)
    assert set(links) == {"en", "az", "ru"}
    href, _tag = links["az"]
    assert urlsplit(href).path == "/language/"
    query = parse_qs(urlsplit(href).query)
    assert query["language"] == ["az"]
    assert query["next"] == ["/az/detainees/?status=pre_trial&occupation=journalist&page=2"]
    assert parse_qs(urlsplit(links["en"][0]).query)["next"] == [
        "/detainees/?status=pre_trial&occupation=journalist&page=2"
    ]


def test_each_language_is_named_in_itself_and_the_current_one_is_marked(client, kamran):
    links = switcher_links(client.get(f"/ru/detainees/{kamran.slug}/").text)
    assert ">English</a>" in links["en"][1] and 'hreflang="en"' in links["en"][1]
    assert ">Azərbaycanca</a>" in links["az"][1] and 'hreflang="az"' in links["az"][1]
    assert ">Русский</a>" in links["ru"][1]
    assert 'aria-current="true"' in links["ru"][1]
    assert "aria-current" not in links["en"][1] + links["az"][1]


def test_choosing_a_language_remembers_it_and_opens_the_page_in_it(client, kamran):
    page = client.get("/detainees/?status=pre_trial&page=2").text
    response = client.get(switcher_links(page)["az"][0])
    assert response.status_code == 302
    assert response["Location"] == "/az/detainees/?status=pre_trial&page=2"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "az"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert cookie["samesite"] == "Lax"


def test_a_remembered_language_redirects_unprefixed_pages_to_it(client, kamran):
    client.cookies[COOKIE] = "az"
    response = client.get("/detainees/?q=kamran")
    assert response.status_code == 302
    assert response["Location"] == "/az/detainees/?q=kamran"
    assert "Cookie" in response["Vary"]
    assert client.get(response["Location"]).status_code == 200


def test_an_explicit_prefix_wins_over_the_remembered_language(client, kamran):
    client.cookies[COOKIE] = "az"
    response = client.get(f"/ru/detainees/{kamran.slug}/")
    assert response.status_code == 200
    assert '<html lang="ru">' in response.text


def test_choosing_english_again_stops_the_redirects(client, kamran):
    client.cookies[COOKIE] = "az"
    page = client.get("/az/detainees/").text
    response = client.get(switcher_links(page)["en"][0])
    assert response["Location"] == "/detainees/"
    assert response.cookies[COOKIE].value == "en"
    english = client.get("/detainees/")
    assert english.status_code == 200
    assert '<html lang="en">' in english.text


def test_without_a_cookie_unprefixed_pages_are_english(client, kamran):
    response = client.get("/detainees/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert '<html lang="en">' in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("language=az&next=https://elsewhere.example/", "/"),
        ("language=az&next=//elsewhere.example/", "/"),
        ("language=az", "/"),
    ],
)
def test_the_switcher_never_leaves_the_site(client, query, expected):
    response = client.get(f"/language/?{query}")
    assert response.status_code == 302
    assert response["Location"] == expected


def test_an_unknown_language_is_not_remembered(client):
    response = client.get("/language/?language=xx&next=/detainees/")
    assert response["Location"] == "/detainees/"
    assert COOKIE not in response.cookies


def test_pages_name_their_versions_in_every_language(client, kamran):
    page = client.get("/az/detainees/?status=pre_trial").text
    for code, prefix in [("en", ""), ("az", "/az"), ("ru", "/ru"), ("x-default", "")]:
        url = f"http://testserver{prefix}/detainees/?status=pre_trial"
        assert f'<link rel="alternate" hreflang="{code}" href="{url}">' in page


def test_a_missing_page_has_no_alternates_and_switches_to_home_pages(client):
    page = client.get("/ru/detainees/no-such-person/").text
    assert "hreflang=" not in page.split("</head>")[0]
    links = switcher_links(page)
    assert parse_qs(urlsplit(links["az"][0]).query)["next"] == ["/az/"]


@pytest.mark.parametrize("url", ["/api/v1/detainees/", "/feeds/updates.atom"])
def test_data_out_is_never_redirected_by_the_remembered_language(client, kamran, url):
    client.cookies[COOKIE] = "ru"
    assert client.get(url).status_code == 200


def test_api_labels_follow_accept_language(client, kamran):
    occupation = m.Occupation.objects.create(
        slug="journalist", name="journalist", name_az="jurnalist", name_ru="журналист"
    )
    kamran.occupations.add(occupation)
    url = f"/api/v1/detainees/{kamran.slug}/"
    english = client.get(url)
    assert english.json()["occupations"][0]["name"] == "journalist"
    assert english.json()["bio"] == "A fictional reporter."
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    assert russian.json()["occupations"][0]["name"] == "журналист"
    assert russian.json()["bio"] == "Вымышленный репортёр."
    assert russian["Content-Language"] == "ru"
    assert "Accept-Language" in russian["Vary"]
    # Field names stay English; a language the site lacks gets English.
    assert "occupations" in russian.json()
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert french.json()["occupations"][0]["name"] == "journalist"


def test_public_pages_stay_the_same_for_every_visitor(client, kamran):
    """No CSRF token or other per-visitor value: the page cache serves one copy to all."""
    first = client.get("/az/detainees/?status=pre_trial").text
    client.cookies[COOKIE] = "ru"
    second = client.get("/az/detainees/?status=pre_trial").text
    assert first == second
    assert "csrfmiddlewaretoken" not in first
