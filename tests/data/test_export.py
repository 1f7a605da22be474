"""/detainees/export.csv: the listing's rows under the same filters, streamed and formula-safe."""

import csv
import datetime
import io
import re
import tracemalloc

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from cases import exports
from cases import models as m

from .conftest import CANARY, LISTING_QUERIES, listing_names

COLUMNS = [
    "url", "slug", "name", "other_names", "gender", "born", "status", "status_since",
    "first_detained_on", "last_detained_on", "in_custody_since", "released_on",
    "days_in_custody", "sentence_kind", "sentence_months", "occupations", "organizations",
    "cases", "articles", "echr_applications", "updated_at", "source_urls",
]  # fmt: skip


def download(client, query=""):
    response = client.get(f"/detainees/export.csv?{query}")
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def rows(client, query=""):
    _response, body = download(client, query)
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def unneutralised(cell):
    return cell[1:] if cell[:1] == "'" and cell[1:2] in "=+-@\t\r" and cell[1:] else cell


def test_the_columns_are_the_documented_ones(client, world):
    _response, body = download(client)
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == COLUMNS == list(exports.DETAINEES.columns)


@pytest.mark.parametrize("query", LISTING_QUERIES)
def test_the_export_has_the_listings_rows_in_its_order(client, world, query):
    exported = [unneutralised(row["name"]) for row in rows(client, query)]
    assert exported == listing_names(client, query)
    assert exported  # every query in the table selects someone


@pytest.mark.parametrize(
    "query",
    ["status=<script>alert(1)</script>", "detained_from=2024-13-45", "held_on=2024-02-30",
     "article='; DROP TABLE cases_detainee; --", "q=" + "x" * 5000, "occupation=no-such",
     "case=canary-draft-case", "gender=unknown-value", "echr=maybe", "sort=password",
     "page=abc&per_page=100000", "unknown=1&other[]=2"],
)  # fmt: skip
def test_malformed_filters_are_ignored_as_on_the_listing(client, world, query):
    _response, body = download(client, query)
    exported = [unneutralised(row["name"]) for row in rows(client, query)]
    assert exported == listing_names(client, query)
    assert b"<script>" not in body


def test_page_and_page_size_do_not_cut_the_export(client, world):
    assert len(rows(client, "per_page=10&page=2")) == len(rows(client)) == 5


def test_a_row_holds_the_public_facts(client, world):
    (aysel,) = rows(client, "q=mammadova")
    person = world["aysel"]
    assert aysel["url"] == f"http://testserver/detainees/{person.slug}/"
    assert aysel["name"] == "Testname Aysel Məmmədova"
    assert aysel["other_names"] == "Айсель Мамедова | Aysel Mammadova"
    assert aysel["status"] == "pre_trial"
    assert aysel["first_detained_on"] == aysel["in_custody_since"] == "2023-11-20"
    today = timezone.localdate()
    assert aysel["days_in_custody"] == str((today - datetime.date(2023, 11, 20)).days)
    assert aysel["occupations"] == "journalist"
    assert aysel["cases"] == "Fictional Media case"
    assert aysel["articles"] == "FCC 206.3.2"
    assert aysel["source_urls"] == "https://news.example.org/public-report"
    assert aysel["updated_at"].endswith("+00:00")
    (dilara,) = rows(client, "q=dilara")
    assert dilara["status_since"] == "2024-02"  # a date known to the month stays a month
    (bahruz,) = rows(client, "q=bahruz")
    assert bahruz["sentence_kind"] == "imprisonment"
    assert bahruz["sentence_months"] == "96"
    assert bahruz["echr_applications"] == "2222/21"
    assert bahruz["cases"] == "Fictional split case"
    assert bahruz["organizations"] == "Fictional Union"


def test_nothing_unpublished_or_staff_only_is_exported(client, world):
    _response, body = download(client)
    text = body.decode("utf-8-sig")
    assert CANARY not in text.lower()
    assert "777.7" not in text  # an article charged only in a draft case
    assert "confidential.example.org" not in text
    (formula,) = [r for r in csv.DictReader(io.StringIO(text)) if r["name"].startswith("'=")]
    # A member of a draft case and of a published case split off from it: only the latter shows.
    assert formula["cases"] == "Fictional split of an unpublished case"


def test_cells_that_a_spreadsheet_would_run_are_neutralised(client, world):
    exported = rows(client, "gender=other")
    (formula,) = exported
    assert formula["name"] == '\'=cmd|"/C calc"!A0 Testname'
    assert formula["organizations"] == "'=Formula Org"
    # Joined cells start with their first value; each dangerous value is neutralised where
    # a spreadsheet reads it, at the start of the cell.
    assert formula["other_names"].startswith("'")
    for row in rows(client):
        for cell in row.values():
            assert not cell.startswith(exports.FORMULA_STARTS), cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=1", "a=1"), ("", ""), ("'=x", "'=x")],
)  # fmt: skip
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


