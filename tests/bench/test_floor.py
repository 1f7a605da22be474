"""The benchmark's floor view: the listing's first page as JSON, published detainees only."""

import pytest

from cases import models as m


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"


def test_floor_returns_published_detainees_by_name_as_json(bench_urls, client, make_detainee):
    make_detainee("Testname Bravo")
    make_detainee("Testname Alpha")
    make_detainee("Testname Draft", state=m.State.DRAFT)
    make_detainee("Testname Retracted", state=m.State.RETRACTED)

    response = client.get("/bench/floor/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    rows = response.json()["rows"]
    assert [row["name"] for row in rows] == ["Testname Alpha", "Testname Bravo"]
    assert set(rows[0]) == {"slug", "name", "status", "in_custody_since", "sentence_months"}


def test_floor_returns_one_page_of_25_in_one_query(
    bench_urls, client, make_detainee, django_assert_num_queries
):
    for n in range(30):
        make_detainee(f"Testname Row{n:02d}")
    with django_assert_num_queries(1):  # the page of rows; no count, no session
        rows = client.get("/bench/floor/").json()["rows"]
    assert len(rows) == 25


def test_bench_urls_still_serve_the_site(bench_urls, client, make_detainee):
    detainee = make_detainee("Testname Charlie")
    assert client.get(f"/detainees/{detainee.slug}/").status_code == 200
