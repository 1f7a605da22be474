"""Internal data is for an entry's author, its assignees and the reviewers (SPEC, Roles).

Another researcher may open a published entry's staff page (to propose a change) but sees none of
its staff notes, contacts, confidential sources, event notes, history, other people's proposed
changes or the names of cases they may not see. Every such datum below carries "canary".
"""

import pytest

from cases import models as m


@pytest.fixture
def entry(make_detainee, make_event, make_case, make_source, researcher, other_researcher):
    person = make_detainee("Testname Guarded", created_by=researcher)
    m.Detainee.objects.filter(pk=person.pk).update(
        internal_notes="canary internal note", review_comment="canary review comment"
    )
    m.Contact.objects.create(detainee=person, kind="lawyer", name="Canary Lawyer", phone="+000 1")
    event = make_event(person, "detention", "2024-04-29")
    m.Event.objects.filter(pk=event.pk).update(internal_note="canary event note")
    event.sources.add(make_source(title="canary confidential source", confidential=True))
    event.sources.add(make_source(title="Fictional public report"))
    draft_case = make_case("Canary draft case", state=m.State.DRAFT)
    m.CaseDefendant.objects.create(case=draft_case, detainee=person)
    m.CaseDefendant.objects.create(case=make_case("Fictional public case"), detainee=person)
    m.PendingChange.objects.create(
        detainee=person, author=researcher, base_version=person.version,
        summary="canary pending summary", data={"add_events": []},
    )  # fmt: skip
    m.PendingChange.objects.create(
        detainee=person, author=other_researcher, base_version=person.version,
        summary="Fictional proposal of my own", data={"add_events": []},
    )  # fmt: skip
    return m.Detainee.objects.get(pk=person.pk)


def _staff_pages(client, person):
    return {
        url: client.get(url)
        for url in [
            f"/staff/detainees/{person.pk}/",
            f"/staff/detainees/{person.pk}/history/",
            f"/staff/detainees/{person.pk}/events/add/",
            f"/staff/detainees/{person.pk}/charges/add/",
            f"/staff/detainees/{person.pk}/correct/",
            "/staff/",
            "/staff/log-arrest/",
        ]
    }


@pytest.mark.django_db
def test_another_researcher_sees_no_internal_data_of_a_published_entry(
    client_for, entry, other_researcher
):
    pages = _staff_pages(client_for(other_researcher), entry)
    assert pages[f"/staff/detainees/{entry.pk}/history/"].status_code == 404
    page = pages[f"/staff/detainees/{entry.pk}/"].text
    assert "Testname Guarded" in page and "Fictional public report" in page
    assert "Fictional public case" in page
    assert "Fictional proposal of my own" in page  # their own proposal, and only that
    for url, response in pages.items():
        assert "canary" not in response.text.lower(), url
        assert "+000 1" not in response.text, url


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["researcher", "assignee", "moderator"])
def test_the_author_an_assignee_and_a_moderator_see_it_all(
    client_for, entry, researcher, make_user, moderator, who
):
    user = {"researcher": researcher, "moderator": moderator}.get(who)
    if who == "assignee":
        user = make_user("assignee", "researcher")
        entry.assignees.add(user)
    client = client_for(user)
    page = client.get(f"/staff/detainees/{entry.pk}/").text
    canaries = [
        "canary internal note", "Canary Lawyer", "canary event note",
        "canary confidential source", "Canary draft case", "canary pending summary",
    ]  # fmt: skip
    for canary in canaries:
        assert canary in page, canary
    assert client.get(f"/staff/detainees/{entry.pk}/history/").status_code == 200


@pytest.mark.django_db
def test_internal_access_is_one_rule_for_every_role(entry, researcher, other_researcher, moderator):
    from django.contrib.auth.models import AnonymousUser

    def has_access(user):
        return list(m.Detainee.objects.with_internal_access(user)) == [entry]

    assert has_access(researcher) and has_access(moderator)
    assert not has_access(other_researcher) and not has_access(AnonymousUser())
    assert entry.internal_visible_to(researcher) and not entry.internal_visible_to(other_researcher)
