"""Every part of an entry changes through one path: at once on a draft, as one reviewed change on
a published entry, with a diff a moderator can read."""

import pytest

from cases import models as m
from cases import services
from tests.formdata import form_data

TURAN = "https://turan.example.org/fictional-report"
OTHER = "https://news.example.org/fictional-second-report"


@pytest.fixture
def person(db, researcher, moderator):
    """A published person with a detention, a spelling and a charge, each sourced."""
    m.Occupation.objects.create(slug="journalist", name="journalist")
    m.Occupation.objects.create(slug="economist", name="economist")
    m.Organization.objects.create(slug="fictional-watch", name="Fictional Election Watch")
    m.Source.objects.create(
        url=TURAN, title="Fictional report", publisher="Turan",
        published_on="2024-04-30",
    )  # fmt: skip
    code = m.LegalCode.objects.create(slug="fcc", name="Fictional Code", country="XX")
    m.LegalArticle.objects.create(code=code, number="206.3.2")
    detainee = services.log_arrest(
        author=researcher,
        data={
            "name": "Testname Anar Fictional", "other_names": ["Testname Anar Fictionalov"],
            "gender": "male", "occupation": m.Occupation.objects.get(slug="journalist"),
            "detained_on": "2024-04-29", "detained_on_precision": "day",
            "new_case_name": "Fictional smuggling case",
            "articles": [m.LegalArticle.objects.get(number="206.3.2")],
            "source_urls": [TURAN],
        },
    )  # fmt: skip
    services.publish(entry=detainee, moderator=moderator)
    detainee.refresh_from_db()
    return detainee


def _version(person):
    person.refresh_from_db()
    return person.version


@pytest.mark.django_db
def test_parts_of_a_published_entry_gather_in_one_change_read_and_approved_as_one(
    client, client_for, researcher, moderator, person
):
    staff = client_for(researcher)
    base = f"/staff/detainees/{person.pk}"
    old_spelling = person.other_names.get()
    event = person.events.get()
    application = m.EchrApplication.objects.create(number="1234/20", title="Fictional v. X")
    steps = [
        (f"{base}/names/add/", {"name": "Тестнаме Анар", "script": "cyrillic", "kind": "native",
                                "language": "ru", "source_urls": TURAN}),
        (f"{base}/occupations/add/", {"occupation": m.Occupation.objects.get(slug="economist").pk,
                                      "source_urls": OTHER}),
        (f"{base}/affiliations/add/", {"organization": m.Organization.objects.get().pk,
                                       "role": "founder", "start": "2001-01-01",
                                       "start_precision": "year", "end_precision": "year",
                                       "source_urls": OTHER}),
        (f"{base}/sources/add/", {"fact": "event", "id": event.pk, "source_urls": OTHER}),
        (f"{base}/echr/add/", {"number": "1234/20"}),
        (f"{base}/remove/", {"part": "remove_names", "id": old_spelling.pk}),
    ]  # fmt: skip
    for url, data in steps:
        response = staff.post(url, {**data, "version": _version(person)})
        assert response.status_code == 302, (url, response.content.decode()[:3000])

    change = m.PendingChange.objects.get()  # one change, however many edits
    assert change.state == "pending" and change.revision == len(steps)
    public = client.get(person.get_absolute_url()).text
    assert "Тестнаме Анар" not in public and "Testname Anar Fictionalov" in public

    page = client_for(moderator).get(f"/staff/review/changes/{change.pk}/").text
    for text in (
        "Other spelling", "added:", "<ins>Тестнаме Анар</ins>", "Turan, 30 April 2024",
        "Occupation", "<ins>economist</ins>", "Fictional Election Watch", "role: founder",
        "Source", "event: detention, 29 April 2024", "ECHR application",
        "removed:", "<del>Testname Anar Fictionalov</del>",
    ):  # fmt: skip
        assert text in page, text
    assert "{&#x27;" not in page and "None" not in page  # no raw data, no Python values

    response = client_for(moderator).post(
        f"/staff/review/changes/{change.pk}/", {"action": "approve", "revision": change.revision}
    )
    change.refresh_from_db()
    assert change.state == "approved" and change.applied_version == _version(person)
    public = client.get(person.get_absolute_url()).text
    assert "Тестнаме Анар" in public and "Testname Anar Fictionalov" not in public
    assert "economist" in public and OTHER in public
    assert person.echr_applications.get() == application
    assert set(event.sources.values_list("url", flat=True)) == {TURAN, OTHER}
    spelling = person.other_names.get()
    assert list(spelling.sources.values_list("url", flat=True)) == [TURAN]
    assert {r.history_user for r in spelling.history.all()} == {moderator}