def test_utf8_with_a_bom_keeps_azerbaijani_and_cyrillic(client, world):
    _response, body = download(client)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode("utf-8")
    for name in ["Məmmədova", "Qasımov", "Şükürova", "Çələbi", "Айсель Мамедова"]:
        assert name in text


def test_a_dated_attachment(client, world):
    response, _body = download(client)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="detainees-{today}.csv"'


def test_the_export_speaks_the_pages_language(client, world):
    response = client.get("/az/detainees/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert f"http://testserver/az/detainees/{world['aysel'].slug}/" in body


def test_the_listing_links_its_rows_as_csv(client, world):
    text = client.get("/detainees/?status=imprisoned&gender=male&page=2&per_page=10").text
    link = re.search(r'<a href="([^"]*export\.csv[^"]*)"', text).group(1).replace("&amp;", "&")
    assert link == "/detainees/export.csv?status=imprisoned&gender=male"
    assert "Download these rows as CSV" in text


def test_the_export_url_is_a_contract(client, db):
    assert client.get("/detainees/export.csv").status_code == 200
    assert client.get("/ru/detainees/export.csv").status_code == 200


# --- Streaming: memory stays flat ------------------------------------------------------------


def bulk_people(count, *, status):
    """`count` plainly fictional published people, written in bulk: fast, no timelines."""
    start = m.Detainee.objects.count()
    journalist, _created = m.Occupation.objects.get_or_create(
        slug="journalist", defaults={"name": "journalist"}
    )
    people = m.Detainee.objects.bulk_create(
        m.Detainee(
            name=f"Testname Bulk{n:05d} Məmmədov", slug=f"testname-bulk-{n:05d}",
            state=m.State.PUBLISHED, status=status, bio="A fictional person. " * 20,
            first_detained_on=datetime.date(2024, 1, 1),
            in_custody_since=datetime.date(2024, 1, 1),
        )
        for n in range(start, start + count)
    )  # fmt: skip
    m.DetaineeName.objects.bulk_create(
        m.DetaineeName(detainee=p, name=f"Тестимя Булк{p.pk}") for p in people
    )
    m.Detainee.occupations.through.objects.bulk_create(
        m.Detainee.occupations.through(detainee=p, occupation=journalist) for p in people
    )


def stream_peak(client, query):
    """(rows, peak bytes traced) while reading the whole export and discarding it."""
    tracemalloc.start()
    response = client.get(f"/detainees/export.csv?{query}")
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\r\n")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return lines - 1, peak


def test_memory_stays_flat_however_many_rows(client, db, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 250)
    bulk_people(1000, status=m.Status.PRE_TRIAL)
    bulk_people(2000, status=m.Status.IMPRISONED)
    small_rows, small_peak = stream_peak(client, "status=pre_trial")
    all_rows, all_peak = stream_peak(client, "")
    assert (small_rows, all_rows) == (1000, 3000)
    # Three times the rows, about the same memory: one chunk of rows is held at a time.
    assert all_peak < 1.5 * small_peak, (small_peak, all_peak)

    # Holding the 3,000 rows at once, as a non-streaming export would, takes far more.
    tracemalloc.start()
    queryset = m.Detainee.objects.published()
    held = list(exports.detainee_records(queryset, base_url="http://testserver", chunk_size=3000))
    _current, held_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(held) == 3000
    assert all_peak < held_peak / 3, (all_peak, held_peak)


# --- Queries ----------------------------------------------------------------------------------

# Per chunk of rows: the rows (one query for the whole export), then other names, occupations,
# affiliations with organizations, memberships in published cases with the cases, their charges
# with articles and codes, ECHR applications, public sources.
PREFETCHES = 7


@pytest.mark.parametrize("count", [20, 60])
def test_export_queries_do_not_grow_with_the_rows(client, db, django_assert_num_queries, count):
    bulk_people(count, status=m.Status.PRE_TRIAL)
    with django_assert_num_queries(1 + PREFETCHES):
        response = client.get("/detainees/export.csv")
        body = b"".join(response.streaming_content)
    assert body.count(b"\r\n") == count + 1


def test_export_queries_grow_only_by_chunk(client, db, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 10)
    bulk_people(30, status=m.Status.PRE_TRIAL)
    with django_assert_num_queries(1 + 3 * PREFETCHES):
        b"".join(client.get("/detainees/export.csv").streaming_content)


def test_filter_lookups_add_their_own_queries(client, db, django_assert_num_queries):
    bulk_people(20, status=m.Status.PRE_TRIAL)
    with django_assert_num_queries(1 + 1 + PREFETCHES):  # + the occupation slugs looked up
        b"".join(client.get("/detainees/export.csv?occupation=journalist").streaming_content)
