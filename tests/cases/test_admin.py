"""Admin editing: every page renders, bad input gets a message and changes nothing, history."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from cases import models as m
from tests.formdata import form_data

D = datetime.date


@pytest.fixture
def one_of_everything(make_detainee, make_case, make_article, make_source, make_event):
    """One row of every admin-registered model, all fictional."""
    source = make_source()
    person = make_detainee("Testname Everything")
    m.DetaineeName.objects.create(detainee=person, name="Тестнаме", script="cyrillic")
    organization = m.Organization.objects.create(slug="fictional-org", name="Fictional Org")
    m.Affiliation.objects.create(detainee=person, organization=organization, role="chair")
    m.Contact.objects.create(detainee=person, kind="lawyer", name="Fictional Lawyer")
    court = m.Court.objects.create(slug="fictional-court", name="Fictional District Court")
    facility = m.Facility.objects.create(slug="fictional-prison", name="Fictional Prison")
    m.Occupation.objects.create(slug="journalist", name="journalist")
    case = make_case(court=court)
    defendant = m.CaseDefendant.objects.create(case=case, detainee=person)
    m.Charge.objects.create(defendant=defendant, article=make_article("206.3.2"), action="brought")
    event = make_event(person, "detention", "2024-04-29", court=court, facility=facility)
    event.sources.add(source)
    group = m.ExecutionGroup.objects.create(slug="fictional-group", name="Fictional group")
    application = m.EchrApplication.objects.create(number="1234/20", title="T v. X", group=group)
    m.CmDecision.objects.create(group=group, date=D(2024, 12, 5), reference="CM/Fict/1")
    m.ConventionArticle.objects.create(code="5§1")
    Group.objects.get_or_create(name="Fictional role")
    seen = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "someone",
            "http_accept": "*/*", "path_info": "/accounts/login/"}  # fmt: skip
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    researcher = get_user_model().objects.create(username="researcher")
    m.PendingChange.objects.create(
        detainee=person, author=researcher, base_version=person.version, summary="A correction"
    )
    return {"detainee": person, "case": case, "application": application}


def _admin_urls(model):
    info = (model._meta.app_label, model._meta.model_name)
    return reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda model: model._meta.label_lower
)
def test_every_admin_page_renders_for_staff(admin_client, one_of_everything, model):
    changelist, add = _admin_urls(model)
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "Məmmədli"}).status_code == 200
    add_page = admin_client.get(add)
    assert add_page.status_code in (200, 403)  # 403 where adding is not done in the admin
    obj = model._default_manager.first()
    assert obj is not None, f"no {model.__name__} in the fixture"
    info = (model._meta.app_label, model._meta.model_name)
    for view in ("change", "history"):
        url = reverse("admin:{}_{}_{}".format(*info, view), args=[obj.pk])
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_admin_search_finds_a_detainee_by_any_spelling(admin_client, one_of_everything):
    url = reverse("admin:cases_detainee_changelist")
    for query in ["Тестнаме", "testname everything", "TESTNAME"]:
        assert "Testname Everything" in admin_client.get(url, {"q": query}).text, query


@pytest.mark.django_db
def test_article_autocomplete_search_by_number_finds_sub_articles(admin_client, make_article):
    make_article("206.3.2")
    make_article("2061")
    url = reverse("admin:cases_legalarticle_changelist")
    text = admin_client.get(url, {"q": "206"}).text
    assert "206.3.2" in text and "2061" not in text


# --- Entries change through review, never here (#13) -------------------------------------------


def _detainee_form(client, detainee):
    url = reverse("admin:cases_detainee_change", args=[detainee.pk])
    return url, form_data(client.get(url).text, form_id="detainee_form")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["moderator", "tracker_admin"])
def test_the_admin_changes_no_content_and_no_state_only_assignments(
    client_for, make_detainee, researcher, request, role
):
    client = client_for(request.getfixturevalue(role))
    person = make_detainee("Testname Shown Only")
    url, data = _detainee_form(client, person)
    data.update({"name": "A Changed Name", "state": "retracted", "bio_en": "Changed",
                 "assignees": [str(researcher.pk)],
                 "events-TOTAL_FORMS": "1", "events-0-kind": "release",
                 "events-0-date": "2024-01-01"})  # fmt: skip
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.name == "Testname Shown Only" and person.state == m.State.PUBLISHED
    assert not person.events.exists() and person.bio == ""
    assert list(person.assignees.all()) == [researcher]


@pytest.mark.django_db
def test_a_stale_admin_form_is_refused_and_cannot_republish(
    client_for, moderator, make_user, make_detainee, researcher
):
    """Moderator A opens the form; B retracts the entry; A's old form saves nothing."""
    from cases import services

    person = make_detainee("Testname Stale Form")
    client = client_for(moderator)
    url, data = _detainee_form(client, person)
    services.retract(entry=person, moderator=make_user("moderator_b", "moderator"), reason="x")
    data["assignees"] = [str(researcher.pk)]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "changed since you opened this page" in response.text
    person.refresh_from_db()
    assert person.state == m.State.RETRACTED and not person.assignees.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", [m.Detainee, m.Case])