@pytest.mark.django_db
def test_a_moderator_approves_only_the_revision_they_read(
    client_for, researcher, moderator, person
):
    staff = client_for(researcher)
    add = f"/staff/detainees/{person.pk}/names/add/"
    staff.post(add, {"name": "Тестнаме Анар", "script": "cyrillic", "kind": "native",
                     "source_urls": TURAN, "version": person.version})  # fmt: skip
    change = m.PendingChange.objects.get()
    read = change.revision
    staff.post(add, {"name": "Testname Anar Fiktional", "script": "latin",
                     "kind": "transliteration", "source_urls": TURAN,
                     "version": person.version})  # fmt: skip
    response = client_for(moderator).post(
        f"/staff/review/changes/{change.pk}/", {"action": "approve", "revision": read},
        follow=True,
    )  # fmt: skip
    change.refresh_from_db()
    assert change.state == "pending" and change.revision == read + 1
    assert "added to this change since you opened it" in response.text
    assert not person.other_names.filter(name="Тестнаме Анар").exists()


@pytest.mark.django_db
def test_on_a_draft_each_part_applies_at_once_and_is_kept_for_the_history(
    client_for, researcher, person
):
    person.state = m.State.DRAFT
    person.save()
    staff = client_for(researcher)
    response = staff.post(
        f"/staff/detainees/{person.pk}/occupations/add/",
        {"occupation": m.Occupation.objects.get(slug="economist").pk, "source_urls": OTHER,
         "version": _version(person)},
    )  # fmt: skip
    assert response.status_code == 302
    row = person.occupation_rows.get(occupation__slug="economist")
    assert list(row.sources.values_list("url", flat=True)) == [OTHER]
    record = m.PendingChange.objects.get()
    assert record.state == "applied" and record.applied_version == _version(person)
    assert not m.PendingChange.objects.filter(state="pending").exists()


@pytest.mark.django_db
def test_a_source_is_replaced_on_a_fact_and_a_moderator_reads_both_sides(
    client, client_for, researcher, moderator, person
):
    event = person.events.get()
    turan = m.Source.objects.get(url=TURAN)
    staff = client_for(researcher)
    base = f"/staff/detainees/{person.pk}"
    staff.post(
        f"{base}/sources/add/?fact=event&id={event.pk}",
        {"fact": "event", "id": event.pk, "source_urls": OTHER, "version": person.version},
    )
    staff.post(f"{base}/remove/", {"part": "remove_sources", "fact": "event", "id": event.pk,
                                   "source": turan.pk, "version": person.version})  # fmt: skip
    change = m.PendingChange.objects.get()
    page = client_for(moderator).get(f"/staff/review/changes/{change.pk}/").text
    assert "<ins>" + OTHER in page and "<del>Turan, 30 April 2024</del>" in page
    client_for(moderator).post(
        f"/staff/review/changes/{change.pk}/", {"action": "approve", "revision": change.revision}
    )
    assert list(event.sources.values_list("url", flat=True)) == [OTHER]
    assert turan in person.sources.all()  # the entry's own sources are another fact


@pytest.mark.django_db
def test_marking_a_cited_source_confidential_hides_it_at_once(
    client, client_for, researcher, person
):
    turan = m.Source.objects.get(url=TURAN)
    assert TURAN in client.get(person.get_absolute_url()).text
    response = client_for(researcher).post(
        f"/staff/detainees/{person.pk}/sources/{turan.pk}/confidential/"
    )
    assert response.status_code == 302
    turan.refresh_from_db()
    assert turan.confidential and turan.history.first().history_user == researcher
    assert TURAN not in client.get(person.get_absolute_url()).text
    assert not m.PendingChange.objects.exists()


