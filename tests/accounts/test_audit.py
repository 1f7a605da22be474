"""The audit log: sign-ins, failed sign-ins, sign-outs and role changes, read by staff."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts.models import AuditEvent
from accounts.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind


def test_a_sign_in_is_recorded_with_the_address(researcher):
    Client(REMOTE_ADDR="203.0.113.7").post(
        "/accounts/login/", {"username": "researcher", "password": "researcher-pass-2026"}
    )
    event = AuditEvent.objects.get(kind=Kind.SIGNED_IN)
    assert (event.user, event.username, event.ip_address) == (
        researcher, "researcher", "203.0.113.7"
    )  # fmt: skip


def test_a_failed_sign_in_keeps_the_username_typed_and_never_the_password(researcher):
    Client().post("/accounts/login/", {"username": "researcher", "password": "Wrong-Secret-1"})
    Client().post("/accounts/login/", {"username": "x" * 400, "password": "Wrong-Secret-2"})

    known, unknown = AuditEvent.objects.filter(kind=Kind.SIGN_IN_FAILED).order_by("pk")
    assert known.username == "researcher" and known.user is None
    assert unknown.username == "x" * 150  # truncated
    for event in AuditEvent.objects.all():
        row = " ".join(str(value) for value in vars(event).values())
        assert "Wrong-Secret" not in row


def test_a_sign_out_is_recorded(client_for, researcher):
    client_for(researcher).post("/accounts/logout/")
    assert AuditEvent.objects.filter(kind=Kind.SIGNED_OUT, user=researcher).exists()


def test_a_role_change_is_recorded(researcher):
    researcher.groups.add(Group.objects.get(name="moderator"))
    researcher.groups.remove(Group.objects.get(name="researcher"))
    Group.objects.get(name="admin").user_set.add(researcher)
    researcher.groups.clear()

    details = list(
        AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED, user=researcher)
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert details == ["+researcher", "+moderator", "-researcher", "+admin", "-admin, -moderator"]


def test_a_role_change_in_the_admin_names_who_made_it(client_for, tracker_admin, researcher):
    moderator_group = Group.objects.get(name="moderator")
    response = client_for(tracker_admin).post(
        f"/admin/accounts/user/{researcher.pk}/change/",
        {
            "username": "researcher",
            "email": "researcher@example.org",
            "is_active": "on",
            "groups": [moderator_group.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changes = AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED, actor=tracker_admin)
    assert sorted(changes.values_list("detail", flat=True)) == ["+moderator", "-researcher"]


# --- Reading it -------------------------------------------------------------------------------


def test_moderators_and_admins_read_the_log_newest_first_and_researchers_cannot(
    client_for, researcher, moderator, tracker_admin
):
    AuditEvent.record(Kind.SIGN_IN_FAILED, username="older-attempt")
    AuditEvent.record(Kind.SIGN_IN_FAILED, username="newer-attempt")
    assert client_for(researcher).get("/staff/audit/").status_code == 403
    for user in (moderator, tracker_admin):
        page = client_for(user).get("/staff/audit/")
        assert page.status_code == 200
        html = page.content.decode()
        assert html.index("newer-attempt") < html.index("older-attempt")


def test_the_log_is_paginated_and_a_bad_page_number_is_no_error(client_for, moderator):
    AuditEvent.objects.bulk_create(
        AuditEvent(kind=Kind.SIGN_IN_FAILED, username=f"attempt-{n:03d}") for n in range(60)
    )
    client = client_for(moderator)
    first = client.get("/staff/audit/").content.decode()
    assert "attempt-059" in first and "attempt-000" not in first
    assert "attempt-000" in client.get("/staff/audit/?page=2").content.decode()
    assert client.get("/staff/audit/?page=nonsense").status_code == 200


def test_the_log_page_queries(client_for, moderator, django_assert_num_queries):
    AuditEvent.objects.bulk_create(
        AuditEvent(kind=Kind.ROLE_CHANGED, user=moderator, actor=moderator) for _n in range(60)
    )
    client = client_for(moderator)
    # session, user, the verifying device, the user's and the groups' permissions, the count,
    # the page of events with who made each change
    with django_assert_num_queries(7):
        client.get("/staff/audit/")


def test_the_log_is_read_only_in_the_admin(client_for, moderator):
    event = AuditEvent.record(Kind.SIGN_IN_FAILED, username="someone")
    client = client_for(moderator)
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert client.get(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403
    client.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"username": "changed"})
    event.refresh_from_db()
    assert event.username == "someone"


def test_migrations_give_each_role_exactly_its_permissions():
    """Without sync_roles() from a fixture: what a freshly migrated database holds."""
    for role, names in ROLE_PERMISSIONS.items():
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Permission.objects.filter(group__name=role).select_related("content_type")
        }
        assert held == set(names), role


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_an_overlong_username_is_refused_like_any_wrong_one(url):
    response = Client().post(url, {"username": "x" * 400, "password": "Wrong-Secret-3"})
    assert response.status_code == 200  # the form again, with its message; never a server error
    assert AuditEvent.objects.get(kind=Kind.SIGN_IN_FAILED).username == "x" * 150
