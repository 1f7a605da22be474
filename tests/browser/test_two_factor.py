"""A moderator turns on two-factor sign-in, keeps the recovery codes, then signs in with a code."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.accounts.conftest import code_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_enrol_then_sign_in_with_a_code(browser, live_server, moderator):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/accounts/login/?next=/staff/review/")
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill("moderator-pass-2026")
    page.get_by_role("button", name="Sign in").click()

    # Sent to enrol before the review queue: scan the QR code (here: read the key) and confirm.
    expect(page.get_by_role("heading", level=1)).to_have_text("Turn on two-factor sign-in")
    expect(page.locator(".qr-code svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=moderator, confirmed=False)
    page.get_by_role("textbox", name="Code").fill(code_for(device))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")

    # Sign out and in again: this time the password is followed by a code.
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill("moderator-pass-2026")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/staff/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Type your code")
    page.get_by_role("textbox", name="Code").fill(code_for(device, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    assert not problems, problems
