"""A reader switches language on a filtered listing, and reads a person's page in Azerbaijani."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from cases import models as m

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOT = "/tmp/az_detainee.png"


@pytest.fixture
def journalists(make_detainee, make_event, make_source):
    journalist = m.Occupation.objects.create(
        slug="journalist", name="journalist", name_az="jurnalist", name_ru="журналист"
    )
    people = []
    for n in range(12):
        person = make_detainee(f"Testname Reporter{n:02} Fictional")
        person.occupations.add(journalist)
        make_event(person, "detention", "2024-04-29").sources.add(make_source())
        people.append(person)
    nargiz = people[0]
    nargiz.bio_en = "A fictional reporter for a fictional newspaper."
    nargiz.save()
    m.DetaineeName.objects.create(
        detainee=nargiz, name="Testname Nərgiz Reportyor", language="az", kind="native"
    )
    m.DetaineeName.objects.create(
        detainee=nargiz, name="Тестнейм Наргиз Репортёр", language="ru", script="cyrillic"
    )
    make_event(nargiz, "remand", "2024-04-30", term_months=3)
    return people


def test_switching_language_keeps_the_filters_and_the_page(page, live_server, journalists):
    page.goto(f"{live_server.url}/detainees/?occupation=journalist&per_page=10&page=2")
    expect(page.locator(".result-count")).to_have_text("12 people")
    expect(page.locator(".detainee-row")).to_have_count(2)

    page.locator("nav.languages").get_by_role("link", name="Azərbaycanca").click()

    # The listing's canonical address: its parameters in a fixed order.
    expect(page).to_have_url(
        re.compile(r"/az/detainees/\?occupation=journalist&page=2&per_page=10$")
    )
    expect(page.locator("html")).to_have_attribute("lang", "az")
    expect(page.locator(".detainee-row")).to_have_count(2)
    expect(page.locator("form.filters").get_by_label(re.compile("jurnalist"))).to_be_checked()
    expect(page.locator("nav.languages [aria-current]")).to_have_text("Azərbaycanca")

    # Remembered: the English address now opens the Azerbaijani page.
    page.goto(f"{live_server.url}/detainees/?occupation=journalist")
    expect(page).to_have_url(re.compile(r"/az/detainees/\?occupation=journalist$"))


def test_the_azerbaijani_detainee_page(page, live_server, journalists):
    nargiz = journalists[0]
    page.goto(f"{live_server.url}/az/detainees/{nargiz.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Testname Nərgiz Reportyor")
    expect(page.locator(".other-names")).to_contain_text("Testname Reporter00 Fictional")
    expect(page.locator(".timeline li").first).to_contain_text("29 aprel 2024")
    bio = page.locator(".bio [lang=en]")
    expect(bio).to_have_text("A fictional reporter for a fictional newspaper.")
    expect(page.locator(".bio .untranslated")).to_be_visible()
    days = (datetime.date.today() - datetime.date(2024, 4, 29)).days
    expect(page.locator(".custody")).to_contain_text(str(days))
    page.screenshot(path=SCREENSHOT, full_page=True)
