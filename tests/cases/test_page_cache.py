"""The whole-page cache cannot be bypassed, filled with copies or poisoned (security issue #13).

A cached page costs one query (the data version); a render costs more. So a request that is
served from the cache runs exactly one query.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import models as m


@pytest.fixture
def person(db, make_detainee, make_event):
    person = make_detainee("Testname Cached Person", gender="male")
    make_event(person, "detention", "2024-01-01")
    return person


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return len(queries), response.text


def _cached_pages():
    return [key for key in cache._cache if "public-page" in key]


@pytest.mark.parametrize(
    ("first", "same_page"),
    [
        ("/stats/", "/stats/?utm_source=x&fbclid=1"),
        ("/detainees/", "/detainees/?q=&gender=&page=&junk=1"),
        ("/detainees/?status=imprisoned&gender=male", "/detainees/?gender=male&status=imprisoned"),
        (
            "/detainees/?status=released&status=imprisoned",
            "/detainees/?status=imprisoned&status=released",
        ),
        ("/cases/", "/cases/?x=1"),
    ],
)
def test_unknown_empty_and_reordered_parameters_are_the_same_cached_page(
    client, person, first, same_page
):
    rendered, _page = _queries(client, first)
    assert rendered > 1
    pages = len(_cached_pages())
    again, text = _queries(client, same_page)
    assert again == 1, f"{same_page} was rendered again"
    assert len(_cached_pages()) == pages
    assert "junk" not in text and "utm_source" not in text


def test_a_junk_parameter_never_reaches_the_page_it_renders(client, person):
    text = client.get("/detainees/?gender=male&junk=%3Cb%3Ehello").text
    assert "junk" not in text and "hello" not in text
    assert "gender=male" in text  # the known filter is kept, in the page's links


def test_without_site_url_each_host_gets_its_own_copy_with_its_own_links(client, person, settings):
    settings.SITE_URL = ""
    url = f"/detainees/{person.slug}/"
    client.get(url, HTTP_HOST="localhost:6666")
    _queries_count, text = _queries(client, url, HTTP_HOST="127.0.0.1")
    assert "localhost:6666" not in text
    assert f"http://127.0.0.1{url}" in text


def test_with_site_url_every_link_starts_with_it_whatever_the_host(client, person, settings):
    settings.SITE_URL = "https://tracker.example.org"
    text = client.get(f"/detainees/{person.slug}/", HTTP_HOST="localhost:6666").text
    assert "localhost" not in text
    assert f"https://tracker.example.org/detainees/{person.slug}/" in text
    assert 'hreflang="az" href="https://tracker.example.org/az/detainees/' in text
    api = client.get(f"/api/v1/detainees/{person.slug}/", HTTP_HOST="localhost:6666").json()
    assert api["url"].startswith("https://tracker.example.org/")
    response = client.get("/detainees/export.csv", HTTP_HOST="localhost:6666")
    export = b"".join(response.streaming_content).decode()
    assert "localhost" not in export and "https://tracker.example.org/detainees/" in export


def test_a_published_change_still_shows_at_once(client, person):
    url = f"/detainees/{person.slug}/?utm=1"
    assert "Testname Cached Person" in client.get(url).text
    m.Detainee.objects.filter(pk=person.pk).update(name="Testname Renamed Person")
    m.DataVersion.bump()
    assert "Testname Renamed Person" in client.get(url).text