@pytest.mark.django_db
def test_bad_part_requests_get_a_message_or_404_and_change_nothing(
    client_for, researcher, person, make_detainee
):
    staff = client_for(researcher)
    base = f"/staff/detainees/{person.pk}"
    stranger = make_detainee("Testname Stranger")
    stranger_name = m.DetaineeName.objects.create(detainee=stranger, name="Testname Stranger B")
    uncited = m.Source.objects.create(url="https://news.example.org/fictional-uncited")
    version = person.version

    # Another person's row, an unknown part, a hostile id: nothing to remove.
    for data in (
        {"part": "remove_names", "id": stranger_name.pk},
        {"part": "drop_table", "id": 1},
        {"part": "remove_names", "id": "1; DROP TABLE"},
        {"part": "remove_sources", "fact": "event", "id": person.events.get().pk,
         "source": uncited.pk},
        {"part": "remove_sources", "fact": "__class__", "id": 1, "source": 1},
    ):  # fmt: skip
        response = staff.post(f"{base}/remove/", {**data, "version": version}, follow=True)
        assert response.status_code == 200
        assert "no longer recorded: nothing was changed" in response.text, data
    # Sources only on this person's facts; a source only if this person's facts cite it.
    assert staff.get(f"{base}/sources/add/?fact=name&id={stranger_name.pk}").status_code == 404
    assert staff.get(f"{base}/sources/add/?fact=nonsense&id=x").status_code == 404
    huge = "9" * 30
    assert staff.get(f"{base}/sources/add/?fact=event&id={huge}").status_code == 404
    response = staff.post(f"{base}/remove/", {"part": "remove_events", "id": huge}, follow=True)
    assert "no longer recorded: nothing was changed" in response.text
    response = staff.post(f"{base}/remove/", {"part": "remove_sources", "fact": "event",
                                              "id": person.events.get().pk, "source": huge},
                          follow=True)  # fmt: skip
    assert "no longer recorded: nothing was changed" in response.text
    assert staff.post(f"{base}/sources/{uncited.pk}/confidential/").status_code == 404
    # A spelling already recorded, an application not recorded: the form says so.
    response = staff.post(f"{base}/names/add/", {
        "name": "Testname  Anar Fictionalov", "script": "latin", "kind": "transliteration",
        "source_urls": TURAN, "version": version,
    })  # fmt: skip
    assert "already recorded for this person" in response.text
    response = staff.post(f"{base}/echr/add/", {"number": "9999/99", "version": version})
    assert "No application 9999/99 is recorded" in response.text
    response = staff.post(
        f"{base}/names/add/",
        {"name": "Тестнаме", "script": "cyrillic", "kind": "native", "version": version},
    )
    assert "Give at least one source URL." in response.text
    assert not m.PendingChange.objects.exists()
    assert _version(person) == version


@pytest.mark.django_db
def test_a_change_whose_row_was_removed_since_conflicts_and_is_not_applied(
    client_for, researcher, other_researcher, moderator, person
):
    spelling = person.other_names.get()
    client_for(researcher).post(
        f"/staff/detainees/{person.pk}/sources/add/",
        {"fact": "name", "id": spelling.pk, "source_urls": OTHER, "version": person.version},
    )
    client_for(other_researcher).post(
        f"/staff/detainees/{person.pk}/remove/",
        {"part": "remove_names", "id": spelling.pk, "version": person.version},
    )
    first, second = m.PendingChange.objects.order_by("pk")
    removal = second
    services.approve_change(change=removal, moderator=moderator)
    page = client_for(moderator).get(f"/staff/review/changes/{first.pk}/").text
    assert "no longer recorded" in page
    response = client_for(moderator).post(
        f"/staff/review/changes/{first.pk}/", {"action": "approve", "revision": first.revision},
        follow=True,
    )  # fmt: skip
    first.refresh_from_db()
    assert first.state == "pending"
    assert "no longer recorded" in response.text


