"""What a journalist clicks: filter the listing, open a person, read the timeline, follow HUDOC."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from cases import models as m

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people(make_detainee, make_event, make_source):
    journalist = m.Occupation.objects.create(slug="journalist", name="journalist")
    lawyer = m.Occupation.objects.create(slug="lawyer", name="lawyer")
    held = make_detainee("Testname Nargiz Fictional")
    held.occupations.add(journalist)
    event = make_event(held, "detention", "2024-04-01", precision=m.Precision.MONTH)
    event.sources.add(make_source(publisher="Fictional Wire"))
    make_event(held, "remand", "2024-04-30", term_months=3, term_days=28)
    application = m.EchrApplication.objects.create(
        number="12345/24", title="Fictional v. Nowhere", judgment_on=datetime.date(2025, 1, 9)
    )
    application.applicants.add(held)

    other = make_detainee("Testname Orkhan Fictional")
    other.occupations.add(lawyer)
    make_event(other, "detention", "2024-05-05")
    released = make_detainee("Testname Pervin Fictional")
    released.occupations.add(journalist)
    make_event(released, "detention", "2023-01-01")
    make_event(released, "release", "2023-06-01")
    return {"held": held}


def test_filter_open_a_person_and_follow_the_hudoc_link(page, live_server, people):
    page.goto(f"{live_server.url}/detainees/")
    expect(page.locator(".result-count")).to_have_text("3 people")

    filters = page.locator("form.filters")
    filters.get_by_label("pre-trial detention").check()
    filters.get_by_label("journalist").check()
    filters.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"status=pre_trial.*occupation=journalist"))
    expect(page.locator(".result-count")).to_have_text("1 person")
    expect(page.locator(".active-filters")).to_contain_text("Occupation: journalist")

    page.get_by_role("link", name="Testname Nargiz Fictional").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Testname Nargiz Fictional")
    timeline = page.locator(".timeline")
    expect(timeline.locator("li").first).to_contain_text("April 2024")
    expect(timeline.locator("li").first).to_contain_text("detention")
    expect(timeline).to_contain_text("Fictional Wire")
    expect(timeline.locator("li").nth(1)).to_contain_text("3 months 28 days")

    # The network is closed here: answer for HUDOC and check the browser lands where it should.
    page.route(
        "https://hudoc.echr.coe.int/**",
        lambda route: route.fulfill(body="<title>HUDOC</title>", content_type="text/html"),
    )
    page.get_by_role("link", name=re.compile("Fictional v. Nowhere")).click()
    expect(page).to_have_url(re.compile(r"^https://hudoc\.echr\.coe\.int/eng#.*12345%2F24"))


def test_listing_and_person_page_work_at_phone_width(page, live_server, people):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/detainees/?occupation=journalist")
    # Results come before the filters on a phone, and nothing scrolls sideways.
    results_top = page.locator(".result-count").bounding_box()["y"]
    filters_top = page.locator("form.filters").bounding_box()["y"]
    assert results_top < filters_top
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Filter and sort").click()
    page.locator("form.filters").get_by_label("lawyer").check()
    page.locator("form.filters").get_by_role("button", name="Apply filters").click()
    expect(page.locator(".result-count")).to_have_text("3 people")

    page.goto(f"{live_server.url}{people['held'].get_absolute_url()}")
    expect(page.locator(".timeline")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
