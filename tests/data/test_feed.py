"""/feeds/updates.atom: new and updated published detainees and cases, newest first."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from cases import models as m

from .conftest import CANARY

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client):
    response = client.get("/feeds/updates.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response, ET.fromstring(response.content)


def test_a_valid_atom_feed_of_published_entries(client, world):
    response, root = feed(client)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text
    assert root.find(f"{ATOM}updated").text
    entries = root.findall(f"{ATOM}entry")
    titles = {entry.find(f"{ATOM}title").text for entry in entries}
    people = {world[key].name for key in ["aysel", "bahruz", "formula", "dilara", "elvin"]}
    cases = {"Fictional Media case", "Fictional split case",
             "Fictional split of an unpublished case"}  # fmt: skip
    assert titles == people | cases
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith("http://testserver/")
        assert entry.find(f"{ATOM}id").text
        datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}summary").text
    assert CANARY not in response.text.lower()
    assert "confidential.example.org" not in response.text


def test_an_entry_summarises_status_and_last_event(client, world):
    _response, root = feed(client)
    (aysel,) = [e for e in root.findall(f"{ATOM}entry")
                if e.find(f"{ATOM}title").text == world["aysel"].name]  # fmt: skip
    summary = aysel.find(f"{ATOM}summary").text
    assert summary == (
        "pre-trial detention since 20 November 2023. Last event: remand in custody, "
        "21 November 2023."
    )
    assert aysel.find(f"{ATOM}link").get("href") == (
        f"http://testserver/detainees/{world['aysel'].slug}/"
    )


def test_newest_updates_first_and_fifty_at_most(client, db, make_detainee):
    for n in range(60):
        person = make_detainee(f"Testname Feed{n:02d}")
        m.Detainee.objects.filter(pk=person.pk).update(
            updated_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
            + datetime.timedelta(days=n)
        )
    _response, root = feed(client)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 50
    assert entries[0].find(f"{ATOM}title").text == "Testname Feed59"
    updated = [entry.find(f"{ATOM}updated").text for entry in entries]
    assert updated == sorted(updated, reverse=True)


def test_feed_queries(client, world, django_assert_num_queries):
    # detainees; their events; cases with published defendant counts.
    with django_assert_num_queries(3):
        feed(client)


@pytest.mark.parametrize("state", [m.State.DRAFT, m.State.IN_REVIEW, m.State.RETRACTED])
def test_an_unpublished_entry_never_appears(client, db, make_detainee, state):
    make_detainee("Testname CANARY-UNPUBLISHED", state=state)
    _response, root = feed(client)
    assert root.findall(f"{ATOM}entry") == []
