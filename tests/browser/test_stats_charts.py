"""The statistics page in Chromium: every chart is drawn as SVG, beside its table."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from cases import models as m
from cases import stats

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def timeline(make_detainee, make_event, make_case, make_article):
    journalist = m.Occupation.objects.create(slug="journalist", name="journalist")
    case = make_case("Fictional chart case")
    for n, (detained, released) in enumerate(
        [("2024-01-15", "2024-03-31"), ("2024-02-01", None), ("2024-03-10", None)]
    ):
        person = make_detainee(f"Testname Chart{n}", gender="female" if n % 2 else "male")
        person.occupations.add(journalist)
        membership = m.CaseDefendant.objects.create(case=case, detainee=person)
        m.Charge.objects.create(defendant=membership, article=make_article("206.3.2"))
        make_event(person, "detention", detained, refresh=released is None)
        if released:
            make_event(person, "release", released)
    make_event(make_detainee("Testname Chart House"), "house_arrest", "2024-02-10")


def test_every_chart_renders_as_svg(page, live_server, timeline, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/stats/?from=2024-01&to=2024-12")
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(len(stats.CHART_NAMES))
    for n in range(len(stats.CHART_NAMES)):
        expect(charts.nth(n)).to_be_visible()
    expect(page.locator("#chart-held polyline").first).to_be_visible()
    expect(page.locator("#chart-new-and-released rect.series-0").first).to_be_visible()
    expect(page.locator("#chart-occupations rect.bar")).to_have_count(1)
    # The chart styles come from site.css (no inline style under the CSP): lines, not areas.
    line = page.locator("#chart-held polyline.series-0")
    expect(line).to_have_css("fill", "none")
    expect(line).to_have_css("stroke", "rgb(31, 78, 121)")
    expect(page.locator("#chart-held .figure")).to_have_css("display", "grid")
    box = page.locator("#chart-held svg[role=img]").bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    path = tmp_path / "stats.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("STATS_SCREENSHOT"):  # keep a copy to look at
        shutil.copy(path, os.environ["STATS_SCREENSHOT"])
    assert path.stat().st_size > 10_000