@pytest.mark.django_db
def test_whole_entry_restore_brings_back_the_parts_as_they_were(
    client, client_for, researcher, moderator, make_user, person
):
    """After approved changes add a spelling, remove another, add an occupation, log a release,
    and correct the detention date, restoring the published version brings all of it back as
    one change with a readable diff."""
    published_version = person.history.latest()
    event = person.events.get()
    staff, base = client_for(researcher), f"/staff/detainees/{person.pk}"
    staff.post(f"{base}/names/add/", {"name": "Тестнаме Анар", "script": "cyrillic",
               "kind": "native", "source_urls": TURAN, "version": person.version})  # fmt: skip
    staff.post(f"{base}/remove/", {"part": "remove_names", "id": person.other_names.get().pk,
               "version": person.version})  # fmt: skip
    staff.post(f"{base}/occupations/add/", {"occupation": m.Occupation.objects.get(
        slug="economist").pk, "source_urls": OTHER, "version": person.version})  # fmt: skip
    staff.post(
        f"{base}/events/add/",
        {
            "kind": "release",
            "date": "2025-09-01",
            "date_precision": "day",
            "source_urls": OTHER,
            "version": person.version,
        },
    )
    staff.post(f"{base}/charges/add/", {
        "case": person.memberships.get().case.slug, "article": "206.3.2", "action": "dropped",
        "date": "2025-08-01", "date_precision": "day", "source_urls": OTHER,
        "version": person.version})  # fmt: skip
    change = m.PendingChange.objects.get()
    services.approve_change(change=change, moderator=moderator)
    person.refresh_from_db()
    assert person.status == m.Status.RELEASED
    assert set(person.other_names.values_list("name", flat=True)) == {"Тестнаме Анар"}

    url = f"{base}/history/{published_version.history_id}/restore/"
    page = client_for(moderator).get(url).text
    for text in ("<del>Тестнаме Анар</del>", "<ins>Testname Anar Fictionalov</ins>",
                 "<del>economist</del>", "release, 1 September 2025",
                 "206.3.2: dropped"):  # fmt: skip
        assert text in page, text
    client_for(moderator).post(url)
    restore = m.PendingChange.objects.get(state="pending")
    second = make_user("second-moderator", "moderator")
    services.approve_change(change=restore, moderator=second)

    person.refresh_from_db()
    assert set(person.other_names.values_list("name", flat=True)) == {"Testname Anar Fictionalov"}
    restored = person.other_names.get()
    assert list(restored.sources.values_list("url", flat=True)) == [TURAN]
    assert list(person.occupations.values_list("slug", flat=True)) == ["journalist"]
    assert list(person.events.values_list("pk", flat=True)) == [event.pk]
    assert person.status == m.Status.PRE_TRIAL
    assert list(m.Charge.objects.filter(defendant__detainee=person).values_list(
        "action", flat=True)) == ["brought"]  # fmt: skip
    public = client.get(person.get_absolute_url()).text
    assert "Тестнаме Анар" not in public and "1 September 2025" not in public

    # The history reads as people read it: what each change did, labels in words.
    history = client_for(moderator).get(f"{base}/history/").text
    assert "Approved “" in history and "Restore of the version of" in history
    assert "{&#x27;" not in history and "detainee&#x27;:" not in history


# --- Merging two entries about one person -----------------------------------------------------


@pytest.fixture
def duplicate(researcher, moderator, person):
    """The same person logged again under another spelling, published by mistake, with a
    second source, the same detention, an event of its own and a contact."""
    twin = services.log_arrest(
        author=researcher,
        data={
            "name": "Testname Anar Abdullaev", "other_names": ["Testname Anar Fictionalov"],
            "gender": "male", "detained_on": "2024-04-29", "detained_on_precision": "day",
            "case": person.memberships.get().case,
            "articles": [m.LegalArticle.objects.get(number="206.3.2")],
            "source_urls": [OTHER], "notes": "Staff note on the twin.",
        },
    )  # fmt: skip
    services.change_entry(
        detainee=twin, author=researcher, summary="transfer",
        data={"add_events": [{"kind": "transfer", "date": "2024-05-10", "date_precision": "day",
                              "source_urls": [OTHER]}]},
    )  # fmt: skip
    m.Contact.objects.create(detainee=twin, kind="lawyer", name="Fictional Lawyer")
    services.publish(entry=twin, moderator=moderator)
    twin.refresh_from_db()
    return twin


