"""Researchers log, moderators review: nothing unreviewed reaches the public, nothing is lost."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import ROLE_PERMISSIONS
from cases import models as m
from cases import services

D = datetime.date
SOURCE = "https://news.example.org/fictional-arrest-report"


@pytest.fixture
def reference(db):
    m.Occupation.objects.create(slug="journalist", name="journalist")
    m.Court.objects.create(slug="fictional-court", name="Fictional District Court")
    code = m.LegalCode.objects.create(
        slug="fcc", name="Fictional Code", short_name="FC", country="XX"
    )
    m.LegalArticle.objects.create(code=code, number="206.3.2")


def arrest_form(**overrides):
    data = {
        "name": "Testname Leyla Fictional",
        "other_names": "Тестнаме Лейла",
        "gender": "female",
        "occupation": "journalist",
        "detained_on": "2025-03-14",
        "detained_on_precision": "day",
        "court": "fictional-court",
        "new_case_name": "Fictional newsroom case",
        "articles": "206.3.2",
        "description": "Detained at her home.",
        "source_urls": SOURCE,
        "notes": "NOTE-CANARY: her lawyer's number is in the contacts.",
    }
    data.update(overrides)
    return data


def log(client, **overrides):
    return client.post("/staff/log-arrest/", arrest_form(**overrides))


# --- Roles ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["researcher", "moderator", "admin"])
def test_each_role_holds_exactly_its_permissions(make_user, role):
    make_user("someone", role)
    held = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(group__name=role).select_related("content_type")
    }
    assert held == set(ROLE_PERMISSIONS[role])


@pytest.mark.django_db
def test_researchers_cannot_publish_and_only_admins_manage_vocabularies(make_user):
    researcher, moderator, admin = (
        make_user("r", "researcher"), make_user("m", "moderator"), make_user("a", "admin")
    )  # fmt: skip
    assert researcher.has_perm("cases.log_entries")
    assert not researcher.has_perm("cases.review_entries")
    assert moderator.has_perm("cases.review_entries")
    assert not moderator.has_perm("cases.add_occupation")
    assert not moderator.has_perm("cases.delete_detainee")  # deleting is purging: admins only
    assert admin.has_perm("cases.add_occupation") and admin.has_perm("accounts.change_user")
    assert Group.objects.filter(name__in=ROLE_PERMISSIONS).count() == 3


@pytest.mark.django_db
def test_the_admin_site_is_for_moderators_and_admins(client_for, researcher, moderator):
    assert client_for(researcher).get("/admin/").status_code == 302
    assert client_for(moderator).get("/admin/").status_code == 200


# --- Logging an arrest ------------------------------------------------------------------------


@pytest.mark.django_db
def test_logged_arrest_is_a_sourced_draft_invisible_to_the_public(
    client, client_for, researcher, reference
):
    response = log(client_for(researcher))
    assert response.status_code == 302
    person = m.Detainee.objects.get(name="Testname Leyla Fictional")
    assert person.state == m.State.DRAFT
    assert person.created_by == researcher
    assert person.status == m.Status.PRE_TRIAL
    event = person.events.get()
    assert (event.kind, event.date, event.court.slug) == (
        "detention",
        D(2025, 3, 14),
        "fictional-court",
    )
    assert [s.url for s in event.sources.all()] == [SOURCE]
    charge = m.Charge.objects.get(defendant__detainee=person)
    assert charge.article.number == "206.3.2" and charge.defendant.case.state == m.State.DRAFT
    assert client.get(f"/detainees/{person.slug}/").status_code == 404
    assert "Leyla" not in client.get("/detainees/").text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"source_urls": ""}, "Give at least one source URL"),
        ({"source_urls": "not a url"}, "Not a web address"),
        ({"detained_on": "2025-13-40"}, "Enter a date as YYYY-MM-DD"),
        ({"articles": "999.9"}, "Unknown article: 999.9"),
        (
            {"articles": "206.32"},
            "Unknown article: 206.32. Ask an admin to add it to the legal "
            "code. Did you mean 206.3.2?",
        ),
        ({"name": ""}, "This field is required"),
        ({"occupation": "<script>"}, "Select a valid choice"),
    ],
)
def test_bad_arrest_reports_get_a_message_and_save_nothing(
    client_for, researcher, reference, overrides, message
):
    response = log(client_for(researcher), **overrides)
    assert response.status_code == 200
    assert message in response.text
    assert not m.Detainee.objects.exists()
    assert not m.Source.objects.exists()


@pytest.mark.django_db
def test_charges_with_no_case_named_open_an_individual_proceeding(
    client, client_for, researcher, moderator, reference
):
    response = log(client_for(researcher), new_case_name="")
    assert response.status_code == 302
    person = m.Detainee.objects.get(name="Testname Leyla Fictional")
    charge = m.Charge.objects.get(defendant__detainee=person)
    case = charge.defendant.case
    assert charge.article.number == "206.3.2"
    assert case.individual and case.state == m.State.DRAFT
    assert case.name_en == "Proceedings against Testname Leyla Fictional"
    assert case.name_ru == "Производство в отношении Testname Leyla Fictional"
    assert case.name_az and case.name_az != case.name_en
    assert person.events.get().case == case


@pytest.mark.django_db
def test_a_month_known_date_is_stored_as_the_first_of_the_month(client_for, researcher, reference):
    log(client_for(researcher), detained_on="2025-04-17", detained_on_precision="month")
    event = m.Event.objects.get()
    assert (event.date, event.date_precision) == (D(2025, 4, 1), "month")


@pytest.mark.django_db
def test_possible_duplicates_in_any_spelling_are_shown_before_saving(
    client_for, researcher, reference, make_detainee
):
    make_detainee("Testname Leyla Məmmədova")
    make_detainee("Testname Leyla Mammadova Hidden", state=m.State.DRAFT)  # another's draft
    client = client_for(researcher)
    response = log(client, name="Testname Leyla Mammadova", other_names="")
    assert response.status_code == 200
    assert "Possible duplicates" in response.text
    assert "Testname Leyla Məmmədova" in response.text
    # Another researcher's draft is not the researcher's to learn of, not even as a count.
    assert "Mammadova Hidden" not in response.text and "cannot see" not in response.text
    assert m.Detainee.objects.count() == 2

    response = log(client, name="Testname Leyla Mammadova", other_names="", not_a_duplicate="on")
    assert response.status_code == 302
    assert m.Detainee.objects.count() == 3


@pytest.mark.django_db
def test_the_moderator_sees_every_possible_duplicate_of_an_entry_in_review(
    client_for, researcher, other_researcher, moderator, reference
):
    log(client_for(other_researcher), name="Testname Leyla Mammadova Hidden")
    response = log(client_for(researcher), name="Testname Leyla Məmmədova", other_names="")
    assert "Possible duplicates" not in response.text  # the researcher is told nothing
    mine = m.Detainee.objects.get(name="Testname Leyla Məmmədova")
    page = client_for(moderator).get(f"/staff/detainees/{mine.pk}/").text
    assert "Possible duplicates" in page and "Testname Leyla Mammadova Hidden" in page
    assert (
        "Possible duplicates" not in client_for(researcher).get(f"/staff/detainees/{mine.pk}/").text
    )


# --- Review of a new entry ---------------------------------------------------------------------


@pytest.fixture
def draft(client_for, researcher, reference):
    log(client_for(researcher))
    return m.Detainee.objects.get(name="Testname Leyla Fictional")


def review(client, person, action, comment=""):
    return client.post(
        f"/staff/detainees/{person.pk}/review/", {"action": action, "comment": comment}
    )


@pytest.mark.django_db
def test_submit_then_approve_publishes_entry_and_its_new_case(
    client, client_for, researcher, moderator, draft
):
    client_for(researcher).post(f"/staff/detainees/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert draft.state == m.State.IN_REVIEW
    assert client.get(f"/detainees/{draft.slug}/").status_code == 404

    assert review(client_for(researcher), draft, "publish").status_code == 403
    review(client_for(moderator), draft, "publish")
    draft.refresh_from_db()
    assert draft.state == m.State.PUBLISHED
    page = client.get(f"/detainees/{draft.slug}/")
    assert page.status_code == 200
    assert SOURCE in page.text
    assert "NOTE-CANARY" not in page.text
    assert "Testname Leyla Fictional" in client.get("/detainees/").text
    assert m.Case.objects.get(name="Fictional newsroom case").state == m.State.PUBLISHED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "state"), [("request_changes", m.State.DRAFT), ("reject", m.State.RETRACTED)]
)
def test_request_changes_and_reject_reach_the_researcher(
    client, client_for, researcher, moderator, draft, action, state
):
    client_for(researcher).post(f"/staff/detainees/{draft.pk}/submit/")
    assert review(client_for(moderator), draft, action).status_code == 302  # no reason given
    draft.refresh_from_db()
    assert draft.state == m.State.IN_REVIEW

    review(client_for(moderator), draft, action, comment="Add the court's name, please.")
    draft.refresh_from_db()
    assert draft.state == state
    workspace = client_for(researcher).get("/staff/").text
    assert "Add the court&#x27;s name, please." in workspace
    assert client.get(f"/detainees/{draft.slug}/").status_code == 404


# --- Changes to a published entry -------------------------------------------------------------


@pytest.fixture
def published(client_for, moderator, draft):
    services.publish(entry=draft, moderator=moderator)
    draft.refresh_from_db()
    return draft


def event_form(person, **overrides):
    data = {
        "kind": "release", "date": "2025-09-01", "date_precision": "day",
        "source_urls": "https://news.example.org/fictional-release", "version": person.version,
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_change_to_a_published_entry_waits_for_review(
    client, client_for, researcher, moderator, published
):
    response = client_for(researcher).post(
        f"/staff/detainees/{published.pk}/events/add/", event_form(published)
    )
    assert response.status_code == 302
    change = m.PendingChange.objects.get()
    assert change.state == "pending" and change.author == researcher

    # The public keeps seeing the last approved version, in every derived fact.
    published.refresh_from_db()
    assert published.status == m.Status.PRE_TRIAL
    page = client.get(f"/detainees/{published.slug}/").text
    assert "release" not in page and "fictional-release" not in page
    assert "Testname Leyla" in client.get("/detainees/?status=pre_trial").text

    queue = client_for(moderator).get("/staff/review/").text
    assert change.summary in queue
    diff = client_for(moderator).get(f"/staff/review/changes/{change.pk}/").text
    assert "release" in diff and "1 September 2025" in diff

    client_for(moderator).post(f"/staff/review/changes/{change.pk}/", {"action": "approve"})
    published.refresh_from_db()
    assert published.status == m.Status.RELEASED
    page = client.get(f"/detainees/{published.slug}/").text
    assert "fictional-release" in page
    change.refresh_from_db()
    assert (change.state, change.reviewer) == ("approved", moderator)


@pytest.mark.django_db
def test_a_rejected_change_never_reaches_the_public_and_its_author_sees_why(
    client, client_for, researcher, moderator, published
):
    client_for(researcher).post(
        f"/staff/detainees/{published.pk}/events/add/", event_form(published)
    )
    change = m.PendingChange.objects.get()
    client_for(moderator).post(
        f"/staff/review/changes/{change.pk}/",
        {"action": "reject", "comment": "The source says she is still held."},
    )
    change.refresh_from_db()
    assert change.state == "rejected"
    assert "The source says she is still held." in client_for(researcher).get("/staff/").text
    published.refresh_from_db()
    assert published.status == m.Status.PRE_TRIAL
    assert "fictional-release" not in client.get(f"/detainees/{published.slug}/").text


@pytest.mark.django_db
def test_two_pending_changes_that_do_not_overlap_are_both_approved(
    client, client_for, researcher, moderator, published
):
    """The second change was made on an older version: nothing it touches changed since, so it
    is rebased and applies (it used to be refused for ever)."""
    client_for(researcher).post(
        f"/staff/detainees/{published.pk}/events/add/", event_form(published)
    )
    correction = {"name": published.name, "gender": "female", "born_precision": "year",
                  "bio_en": "A fictional journalist.", "version": published.version}  # fmt: skip
    client_for(researcher).post(f"/staff/detainees/{published.pk}/correct/", correction)
    published.internal_notes = "A staff note saved in the meantime."
    published.save()
    moderator_client = client_for(moderator)
    for change in m.PendingChange.objects.order_by("pk"):
        response = moderator_client.post(
            f"/staff/review/changes/{change.pk}/", {"action": "approve"}, follow=True
        )
        change.refresh_from_db()
        assert change.state == "approved", response.text[:3000]
    page = client.get(f"/detainees/{published.slug}/").text
    assert "fictional-release" in page and "A fictional journalist." in page


@pytest.mark.django_db
def test_a_real_conflict_is_refused_and_its_author_reapplies_it(
    client, client_for, researcher, other_researcher, moderator, published
):
    def correct(client, bio):
        data = {"name": published.name, "gender": "female", "born_precision": "year",
                "bio_en": bio, "version": published.version}  # fmt: skip
        client.post(f"/staff/detainees/{published.pk}/correct/", data)
        return m.PendingChange.objects.latest("pk")

    first = correct(client_for(other_researcher), "First biography.")
    second = correct(client_for(researcher), "Second biography.")
    moderator_client = client_for(moderator)
    moderator_client.post(f"/staff/review/changes/{first.pk}/", {"action": "approve"})
    response = moderator_client.post(
        f"/staff/review/changes/{second.pk}/", {"action": "approve"}, follow=True
    )
    assert "another approved change touched the same facts (biography" in response.text
    # Side by side: as it was when proposed, as it is now, as proposed.
    side_by_side = "<td>—</td><td>First biography.</td><td><ins>Second biography.</ins></td>"
    review_page = moderator_client.get(f"/staff/review/changes/{second.pk}/").text
    assert side_by_side in review_page
    second.refresh_from_db()
    assert second.state == "pending"
    assert "First biography." in client.get(f"/detainees/{published.slug}/").text

    # Its author is told, and proposes it again on the current version.
    workspace = client_for(researcher).get("/staff/").text
    assert "Another approved change has since touched the same facts (biography" in workspace
    assert side_by_side in workspace
    client_for(researcher).post(f"/staff/changes/{second.pk}/reapply/")
    second.refresh_from_db()
    assert second.state == "withdrawn"
    again = m.PendingChange.objects.get(state="pending")
    moderator_client.post(f"/staff/review/changes/{again.pk}/", {"action": "approve"})
    assert "Second biography." in client.get(f"/detainees/{published.slug}/").text
    # Nobody else may re-apply someone's change.
    assert (
        client_for(other_researcher).post(f"/staff/changes/{again.pk}/reapply/").status_code == 404
    )


@pytest.mark.django_db
def test_a_second_concurrent_save_is_refused(client_for, researcher, draft):
    first, second = client_for(researcher), client_for(researcher)
    opened_version = draft.version
    ok = first.post(
        f"/staff/detainees/{draft.pk}/events/add/",
        event_form(draft, kind="remand", date="2025-03-15", version=opened_version),
    )
    assert ok.status_code == 302
    refused = second.post(
        f"/staff/detainees/{draft.pk}/events/add/",
        event_form(draft, kind="remand_extension", date="2025-06-10", version=opened_version),
    )
    assert refused.status_code == 200
    assert "Someone else saved this entry since you opened it" in refused.text
    assert list(draft.events.values_list("kind", flat=True)) == ["detention", "remand"]


@pytest.mark.django_db
def test_researchers_cannot_change_others_drafts_or_entries_in_review(
    client_for, researcher, other_researcher, draft
):
    url = f"/staff/detainees/{draft.pk}/events/add/"
    assert client_for(other_researcher).post(url, event_form(draft)).status_code == 404
    client_for(researcher).post(f"/staff/detainees/{draft.pk}/submit/")
    assert client_for(researcher).post(url, event_form(draft)).status_code == 403
    assert list(draft.events.values_list("kind", flat=True)) == ["detention"]


# --- Retract, history, restore ----------------------------------------------------------------


@pytest.mark.django_db
def test_retract_takes_an_entry_off_every_public_page(client, client_for, moderator, published):
    client_for(moderator).post(
        f"/staff/detainees/{published.pk}/retract/", {"reason": "RETRACT-CANARY duplicate"}
    )
    published.refresh_from_db()
    assert published.state == m.State.RETRACTED
    assert client.get(f"/detainees/{published.slug}/").status_code == 404
    assert "Leyla" not in client.get("/detainees/").text
    assert m.Detainee.objects.filter(pk=published.pk).exists()  # retracted, not deleted


@pytest.mark.django_db
def test_restore_is_read_then_proposed_as_one_change_another_moderator_approves(
    client, client_for, moderator, make_user, published
):
    original = published.history.filter(name="Testname Leyla Fictional").earliest()
    published.name = "Testname Wrongly Renamed"
    published.save()
    url = f"/staff/detainees/{published.pk}/history/{original.history_id}/restore/"
    confirm = client_for(moderator).get(url).text
    assert "<del>Testname Wrongly Renamed</del> → <ins>Testname Leyla Fictional</ins>" in confirm
    published.refresh_from_db()
    assert published.name == "Testname Wrongly Renamed"  # reading it changes nothing

    assert client_for(moderator).post(url).status_code == 302
    change = m.PendingChange.objects.get()
    assert change.state == "pending" and change.author == moderator
    published.refresh_from_db()
    assert published.name == "Testname Wrongly Renamed"  # waits for a second moderator
    second = make_user("second-moderator", "moderator")
    client_for(second).post(
        f"/staff/review/changes/{change.pk}/", {"action": "approve", "revision": change.revision}
    )
    published.refresh_from_db()
    assert published.name == "Testname Leyla Fictional"
    assert published.state == m.State.PUBLISHED
    latest = published.history.latest()
    assert latest.history_user == second
    history_page = client_for(moderator).get(f"/staff/detainees/{published.pk}/history/").text
    assert (
        "Testname Wrongly Renamed" in history_page and "Restore of the version of" in history_page
    )


@pytest.mark.django_db
def test_researchers_cannot_restore(client_for, researcher, published):
    record = published.history.earliest()
    url = f"/staff/detainees/{published.pk}/history/{record.history_id}/restore/"
    assert client_for(researcher).post(url).status_code == 403


@pytest.mark.django_db
def test_staff_see_internal_data_the_public_never_does(
    client, client_for, researcher, moderator, published
):
    m.Contact.objects.create(detainee=published, kind="lawyer", name="CONTACT-CANARY")
    for user in (researcher, moderator):
        page = client_for(user).get(f"/staff/detainees/{published.pk}/").text
        assert "NOTE-CANARY" in page and "CONTACT-CANARY" in page
    public = client.get(f"/detainees/{published.slug}/").text
    assert "NOTE-CANARY" not in public and "CONTACT-CANARY" not in public


# --- Sign-in ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_lands_in_the_workspace(client, researcher):
    response = client.post(
        "/accounts/login/", {"username": "researcher", "password": "researcher-pass-2026"}
    )
    assert response.status_code == 302 and response.url == "/staff/"


@pytest.mark.django_db
def test_lockout_after_repeated_failures_does_not_reveal_whether_an_account_exists(
    client, researcher, settings
):
    def fail(username, n, address):
        responses = [
            client.post(
                "/accounts/login/",
                {"username": username, "password": "wrong"},
                REMOTE_ADDR=address,
            )
            for _ in range(n)
        ]
        return responses

    limit = settings.AXES_FAILURE_LIMIT
    # From two addresses: one address is locked out too after as many failures.
    existing = fail("researcher", limit + 1, "198.51.100.1")
    missing = fail("nobody-has-this-name", limit + 1, "198.51.100.2")
    assert [r.status_code for r in existing[: limit - 1]] == [200] * (limit - 1)
    assert existing[-1].status_code == missing[-1].status_code == 429

    def strip(text):  # the parts that differ by design: the CSRF token, the name typed in
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
        return re.sub(r'(name="username"[^>]*value=")[^"]*"', r'\1"', text)

    assert strip(existing[-1].text) == strip(missing[-1].text)
    assert strip(existing[0].text) == strip(missing[0].text)
    # Even the right password is refused while locked out.
    locked = client.post(
        "/accounts/login/", {"username": "researcher", "password": "researcher-pass-2026"},
        REMOTE_ADDR="198.51.100.3",
    )  # fmt: skip
    assert locked.status_code == 429


def _sign_in_from(client, address, username, password="wrong"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    ).status_code


@pytest.mark.django_db
def test_rotating_addresses_buys_no_more_guesses_at_one_account(client, researcher, settings):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [_sign_in_from(client, f"198.51.100.{n}", "researcher") for n in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]  # the failure that reaches the limit locks
    # The account is locked, from a new address too, even with the right password.
    assert _sign_in_from(client, "203.0.113.9", "researcher", "researcher-pass-2026") == 429


@pytest.mark.django_db
def test_addresses_of_one_ipv6_64_count_as_one_for_the_address_limit(client, settings, make_user):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [  # a different username each time: the per-account limit never trips
        _sign_in_from(client, f"2001:db8:5:6::{n + 1:x}", f"guess{n}") for n in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]
    assert _sign_in_from(client, "2001:db8:5:6:ffff::1", "another-guess") == 429
    make_user("elsewhere", "researcher")
    assert _sign_in_from(client, "2001:db8:5:7::1", "elsewhere", "elsewhere-pass-2026") == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "refused"),
    [("short-pw-11", True), ("password1234", True), ("a-long-enough-one", False)],
)
def test_staff_passwords_are_twelve_characters_and_not_common(
    client_for, researcher, password, refused
):
    response = client_for(researcher).post(
        "/accounts/password_change/",
        {"old_password": "researcher-pass-2026", "new_password1": password,
         "new_password2": password},
    )  # fmt: skip
    assert (response.status_code == 200) is refused


@pytest.mark.django_db
def test_a_correction_to_a_published_entry_waits_and_is_shown_as_a_diff(
    client, client_for, researcher, moderator, published
):
    data = {"name": "Testname Leyla Corrected", "gender": "female", "born_precision": "year",
            "bio_en": "A fictional journalist.", "version": published.version}  # fmt: skip
    response = client_for(researcher).post(f"/staff/detainees/{published.pk}/correct/", data)
    assert response.status_code == 302
    change = m.PendingChange.objects.get()
    assert change.data == {"fields": {"name": "Testname Leyla Corrected",
                                      "bio_en": "A fictional journalist."}}  # fmt: skip
    published.refresh_from_db()
    assert published.name == "Testname Leyla Fictional"
    assert "Corrected" not in client.get(f"/detainees/{published.slug}/").text

    diff = client_for(moderator).get(f"/staff/review/changes/{change.pk}/").text
    assert "<del>Testname Leyla Fictional</del>" in diff
    assert "<ins>Testname Leyla Corrected</ins>" in diff
    client_for(moderator).post(f"/staff/review/changes/{change.pk}/", {"action": "approve"})
    page = client.get(f"/detainees/{published.slug}/").text  # the address does not change
    assert "Testname Leyla Corrected" in page and "A fictional journalist." in page


@pytest.mark.django_db
def test_a_new_charge_on_a_published_entry_waits_for_review(
    client, client_for, researcher, moderator, published
):
    case = m.Case.objects.get(name="Fictional newsroom case")
    code = m.LegalCode.objects.get()
    m.LegalArticle.objects.create(code=code, number="213.1", title="tax evasion")
    data = {"case": case.slug, "article": "213.1", "action": "added", "date": "2025-08-13",
            "date_precision": "day", "source_urls": "https://news.example.org/fictional-charge",
            "version": published.version}  # fmt: skip
    assert (
        client_for(researcher)
        .post(f"/staff/detainees/{published.pk}/charges/add/", data)
        .status_code
        == 302
    )
    change = m.PendingChange.objects.get()
    assert "213.1" not in client.get(f"/detainees/{published.slug}/").text
    assert "tax evasion" in client_for(moderator).get(f"/staff/review/changes/{change.pk}/").text
    client_for(moderator).post(f"/staff/review/changes/{change.pk}/", {"action": "approve"})
    page = client.get(f"/detainees/{published.slug}/").text
    assert "213.1" in page and "fictional-charge" in page
    history = [(c.article.number, c.action) for c in m.Charge.objects.order_by("date", "id")]
    assert history == [("206.3.2", "brought"), ("213.1", "added")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"article": "999"}, "Unknown article: 999"), ({"article": ""}, "describe the offence"),
     ({"date": "13/08/2025"}, "Enter a date as YYYY-MM-DD"), ({"source_urls": ""}, "source URL")],
)  # fmt: skip
def test_a_bad_charge_gets_a_message_and_changes_nothing(
    client_for, researcher, published, overrides, message
):
    case = m.Case.objects.get(name="Fictional newsroom case")
    data = {"case": case.slug, "article": "206.3.2", "action": "added", "date": "2025-08-13",
            "date_precision": "day", "source_urls": "https://news.example.org/x",
            "version": published.version, **overrides}  # fmt: skip
    response = client_for(researcher).post(f"/staff/detainees/{published.pk}/charges/add/", data)
    assert response.status_code == 200 and message in response.text
    assert not m.PendingChange.objects.exists()


@pytest.mark.django_db
def test_password_reset_by_email_and_change(client, client_for, researcher, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "researcher@example.org"})
    assert response.status_code == 302
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert unknown.status_code == 302 and unknown.url == response.url  # nothing revealed
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = "a-new-long-passphrase-2026"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    researcher.refresh_from_db()
    assert researcher.check_password(new)

    signed_in = client_for(researcher)
    changed = signed_in.post(
        "/accounts/password_change/",
        {"old_password": new, "new_password1": "another-passphrase-2026",
         "new_password2": "another-passphrase-2026"},
    )  # fmt: skip
    assert changed.status_code == 302
    researcher.refresh_from_db()
    assert researcher.check_password("another-passphrase-2026")


@pytest.mark.django_db
def test_a_moderator_cannot_publish_their_own_draft(client_for, moderator, make_user):
    draft = m.Detainee.objects.create(
        name="Testname Own Draft", state=m.State.IN_REVIEW, created_by=moderator
    )
    client_for(moderator).post(f"/staff/detainees/{draft.pk}/review/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.state == m.State.IN_REVIEW
    other = make_user("second_moderator", "moderator")
    client_for(other).post(f"/staff/detainees/{draft.pk}/review/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.state == m.State.PUBLISHED


@pytest.mark.django_db
def test_a_moderator_cannot_approve_their_own_change(client_for, moderator, make_user, published):
    change = m.PendingChange.objects.create(
        detainee=published, author=moderator, base_version=published.version,
        summary="A fictional change", data={"fields": {"name": "Testname Self Approved"}},
    )  # fmt: skip
    client_for(moderator).post(f"/staff/review/changes/{change.pk}/", {"action": "approve"})
    change.refresh_from_db()
    assert change.state == m.PendingChange.State.PENDING
    client_for(make_user("second_moderator", "moderator")).post(
        f"/staff/review/changes/{change.pk}/", {"action": "approve"}
    )
    change.refresh_from_db()
    assert change.state == m.PendingChange.State.APPROVED


@pytest.mark.django_db
def test_a_one_person_organisation_may_turn_the_two_person_rule_off(
    client_for, moderator, settings
):
    settings.TWO_PERSON_RULE = False
    draft = m.Detainee.objects.create(
        name="Testname Solo Draft", state=m.State.IN_REVIEW, created_by=moderator
    )
    client_for(moderator).post(f"/staff/detainees/{draft.pk}/review/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.state == m.State.PUBLISHED


@pytest.mark.django_db
@pytest.mark.parametrize(("email", "mails"), [("researcher@example.org", 1), ("nobody@x.org", 0)])
def test_the_reset_mail_leaves_after_the_answer_so_its_timing_tells_nothing(
    rf, researcher, mailoutbox, email, mails
):
    """The answer is complete before any mail is written or sent, known address or not."""
    from django.urls import resolve

    request = rf.post("/accounts/password_reset/", {"email": email})
    request._dont_enforce_csrf_checks = True
    response = resolve("/accounts/password_reset/").func(request)
    assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    assert mailoutbox == []
    response.close()  # what the server does once the answer has gone out
    assert len(mailoutbox) == mails


@pytest.mark.django_db
def test_the_reset_link_uses_site_url_whatever_the_host(client, researcher, mailoutbox, settings):
    settings.SITE_URL = "https://tracker.example.org"
    client.post(
        "/accounts/password_reset/", {"email": "researcher@example.org"}, HTTP_HOST="localhost:6666"
    )
    assert "https://tracker.example.org/accounts/reset/" in mailoutbox[0].body
    assert "6666" not in mailoutbox[0].body


@pytest.mark.django_db
def test_last_updated_is_the_last_publication_or_approved_change(
    client, client_for, researcher, moderator, published
):
    """A staff-only save (a note, an assignment) or a change still waiting leaves the public
    "Last updated" alone; approving a change moves it."""
    published_on = published.updated_at
    assert abs(published_on - published.published_at) < datetime.timedelta(seconds=5)
    earlier = published_on - datetime.timedelta(days=30)
    m.Detainee.objects.filter(pk=published.pk).update(updated_at=earlier)

    published.refresh_from_db()
    published.internal_notes = "A staff-only note."
    published.save()
    published.assignees.add(researcher)
    client_for(researcher).post(
        f"/staff/detainees/{published.pk}/events/add/", event_form(published)
    )
    published.refresh_from_db()
    assert published.updated_at == earlier and published.saved_at > earlier
    page = client.get(f"/detainees/{published.slug}/").text
    assert f'datetime="{earlier.isoformat()}"' in page

    change = m.PendingChange.objects.get()
    client_for(moderator).post(f"/staff/review/changes/{change.pk}/", {"action": "approve"})
    published.refresh_from_db()
    assert published.updated_at > published_on
    # The listing sorted by last update, the API and the export say the same.
    api = client.get(f"/api/v1/detainees/{published.slug}/").json()
    assert api["updated_at"].startswith(published.updated_at.date().isoformat())


@pytest.mark.django_db
def test_a_moderator_merges_an_individual_proceeding_into_the_named_case(
    client, client_for, researcher, moderator, make_detainee, make_event, make_case, make_article
):
    """Charges logged before the case had a name go to an individual proceeding; once it has
    one, a moderator merges it: charges, events and the address follow, the counts agree."""
    named = make_case("Fictional newsroom case")
    article, other = make_article("206.3.2"), make_article("213.1")
    aysel = make_detainee("Testname Aysel Fictional", state=m.State.PUBLISHED)
    bahruz = make_detainee("Testname Bahruz Fictional", state=m.State.PUBLISHED)
    individual = m.Case.individual_for(aysel.name, state=m.State.PUBLISHED)
    individual.save()
    for person, case in ((aysel, individual), (bahruz, named)):
        membership = m.CaseDefendant.objects.create(case=case, detainee=person)
        m.Charge.objects.create(defendant=membership, article=article, action="brought")
        make_event(person, "detention", "2025-03-14", case=case)
    # Aysel is already in the named case too, charged under another article: one membership.
    m.Charge.objects.create(
        defendant=m.CaseDefendant.objects.create(case=named, detainee=aysel), article=other,
        action="added", date="2025-04-01",
    )  # fmt: skip
    url = f"/staff/cases/{individual.pk}/merge/"
    form = {"into": f"https://example.org/ru/cases/{named.slug}/", "detainee": aysel.pk}

    assert client_for(researcher).post(url, form).status_code == 403
    response = client_for(moderator).post(url, form)
    assert response.status_code == 302 and response["Location"] == f"/staff/detainees/{aysel.pk}/"

    individual.refresh_from_db()
    assert (individual.state, individual.merged_into) == (m.State.RETRACTED, named)
    membership = m.CaseDefendant.objects.get(detainee=aysel)
    assert membership.case == named
    assert sorted(membership.charges.values_list("article__number", flat=True)) == [
        "206.3.2", "213.1",
    ]  # fmt: skip
    assert aysel.events.get().case == named
    # The proceeding's address leads to the case; the case counts both people.
    response = client.get(f"/cases/{individual.slug}/")
    assert response.status_code == 301 and response["Location"] == named.get_absolute_url()
    listing = client.get(f"/detainees/?case={named.slug}&article=206.3.2").text
    assert "Testname Aysel" in listing and "Testname Bahruz" in listing
    assert client.get(f"/detainees/?case={individual.slug}").status_code == 200
    # Merged once: a second merge is refused with a message, and changes nothing.
    again = client_for(moderator).post(url, form, follow=True)
    assert "Only an individual proceeding not yet merged can be merged." in again.text


@pytest.mark.django_db
def test_a_public_proceeding_is_never_merged_into_an_unpublished_case(
    client_for, moderator, make_detainee, make_case
):
    draft_case = make_case("Fictional draft case", state=m.State.DRAFT)
    person = make_detainee("Testname Leyla Fictional", state=m.State.PUBLISHED)
    individual = m.Case.individual_for(person.name, state=m.State.PUBLISHED)
    individual.save()
    m.CaseDefendant.objects.create(case=individual, detainee=person)
    response = client_for(moderator).post(
        f"/staff/cases/{individual.pk}/merge/", {"into": draft_case.slug}, follow=True
    )
    assert "merge it into a published case" in response.text
    assert m.CaseDefendant.objects.get(detainee=person).case == individual


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status"),
    [("summons", "persecuted"), ("relatives_pressed", "persecuted"), ("travel_ban", "travel_ban"),
     ("police_supervision", "police_supervision")],
)  # fmt: skip
def test_persecution_without_a_detention_is_logged_and_counted_apart_from_custody(
    client, client_for, researcher, moderator, reference, kind, status
):
    from cases import stats

    response = log(client_for(researcher), kind=kind, detained_on="2025-03-14", articles="",
                   new_case_name="")  # fmt: skip
    assert response.status_code == 302
    person = m.Detainee.objects.get()
    assert person.events.get().kind == kind
    services.publish(entry=person, moderator=moderator)
    person.refresh_from_db()
    assert (person.status, person.in_custody_since, person.custody_periods.count()) == (
        status, None, 0,
    )  # fmt: skip
    assert "Testname Leyla" in client.get(f"/detainees/?status={status}").text
    assert "Testname Leyla" not in client.get("/detainees/?held_on=2025-06-01").text
    published = m.Detainee.objects.published()
    assert stats.by_occupation(published) == []  # held now: nobody
    assert "days" not in client.get(f"/detainees/{person.slug}/").text.split("<h2")[0]
