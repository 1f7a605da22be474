"""Keeping a published case true: a researcher finds a person by a Cyrillic spelling, proposes
several edits, and a moderator reads them as one diff and approves; two researchers' changes to
one person are both approved."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cases import models as m
from cases import services
from tests.browser.test_review_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

REPORT = "https://turan.example.org/fictional-remand-extension"
SPELLING = "https://news.example.org/fictional-russian-report"


@pytest.fixture
def person(researcher, moderator):
    """A published person held on remand, charged under two articles, with a Cyrillic
    spelling."""
    code = m.LegalCode.objects.create(slug="fcc", name="Fictional Code", country="XX")
    smuggling = m.LegalArticle.objects.create(code=code, number="206.3.2")
    fraud = m.LegalArticle.objects.create(code=code, number="213.1")
    person = services.log_arrest(
        author=researcher,
        data={
            "name": "Testname Anar Fictional", "other_names": ["Тестнаме Анар Фиктивный"],
            "gender": "male", "detained_on": "2024-04-29", "detained_on_precision": "day",
            "new_case_name": "Fictional smuggling case", "articles": [smuggling, fraud],
            "source_urls": ["https://news.example.org/fictional-arrest"],
        },
    )  # fmt: skip
    services.publish(entry=person, moderator=moderator)
    return person


def test_a_researcher_finds_a_person_by_cyrillic_and_a_moderator_approves_one_readable_diff(
    browser, live_server, person, researcher, moderator
):
    phone = TOTPDevice.objects.create(user=researcher, name="phone", confirmed=True)
    page = browser.new_page()
    sign_in(page, live_server, "researcher", phone)
    page.get_by_role("link", name="Find an entry").first.click()
    page.get_by_label("Name, in any spelling or script").fill("Анар Фиктивный")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name="Testname Anar Fictional").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Testname Anar Fictional")

    page.get_by_role("link", name="Log an event (remand, verdict, release…)").click()
    page.get_by_label("Kind").select_option("remand_extension")
    page.get_by_label("Date:", exact=True).fill("2024-06-20")
    page.get_by_label("Term, months").fill("3")
    page.get_by_label("Source URLs, one per line").fill(REPORT)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("waits for review")

    page.get_by_role("link", name="Record a charge").click()
    page.get_by_label("Case").select_option(label="Fictional smuggling case")
    page.get_by_label("Article number").fill("213.1")
    page.get_by_label("Step").select_option("dropped")
    page.get_by_label("Date:", exact=True).fill("2024-06-20")
    page.get_by_label("Source URLs, one per line").fill(REPORT)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("waits for review")

    page.get_by_role("link", name="Add a spelling of the name").click()
    page.get_by_label("Spelling").fill("Тестнаме Анар Фиктивович")
    page.get_by_label("Script").select_option("cyrillic")
    page.get_by_label("Kind").select_option("native")
    page.get_by_label("Source URLs, one per line").fill(SPELLING)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("waits for review")
    page.close()

    public = browser.new_page()
    public.goto(f"{live_server.url}/detainees/{person.slug}/")
    expect(public.locator("main")).not_to_contain_text("Тестнаме Анар Фиктивович")

    device = TOTPDevice.objects.create(user=moderator, name="phone", confirmed=True)
    page = browser.new_page()
    sign_in(page, live_server, "moderator", device)
    page.get_by_role("link", name="Review queue", exact=True).click()
    page.get_by_role("link", name="Testname Anar Fictional").last.click()
    diff = page.locator("table.diff")
    expect(diff).to_have_count(1)  # one change, one diff
    expect(diff).to_contain_text("remand extension, 20 June 2024")
    expect(diff).to_contain_text("213.1: dropped, 20 June 2024")
    expect(diff).to_contain_text("Тестнаме Анар Фиктивович")
    expect(diff).to_contain_text(REPORT)
    expect(diff).to_contain_text(SPELLING)
    expect(diff).not_to_contain_text("{'")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("Approved")
    page.close()

    public.reload()
    expect(public.locator("main")).to_contain_text("Тестнаме Анар Фиктивович")
    expect(public.locator(".timeline")).to_contain_text("20 June 2024")
    person.refresh_from_db()
    assert m.PendingChange.objects.get(state="approved").revision == 3


def test_two_researchers_changes_to_one_person_are_both_approved(
    browser, live_server, person, researcher, other_researcher, moderator
):
    for user, date in ((researcher, "2024-06-20"), (other_researcher, "2024-09-18")):
        phone = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        page = browser.new_page()
        sign_in(page, live_server, user.username, phone)
        page.goto(f"{live_server.url}/staff/detainees/{person.pk}/events/add/")
        page.get_by_label("Kind").select_option("remand_extension")
        page.get_by_label("Date:", exact=True).fill(date)
        page.get_by_label("Source URLs, one per line").fill(REPORT)
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("waits for review")
        page.close()

    device = TOTPDevice.objects.create(user=moderator, name="phone", confirmed=True)
    page = browser.new_page()
    sign_in(page, live_server, "moderator", device)
    for _change in range(2):
        page.get_by_role("link", name="Review queue", exact=True).click()
        page.get_by_role("link", name="Testname Anar Fictional").first.click()
        page.get_by_role("button", name="Approve").click()
        expect(page.locator(".messages")).to_contain_text("Approved")
    page.close()
    assert m.PendingChange.objects.filter(state="approved").count() == 2
    assert person.events.filter(kind="remand_extension").count() == 2