def _count(client, query=""):
    import re

    text = client.get(f"/detainees/{query}").text
    return int(re.search(r'id="result-count"[^>]*>(\d+)', text).group(1))


@pytest.mark.django_db
def test_a_merge_is_read_proposed_approved_and_the_duplicate_address_leads_to_the_survivor(
    client, client_for, moderator, make_user, person, duplicate
):
    assert _count(client) == 2
    twin_url = duplicate.get_absolute_url()
    staff = client_for(moderator)
    merge = f"/staff/detainees/{person.pk}/merge/"
    preview = staff.post(merge, {"other": twin_url}).text
    assert "Testname Anar Abdullaev" in preview and "transfer, 10 May 2024" in preview
    assert not m.PendingChange.objects.filter(state="pending").exists()  # reading proposes nothing
    staff.post(merge, {"other": twin_url, "confirm": duplicate.pk})
    change = m.PendingChange.objects.get(state="pending")
    assert _count(client) == 2  # waits for a second moderator

    second = make_user("second-moderator", "moderator")
    client_for(second).post(
        f"/staff/review/changes/{change.pk}/", {"action": "approve", "revision": change.revision}
    )
    change.refresh_from_db()
    assert change.state == "approved"
    person.refresh_from_db()
    duplicate.refresh_from_db()

    # Every part is the survivor's, shared ones once, with both sources.
    assert duplicate.state == m.State.RETRACTED and duplicate.merged_into == person
    assert set(person.other_names.values_list("name", flat=True)) == {
        "Testname Anar Fictionalov", "Testname Anar Abdullaev",
    }  # fmt: skip
    spelling = person.other_names.get(name="Testname Anar Fictionalov")
    assert set(spelling.sources.values_list("url", flat=True)) == {TURAN, OTHER}
    kinds = sorted(person.events.values_list("kind", flat=True))
    assert kinds == ["detention", "transfer"]
    detention = person.events.get(kind="detention")
    assert set(detention.sources.values_list("url", flat=True)) == {TURAN, OTHER}
    assert m.Charge.objects.filter(defendant__detainee=person).count() == 1
    assert person.memberships.count() == 1 and not duplicate.memberships.exists()
    assert person.contacts.get().name == "Fictional Lawyer"
    assert "Staff note on the twin." in person.internal_notes
    assert set(person.sources.values_list("url", flat=True)) == {TURAN, OTHER}

    # The duplicate's address answers 301 to the survivor, in every language; counts count one.
    for prefix in ("", "/az", "/ru"):
        response = client.get(f"{prefix}{twin_url}")
        assert response.status_code == 301, prefix
        assert response["Location"].endswith(f"/detainees/{person.slug}/")
    assert _count(client) == 1 and _count(client, "?q=Abdullaev") == 1
    assert "Testname Anar Abdullaev" in client.get(person.get_absolute_url()).text
    assert client.get("/api/v1/detainees/?format=json").json()["count"] == 1

    # History: the moved rows keep theirs, the duplicate's says where it went.
    assert duplicate.history.latest().history_change_reason.startswith("merged into")
    transfer = person.events.get(kind="transfer")
    assert transfer.history.earliest().detainee_id == duplicate.pk
    history = staff.get(f"/staff/detainees/{person.pk}/history/").text
    assert "Merged entry" in history and "Testname Anar Abdullaev" in history


