"""A researcher logs an arrest from a news report; a moderator approves; the public sees it."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cases import models as m
from tests.accounts.conftest import code_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reference(make_detainee):
    m.Occupation.objects.create(slug="journalist", name="journalist")
    m.Court.objects.create(slug="fictional-court", name="Fictional District Court")
    make_detainee("Testname Rashad Məmmədli")  # already recorded, in another spelling


def sign_in(page, live_server, username, device=None):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-pass-2026")
    page.get_by_role("button", name="Sign in").click()
    if device is not None:  # staff type the code from the app
        expect(page.get_by_role("heading", level=1)).to_have_text("Type your code")
        page.get_by_role("textbox", name="Code").fill(code_for(device))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My entries")


def test_log_an_arrest_see_the_duplicate_warning_and_publish(
    browser, live_server, reference, researcher, moderator
):
    device = TOTPDevice.objects.create(user=moderator, name="phone", confirmed=True)
    researchers_phone = TOTPDevice.objects.create(user=researcher, name="phone", confirmed=True)
    page = browser.new_page()
    sign_in(page, live_server, "researcher", researchers_phone)
    page.get_by_role("link", name="Log an arrest").first.click()
    page.get_by_label("Name, in Latin script").fill("Testname Rashad Mammadli")
    page.get_by_label("Occupation").select_option("journalist")
    page.get_by_label("Detention or other persecution").select_option("detention")
    page.get_by_label("Date:", exact=True).fill("2025-10-02")
    page.get_by_label("Court").select_option("fictional-court")
    page.get_by_label("Source URLs, one per line").fill("https://news.example.org/fictional-1")
    page.get_by_role("button", name="Save as draft").click()

    warning = page.locator(".duplicates")
    expect(warning).to_contain_text("Possible duplicates")
    expect(warning).to_contain_text("Testname Rashad Məmmədli")
    page.get_by_label("I checked the possible matches: this is a different person").check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".messages")).to_contain_text("Saved as a draft")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messages")).to_contain_text("Submitted for review")
    page.close()

    public = browser.new_page()
    public.goto(f"{live_server.url}/detainees/?q=rashad")
    expect(public.locator(".result-count")).to_have_text("1 person")  # only the old entry

    page = browser.new_page()
    sign_in(page, live_server, "moderator", device)
    page.get_by_role("link", name="Review queue", exact=True).click()
    page.get_by_role("link", name="Testname Rashad Mammadli").click()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    page.close()

    public.reload()
    expect(public.locator(".result-count")).to_have_text("2 people")
    public.get_by_role("link", name="Testname Rashad Mammadli").click()
    expect(public.locator(".timeline")).to_contain_text("2 October 2025")
    expect(public.locator(".timeline")).to_contain_text("Fictional District Court")


def test_a_refused_save_puts_focus_on_the_error_summary(
    browser, live_server, reference, researcher
):
    phone = TOTPDevice.objects.create(user=researcher, name="phone", confirmed=True)
    page = browser.new_page()
    sign_in(page, live_server, "researcher", phone)
    page.goto(f"{live_server.url}/staff/log-arrest/")
    page.get_by_label("Name, in Latin script").fill("Testname Rashad Fictional")
    page.get_by_label("Charged under articles").fill("999.9")
    page.get_by_role("button", name="Save as draft").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Nothing was saved")
    expect(page.locator(".messages")).to_have_count(0)  # no success banner on a refused save
    expect(page.locator("#id_articles")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name="Charged under articles").click()
    expect(page.locator("#id_articles")).to_be_focused()
    page.close()
