"""Two-factor sign-in: enrolment, codes, recovery codes, and the gate in front of staff pages."""

import re

import pytest
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent

from .conftest import code_for

pytestmark = pytest.mark.django_db

SETUP, VERIFY = "/accounts/two-factor/setup/", "/accounts/two-factor/verify/"


def kinds(user):
    return list(AuditEvent.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


# --- Enrolment --------------------------------------------------------------------------------


def test_enrolment_confirms_a_code_from_the_app_and_shows_ten_recovery_codes_once(
    password_client, researcher
):
    client = password_client(researcher)
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "data:" not in html  # inline markup, allowed by a strict CSP
    device = TOTPDevice.objects.get(user=researcher, confirmed=False)
    assert client.get(SETUP).status_code == 200  # reloading keeps the same secret
    assert TOTPDevice.objects.get(user=researcher).pk == device.pk

    response = client.post(SETUP, {"code": code_for(device)})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    stored = StaticToken.objects.filter(device__user=researcher).values_list("token", flat=True)
    assert len(shown) == 10 and sorted(shown) == sorted(stored)
    device.refresh_from_db()
    assert device.confirmed
    assert kinds(researcher)[-1] == AuditEvent.Kind.TWO_FACTOR_ENABLED
    assert client.get("/staff/").status_code == 200  # this session is verified already
    assert client.get(SETUP).status_code == 302  # enrolled: nothing left to set up


def test_enrolment_refuses_a_wrong_code(password_client, researcher):
    client = password_client(researcher)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=researcher)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"code": wrong})

    assert response.status_code == 200
    assert "That code was not accepted" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=researcher).exists()


def test_a_code_that_is_not_letters_and_digits_gets_a_message(password_client, researcher):
    client = password_client(researcher)
    response = client.post(SETUP, {"code": "<script>"})
    assert response.status_code == 200
    assert "A code has only letters and digits." in response.content.decode()


# --- Signing in with a code -------------------------------------------------------------------


def test_sign_in_with_a_password_then_a_code(password_client, moderator, enrol):
    device, _codes = enrol(moderator)
    client = password_client(moderator)

    gate = client.get("/staff/review/")
    assert gate.status_code == 302
    assert gate["Location"] == f"{VERIFY}?next=/staff/review/"

    response = client.post(VERIFY, {"code": code_for(device), "next": "/staff/review/"})

    assert response.status_code == 302 and response["Location"] == "/staff/review/"
    assert client.get("/staff/review/").status_code == 200
    assert kinds(moderator)[-2:] == [AuditEvent.Kind.SIGNED_IN, AuditEvent.Kind.VERIFIED]


def test_a_wrong_code_is_refused(password_client, moderator, enrol):
    device, _codes = enrol(moderator)
    client = password_client(moderator)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"code": wrong})

    assert response.status_code == 200
    assert "That code was not accepted" in response.content.decode()
    assert client.get("/staff/review/")["Location"].startswith(VERIFY)
    assert kinds(moderator)[-1] == AuditEvent.Kind.VERIFY_FAILED


def test_a_code_already_used_is_refused(password_client, moderator, enrol):
    device, _codes = enrol(moderator)
    code = code_for(device)
    first, second = password_client(moderator), password_client(moderator)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    assert second.post(VERIFY, {"code": code}).status_code == 200  # refused: replayed


def test_a_recovery_code_works_once(password_client, moderator, enrol):
    _device, codes = enrol(moderator)
    first, second = password_client(moderator), password_client(moderator)

    used = first.post(VERIFY, {"code": codes[0].upper()[:4] + "-" + codes[0][4:]}, follow=True)

    assert used.redirect_chain[0] == ("/staff/", 302)
    assert "9 are left" in used.content.decode()
    assert StaticToken.objects.filter(device__user=moderator).count() == 9
    assert AuditEvent.objects.filter(
        user=moderator, kind=AuditEvent.Kind.RECOVERY_CODE_USED, detail="9 left"
    ).exists()
    again = second.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 200 and "That code was not accepted" in again.content.decode()
    assert second.get("/staff/review/")["Location"].startswith(VERIFY)


def test_a_code_proven_session_gets_a_new_session_key(password_client, moderator, enrol):
    device, _codes = enrol(moderator)
    client = password_client(moderator)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(VERIFY, {"code": code_for(device)})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_verify_never_redirects_to_another_site(password_client, moderator, enrol):
    device, _codes = enrol(moderator)
    client = password_client(moderator)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