@pytest.mark.django_db
def test_a_public_entry_is_never_merged_into_a_draft_nor_into_itself(
    client_for, moderator, person, duplicate, make_detainee
):
    draft = make_detainee("Testname Draft Twin", state=m.State.DRAFT)
    staff = client_for(moderator)
    page = staff.post(f"/staff/detainees/{draft.pk}/merge/", {"other": person.pk}).text
    assert "is public: merge it into a published entry" in page
    page = staff.post(f"/staff/detainees/{person.pk}/merge/", {"other": person.slug}).text
    assert "cannot be merged into itself" in page
    page = staff.post(f"/staff/detainees/{person.pk}/merge/", {"other": "/detainees/nobody/"}).text
    assert "No entry you may see" in page
    page = staff.post(f"/staff/detainees/{person.pk}/merge/", {"other": "x" * 5000}).text
    assert "No entry you may see" in page
    for huge in ("9" * 30, f"/staff/detainees/{'9' * 30}/"):
        page = staff.post(f"/staff/detainees/{person.pk}/merge/", {"other": huge}).text
        assert "No entry you may see" in page
    assert not m.PendingChange.objects.filter(state="pending").exists()


@pytest.mark.django_db
def test_a_draft_duplicate_merges_into_a_draft_at_once(
    client_for, moderator, researcher, make_detainee
):
    first = make_detainee("Testname First Draft", state=m.State.DRAFT, created_by=researcher)
    second = make_detainee("Testname Second Draft", state=m.State.DRAFT, created_by=researcher)
    m.DetaineeName.objects.create(detainee=second, name="Тестнаме Второй")
    client_for(moderator).post(
        f"/staff/detainees/{first.pk}/merge/", {"other": second.pk, "confirm": second.pk}
    )
    second.refresh_from_db()
    assert second.merged_into == first and second.state == m.State.RETRACTED
    assert set(first.other_names.values_list("name", flat=True)) == {
        "Testname Second Draft", "Тестнаме Второй",
    }  # fmt: skip
    assert m.PendingChange.objects.get().state == "applied"


@pytest.mark.django_db
def test_a_membership_and_an_event_recorded_in_error_are_removed_through_review(
    client, client_for, researcher, moderator, person
):
    staff = client_for(researcher)
    base = f"/staff/detainees/{person.pk}"
    membership = person.memberships.get()
    charge = membership.charges.get()
    staff.post(
        f"{base}/events/add/",
        {
            "kind": "transfer",
            "date": "2024-05-10",
            "date_precision": "day",
            "source_urls": OTHER,
            "version": person.version,
        },
    )
    services.approve_change(change=m.PendingChange.objects.get(), moderator=moderator)
    transfer = person.events.get(kind="transfer")
    for data in ({"part": "remove_memberships", "id": membership.pk},
                 {"part": "remove_events", "id": transfer.pk}):  # fmt: skip
        staff.post(f"{base}/remove/", {**data, "version": _version(person)})
    change = m.PendingChange.objects.get(state="pending")
    page = client_for(moderator).get(f"/staff/review/changes/{change.pk}/").text
    assert "Defendant in a case" in page and "<del>Fictional smuggling case</del>" in page
    assert "charges: 206.3.2: brought" in page and "<del>transfer, 10 May 2024</del>" in page
    assert "10 May 2024" in client.get(person.get_absolute_url()).text
    services.approve_change(change=change, moderator=moderator)
    assert not person.memberships.exists() and not person.events.filter(kind="transfer").exists()
    assert charge.history.latest().history_type == "-"  # its history keeps it
    assert "10 May 2024" not in client.get(person.get_absolute_url()).text


