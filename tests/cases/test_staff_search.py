"""Staff search: every entry the user may see, by any spelling, state, who works on it and gaps;
never another researcher's draft, nor what only an entry's own people may know."""

import re

import pytest

from cases import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(researcher, other_researcher, moderator, make_detainee, make_event, make_source):
    journalist = m.Occupation.objects.create(slug="journalist", name="journalist")
    facility = m.Facility.objects.create(slug="fictional-centre", name="Fictional Centre")

    def person(name, state, author, *, sourced=True, occupation=True, facility_known=False,
               precision="day"):  # fmt: skip
        p = make_detainee(name, state=state, created_by=author)
        if sourced:
            p.sources.add(make_source())
        if occupation:
            row = m.DetaineeOccupation.objects.create(detainee=p, occupation=journalist)
            if sourced:
                row.sources.add(make_source())
        event = make_event(
            p, "detention", "2024-01-01", precision=precision,
            facility=facility if facility_known else None,
        )  # fmt: skip
        if sourced:
            event.sources.add(make_source())
        return p

    people = {
        "published": person("Testname Leyla Hüseynova", m.State.PUBLISHED, other_researcher,
                            facility_known=True),
        "mine": person("Testname Rauf Quliyev", m.State.DRAFT, researcher, sourced=False),
        "theirs": person("Testname Hidden Draft", m.State.DRAFT, other_researcher),
        "review": person("Testname Nigar Əliyeva", m.State.IN_REVIEW, researcher,
                         occupation=False, precision="year", facility_known=True),
    }  # fmt: skip
    m.DetaineeName.objects.create(detainee=people["published"], name="Лейла Гусейнова")
    people["published"].refresh_derived()
    people["published"].save()  # the search text, with the Cyrillic spelling
    m.PendingChange.objects.create(
        detainee=people["published"], author=other_researcher,
        base_version=people["published"].version, summary="Their change", data={},
    )  # fmt: skip
    return people


def found(client, query=""):
    text = client.get(f"/staff/search/?{query}").text
    return sorted(re.findall(r'<a href="/staff/detainees/\d+/">Testname ([^<]+)</a>', text))


def test_a_researcher_finds_what_they_may_see_by_any_spelling(client_for, researcher, entries):
    client = client_for(researcher)
    assert found(client) == ["Leyla Hüseynova", "Nigar Əliyeva", "Rauf Quliyev"]
    assert found(client, "q=Гусейнова") == ["Leyla Hüseynova"]
    assert found(client, "q=huseynova") == ["Leyla Hüseynova"]
    assert found(client, "q=Hidden") == []  # another researcher's draft: not even counted
    assert "0 entries" in client.get("/staff/search/?q=Hidden").text
    assert found(client, "state=draft&state=in_review") == ["Nigar Əliyeva", "Rauf Quliyev"]
    assert found(client, "mine=on") == ["Nigar Əliyeva", "Rauf Quliyev"]


def test_gaps_find_what_needs_work(client_for, researcher, entries):
    client = client_for(researcher)
    # Leyla's Cyrillic spelling cites nothing yet; Rauf has no source at all.
    assert found(client, "gap=no_source") == ["Leyla Hüseynova", "Rauf Quliyev"]
    m.DetaineeName.objects.get(name="Лейла Гусейнова").sources.add(m.Source.objects.first())
    assert found(client, "gap=no_source") == ["Rauf Quliyev"]
    assert found(client, "gap=no_occupation") == ["Nigar Əliyeva"]
    assert found(client, "gap=no_facility") == ["Rauf Quliyev"]  # held, no place known
    assert found(client, "gap=year_only") == ["Nigar Əliyeva"]
    assert found(client, "gap=no_source&gap=no_occupation") == []


def test_who_works_on_an_entry_is_for_moderators(
    client_for, researcher, other_researcher, moderator, entries
):
    # A researcher may not learn of another researcher's pending change, nor filter by author.
    assert found(client_for(researcher), "pending=on") == []
    page = client_for(researcher).get(f"/staff/search/?author={other_researcher.pk}").text
    assert 'id="id_author"' not in page and "Logged by</th>" not in page
    assert found(client_for(other_researcher), "pending=on") == ["Leyla Hüseynova"]
    moderator_client = client_for(moderator)
    assert found(moderator_client, "pending=on") == ["Leyla Hüseynova"]
    assert found(moderator_client, f"author={other_researcher.pk}") == [
        "Hidden Draft", "Leyla Hüseynova",
    ]  # fmt: skip
    m.Detainee.objects.get(name__contains="Rauf").assignees.add(other_researcher)
    assert found(moderator_client, f"assignee={other_researcher.pk}") == ["Rauf Quliyev"]
    assert found(client_for(other_researcher), "assigned=on") == ["Rauf Quliyev"]


@pytest.mark.parametrize(
    "query",
    ["state=nonsense", "gap=everything", "author=abc", "sort=%00", "page=-1", "q=" + "x" * 500],
)
def test_malformed_filters_get_a_message_not_an_error(client_for, moderator, entries, query):
    response = client_for(moderator).get(f"/staff/search/?{query}")
    assert response.status_code == 200


def test_a_moderator_assigns_researchers_from_the_staff_page(
    client_for, researcher, other_researcher, moderator, entries
):
    entry = entries["published"]
    m.Contact.objects.create(detainee=entry, kind="lawyer", name="Fictional Lawyer")
    assert (
        "Fictional Lawyer" not in client_for(researcher).get(f"/staff/detainees/{entry.pk}/").text
    )
    page = client_for(moderator).get(f"/staff/detainees/{entry.pk}/").text
    assert "Researchers working on this entry" in page
    response = client_for(moderator).post(
        f"/staff/detainees/{entry.pk}/assign/",
        {"assignees": [researcher.pk, moderator.pk + 1000, "x"]},
    )
    assert response.status_code == 302
    assert list(entry.assignees.all()) == [researcher]
    assert "Fictional Lawyer" in client_for(researcher).get(f"/staff/detainees/{entry.pk}/").text
    assert found(client_for(researcher), "assigned=on") == ["Leyla Hüseynova"]
    assert "assigned to researcher by moderator" in entry.history.latest().history_change_reason
    # Unassigning takes the access away again.
    client_for(moderator).post(f"/staff/detainees/{entry.pk}/assign/", {})
    assert not entry.assignees.exists()
    assert (
        "Fictional Lawyer" not in client_for(researcher).get(f"/staff/detainees/{entry.pk}/").text
    )