# --- The gate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/staff/", "/staff/review/", "/az/staff/review/", "/staff/audit/", "/admin/",
     "/admin/cases/detainee/", "/accounts/password_change/", "/accounts/two-factor/"],
)  # fmt: skip
def test_a_moderator_without_a_second_factor_is_sent_to_enrol(password_client, moderator, url):
    response = password_client(moderator).get(url)
    assert response.status_code == 302
    assert "/accounts/two-factor/setup/?next=" in response["Location"]  # /az/ stays in Azerbaijani


def test_a_review_action_without_a_second_factor_changes_nothing(
    password_client, moderator, make_detainee
):
    from cases.models import State

    entry = make_detainee(state=State.IN_REVIEW)
    response = password_client(moderator).post(
        f"/staff/detainees/{entry.pk}/review/", {"action": "publish"}
    )
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    entry.refresh_from_db()
    assert entry.state == State.IN_REVIEW


def test_an_admin_with_a_device_but_no_code_this_session_is_sent_to_verify(
    password_client, tracker_admin, enrol
):
    enrol(tracker_admin)
    response = password_client(tracker_admin).get("/admin/")
    assert response["Location"] == f"{VERIFY}?next=/admin/"


def test_public_pages_need_no_second_factor(password_client, moderator):
    assert password_client(moderator).get("/detainees/").status_code == 200


def test_researchers_must_set_up_two_factor_sign_in_too(password_client, researcher):
    """They read contacts and staff notes of their entries: a password alone is not enough."""
    client = password_client(researcher)
    assert client.get("/staff/")["Location"] == f"{SETUP}?next=/staff/"
    assert client.get("/staff/log-arrest/")["Location"].startswith(SETUP)


def test_a_researcher_who_enrolled_must_type_a_code(password_client, researcher, enrol):
    enrol(researcher)
    assert password_client(researcher).get("/staff/")["Location"] == f"{VERIFY}?next=/staff/"


# --- Turning it off, new recovery codes -------------------------------------------------------


def test_turning_it_off_needs_a_code_and_then_a_moderator_must_enrol_again(client_for, moderator):
    client = client_for(moderator)  # verified with the conftest's device
    device = TOTPDevice.objects.get(user=moderator)

    refused = client.post("/accounts/two-factor/disable/", {"code": "000000"}, follow=True)
    assert "still on" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=moderator).exists()
    device.throttle_reset()  # a wrong code makes the next one wait a second

    client.post("/accounts/two-factor/disable/", {"code": code_for(device, steps_ahead=1)})
    assert not TOTPDevice.objects.filter(user=moderator).exists()
    assert kinds(moderator)[-1] == AuditEvent.Kind.TWO_FACTOR_DISABLED
    assert client.get("/staff/review/")["Location"].startswith(SETUP)


def test_new_recovery_codes_replace_the_old_ones(client_for, moderator, enrol):
    _device, old = enrol(moderator)
    client = client_for(moderator)

    response = client.post("/accounts/two-factor/recovery-codes/")

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    new = set(StaticToken.objects.filter(device__user=moderator).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old)
    assert all(code in response.content.decode() for code in new)


def test_an_admin_can_turn_it_off_for_a_colleague_who_lost_a_phone(
    client_for, tracker_admin, moderator, enrol
):
    enrol(moderator)
    response = client_for(tracker_admin).post(
        "/admin/accounts/user/",
        {"action": "turn_off_two_factor", "_selected_action": [moderator.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=moderator).exists()
    assert not StaticDevice.objects.filter(user=moderator).exists()
    event = AuditEvent.objects.get(user=moderator, kind=AuditEvent.Kind.TWO_FACTOR_DISABLED)
    assert event.actor == tracker_admin


def test_device_secrets_are_not_in_the_admin(admin_client):
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 404


# --- Sessions ---------------------------------------------------------------------------------


def test_staff_sessions_end_after_eight_hours_and_when_the_browser_closes(
    password_client, researcher
):
    session = password_client(researcher).session
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert session.get_expire_at_browser_close()
    assert session.get_expiry_age() <= 8 * 60 * 60


def test_signing_out_forgets_the_second_factor(client_for, moderator):
    client = client_for(moderator)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "moderator", "password": "moderator-pass-2026"})
    assert client.get("/staff/review/")["Location"] == f"{VERIFY}?next=/staff/review/"