@pytest.mark.django_db
def test_an_event_is_corrected_in_any_of_its_facts_with_a_source(
    client, client_for, researcher, moderator, person
):
    """The place of detention and the date, corrected from the event form filled with what is
    recorded: only what changed is proposed, read old → new."""
    prison = m.Facility.objects.create(slug="fictional-prison", name="Fictional Prison No. 1")
    event = person.events.get()
    url = f"/staff/detainees/{person.pk}/events/{event.pk}/correct/"
    staff = client_for(researcher)
    form = staff.get(url).text
    assert 'value="2024-04-29"' in form  # filled with what is recorded
    unchanged = {**form_data(form), "source_urls": OTHER}  # submitted as a browser would
    response = staff.post(url, unchanged, follow=True)
    assert "Nothing was changed." in response.text and not m.PendingChange.objects.filter(
        state="pending").exists()  # fmt: skip
    staff.post(url, {**unchanged, "facility": prison.pk, "date": "2024-04-30"})
    change = m.PendingChange.objects.get(state="pending")
    (item,) = change.data["correct_events"]
    assert set(item) == {"event", "facility", "date", "source_urls"}
    page = client_for(moderator).get(f"/staff/review/changes/{change.pk}/").text
    assert "Place of detention: — → Fictional Prison No. 1" in page
    assert "Date: 29 April 2024 → 30 April 2024" in page
    client_for(moderator).post(
        f"/staff/review/changes/{change.pk}/", {"action": "approve", "revision": change.revision}
    )
    event.refresh_from_db()
    assert (event.facility, event.date.isoformat()) == (prison, "2024-04-30")
    assert set(event.sources.values_list("url", flat=True)) == {TURAN, OTHER}
    assert "Fictional Prison No. 1" in client.get(person.get_absolute_url()).text
    other_persons_event = m.Event.objects.create(
        detainee=m.Detainee.objects.create(name="Testname Other"), kind="detention",
        date="2024-01-01",
    )  # fmt: skip
    assert staff.get(
        f"/staff/detainees/{person.pk}/events/{other_persons_event.pk}/correct/"
    ).status_code == 404  # fmt: skip


# --- A case's own details ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_case_is_corrected_with_a_source_through_review(
    client, client_for, researcher, moderator, person
):
    case = person.memberships.get().case
    court = m.Court.objects.create(
        slug="fictional-grave-crimes", name="Fictional Grave Crimes Court"
    )
    staff = client_for(researcher)
    page = staff.get(f"/staff/cases/{case.pk}/").text
    assert "Testname Anar Fictional" in page and "Correct the case" in page
    url = f"/staff/cases/{case.pk}/correct/"
    form = form_data(staff.get(url).text)
    response = staff.post(url, {**form, "court": court.pk, "name_ru": "Фиктивное дело",
                                "case_number": "2024-77", "source_urls": OTHER})  # fmt: skip
    assert response.status_code == 302, response.text[:3000]
    change = m.PendingChange.objects.get(state="pending")
    assert change.case == case and change.detainee is None
    assert "Fictional Grave Crimes Court" not in client.get(case.get_absolute_url()).text

    queue = client_for(moderator).get("/staff/review/").text
    assert "Fictional smuggling case: Correction of" in queue
    page = client_for(moderator).get(f"/staff/review/changes/{change.pk}/").text
    assert "<del>—</del> → <ins>Fictional Grave Crimes Court</ins>" in page
    assert "<ins>2024-77</ins>" in page and "<ins>Фиктивное дело</ins>" in page
    assert "the case: Fictional smuggling case" in page and OTHER in page
    client_for(moderator).post(
        f"/staff/review/changes/{change.pk}/", {"action": "approve", "revision": change.revision}
    )
    change.refresh_from_db()
    case.refresh_from_db()
    assert change.state == "approved" and change.applied_version == case.version
    assert (case.court, case.case_number, case.name_ru) == (court, "2024-77", "Фиктивное дело")
    assert OTHER in case.sources.values_list("url", flat=True)
    public = client.get(case.get_absolute_url()).text
    assert "Fictional Grave Crimes Court" in public
    assert case.history.latest().history_user == moderator


@pytest.mark.django_db
def test_a_researcher_corrects_their_own_draft_case_at_once_and_nobody_elses(
    client_for, researcher, other_researcher
):
    draft = services.draft_case(author=researcher, name="Fictional draft case")
    staff = client_for(researcher)
    form = form_data(staff.get(f"/staff/cases/{draft.pk}/correct/").text)
    staff.post(f"/staff/cases/{draft.pk}/correct/",
               {**form, "case_number": "D-1", "source_urls": OTHER})  # fmt: skip
    draft.refresh_from_db()
    assert draft.case_number == "D-1"
    assert m.PendingChange.objects.get().state == "applied"
    assert client_for(other_researcher).get(f"/staff/cases/{draft.pk}/").status_code == 404
    response = client_for(other_researcher).post(
        f"/staff/cases/{draft.pk}/correct/", {**form, "case_number": "X"}
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.case_number == "D-1"
