"""dump_open_data: the whole published dataset as CSV and JSON files, with a data dictionary."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command

from cases import exports

from .conftest import CANARY

FILES = [
    "detainees.csv", "events.csv", "charges.csv", "cases.csv", "echr_applications.csv",
    "execution_groups.csv", "dataset.json", "data_dictionary.md",
]  # fmt: skip


def dump(directory):
    call_command("dump_open_data", output=str(directory), base_url="https://tracker.example.org",
                 stdout=StringIO())  # fmt: skip
    return {name: (directory / name).read_bytes() for name in FILES}


def table(files, name):
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"), newline="")))


@pytest.fixture
def files(world, tmp_path):
    return dump(tmp_path / "first")


def test_writes_every_file(files):
    assert sorted(files) == sorted(FILES)
    assert all(files[name].startswith(b"\xef\xbb\xbf") for name in FILES if name.endswith(".csv"))


def test_two_dumps_of_the_same_data_are_byte_identical(files, tmp_path):
    assert dump(tmp_path / "second") == files


def test_nothing_unpublished_or_staff_only_is_dumped(files):
    for name, content in files.items():
        text = content.decode("utf-8-sig")
        assert CANARY not in text.lower(), name
        assert "confidential.example.org" not in text, name
        assert "777.7" not in text, name


def test_the_published_rows(files, world, client):
    detainees = table(files, "detainees.csv")
    assert [row["slug"] for row in detainees] == sorted(
        world[key].slug for key in ["aysel", "bahruz", "formula", "dilara", "elvin"]
    )
    aysel = next(row for row in detainees if row["slug"] == world["aysel"].slug)
    assert aysel["url"] == f"https://tracker.example.org/detainees/{world['aysel'].slug}/"
    assert aysel["other_names"] == "Айсель Мамедова | Aysel Mammadova"
    events = table(files, "events.csv")
    assert {row["detainee"] for row in events} <= {row["slug"] for row in detainees}
    formula_events = [row for row in events if row["detainee"] == world["formula"].slug]
    assert [row["case"] for row in formula_events] == [""]  # its case is a draft
    remand = next(row for row in events if row["kind"] == "remand")
    assert remand["description"] == "'@SUM(1+1) remanded"  # neutralised
    charges = table(files, "charges.csv")
    assert sorted((row["detainee"], row["case"], row["article"]) for row in charges) == sorted([
        (world["aysel"].slug, "fictional-media-case", "206.3.2"),
        (world["bahruz"].slug, "fictional-split-case", "206.3.2"),
    ])  # fmt: skip
    cases = {row["slug"]: row for row in table(files, "cases.csv")}
    assert set(cases) == {"fictional-media-case", "fictional-split-case",
                          "fictional-split-of-an-unpublished-case"}  # fmt: skip
    assert cases["fictional-media-case"]["defendants"] == world["aysel"].slug
    assert cases["fictional-split-of-an-unpublished-case"]["parent"] == ""
    (application,) = [r for r in table(files, "echr_applications.csv") if r["number"] == "2222/21"]
    assert application["applicants"] == world["bahruz"].slug
    assert application["violations"] == "5§1"
    (group,) = table(files, "execution_groups.csv")
    assert group["lead_application"] == "2222/21"


def test_detainees_csv_has_the_exports_columns_and_rows(files, client):
    dumped = table(files, "detainees.csv")
    exported = list(csv.DictReader(io.StringIO(
        b"".join(client.get("/detainees/export.csv?sort=name").streaming_content)
        .decode("utf-8-sig"), newline="")))  # fmt: skip
    assert list(dumped[0]) == list(exported[0]) == list(exports.DETAINEES.columns)
    by_slug = {row["slug"]: row for row in exported}
    for row in dumped:
        expected = by_slug[row["slug"]]
        assert {**row, "url": ""} == {**expected, "url": ""}


def test_the_json_holds_the_same_tables(files):
    data = json.loads(files["dataset.json"])
    assert list(data["tables"]) == [t.name for t in exports.TABLES]
    for t in exports.TABLES:
        rows = data["tables"][t.name]
        assert len(rows) == len(table(files, t.filename))
        assert all(list(row) == list(t.columns) for row in rows)
    aysel = next(r for r in data["tables"]["detainees"] if r["name"].startswith("Testname Aysel"))
    assert aysel["other_names"] == ["Айсель Мамедова", "Aysel Mammadova"]
    remand = next(r for r in data["tables"]["events"] if r["kind"] == "remand")
    assert remand["description"] == "@SUM(1+1) remanded"  # JSON keeps values unchanged


def test_the_data_dictionary_covers_every_column(files):
    dictionary = files["data_dictionary.md"].decode()
    for name in FILES:
        if name.endswith(".csv"):
            header = next(csv.reader(io.StringIO(files[name].decode("utf-8-sig"))))
            assert f"## {name}" in dictionary
            for column in header:
                assert f"| `{column}` |" in dictionary, (name, column)


def test_an_empty_database_gives_headers_only(db, tmp_path):
    files = dump(tmp_path)
    assert files["detainees.csv"].decode("utf-8-sig").count("\r\n") == 1
    assert json.loads(files["dataset.json"])["tables"]["detainees"] == []


def test_the_open_data_page_explains_every_column(client, db):
    response = client.get("/data/")
    assert response.status_code == 200
    text = response.text
    for t in exports.TABLES:
        assert f"<code>{t.filename}</code>" in text
        for column in t.columns:
            assert f"<code>{column}</code>" in text
    for link in ['href="/detainees/export.csv"', 'href="/api/v1/"', 'href="/api/v1/schema/"',
                 'href="/api/v1/docs/"', 'href="/feeds/updates.atom"']:  # fmt: skip
        assert link in text
    assert "dump_open_data" in text
    assert client.get("/az/data/").status_code == 200