def test_no_admin_action_changes_an_entrys_state(rf, moderator, tracker_admin, model):
    model_admin = admin.site._registry[model]
    for user, expected in [(moderator, set()), (tracker_admin, {"purge"})]:
        request = rf.get("/admin/")
        request.user = user
        assert set(model_admin.get_actions(request)) == expected
        assert "state" in model_admin.get_readonly_fields(request)
        assert not model_admin.has_delete_permission(request)
        assert not model_admin.has_add_permission(request)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [m.Source, m.CaseDefendant, m.PendingChange, m.EchrApplication, m.ExecutionGroup],
)
def test_published_facts_cannot_be_deleted_or_their_review_state_edited_in_the_admin(
    rf, tracker_admin, model
):
    request = rf.get("/admin/")
    request.user = tracker_admin
    model_admin = admin.site._registry[model]
    assert not model_admin.has_delete_permission(request)
    if model in (m.Source, m.CaseDefendant, m.PendingChange):
        assert not model_admin.has_change_permission(request)


@pytest.mark.django_db
def test_an_admin_purges_with_a_reason_kept_in_the_audit_log(
    client_for, tracker_admin, moderator, make_detainee
):
    from accounts.models import AuditEvent

    person = make_detainee("Testname To Purge")
    changelist = reverse("admin:cases_detainee_changelist")
    chosen = {"action": "purge", "_selected_action": [str(person.pk)]}
    # A moderator has no such action: nothing happens.
    client_for(moderator).post(changelist, {**chosen, "index": "0"})
    assert m.Detainee.objects.filter(pk=person.pk).exists()
    client = client_for(tracker_admin)
    asked = client.post(changelist, {**chosen, "index": "0"})
    assert asked.status_code == 200 and "Purge for ever" in asked.text
    assert client.post(changelist, {**chosen, "reason": ""}).status_code == 200  # reason needed
    assert m.Detainee.objects.filter(pk=person.pk).exists()
    client.post(changelist, {**chosen, "reason": "Logged twice by mistake"})
    assert not m.Detainee.objects.filter(pk=person.pk).exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ENTRY_PURGED)
    assert event.user == tracker_admin
    assert "Testname To Purge" in event.detail and "Logged twice by mistake" in event.detail
    assert person.history.latest().history_type == "-"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "message"),
    [("47145-14", "like 47145/14"), ("47145/2014", "like 47145/14"), ("", "required")],
)
def test_bad_application_number_gets_a_message(admin_client, number, message):
    url = reverse("admin:cases_echrapplication_add")
    data = form_data(admin_client.get(url).text, form_id="echrapplication_form")
    data.update({"number": number, "title_en": "Testname v. Nowhere"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert message in response.text
    assert not m.EchrApplication.objects.exists()


@pytest.mark.django_db
def test_final_before_judgment_gets_a_message(admin_client):
    url = reverse("admin:cases_echrapplication_add")
    data = form_data(admin_client.get(url).text, form_id="echrapplication_form")
    data.update(
        {"number": "47145/14", "title_en": "Testname v. Nowhere", "judgment_on": "2018-04-19",
         "final_on": "2018-04-18"}
    )  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "cannot become final before it was delivered" in response.text
    assert not m.EchrApplication.objects.exists()


# --- History -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_records_who_changed_what(admin_client, admin_user, make_detainee, researcher):
    person = make_detainee("Testname Historic")
    url, data = _detainee_form(admin_client, person)
    data["assignees"] = [str(researcher.pk)]
    assert admin_client.post(url, data).status_code == 302
    latest = person.history.latest()
    assert latest.history_user == admin_user
    assert latest.history_type == "~"
    assert latest.version == person.version + 1


@pytest.mark.django_db
def test_history_keeps_every_version_and_can_restore_one(make_detainee):
    person = make_detainee("Testname First")
    person.name = "Testname Second"
    person.save()
    first = person.history.earliest()
    first.instance.save()
    person.refresh_from_db()
    assert person.name == "Testname First"
    assert person.history.count() == 3
