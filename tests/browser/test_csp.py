"""Every public page in Chromium under the real Content-Security-Policy: no violation, no error.

Chromium reports a blocked inline script or style, or a refused resource, on the console; the
init script below also turns each `securitypolicyviolation` event into a console error naming
the directive, so a violation cannot pass unnoticed.
"""

import datetime

import pytest
from django.conf import settings
from playwright.sync_api import expect

from cases import models as m

pytestmark = pytest.mark.django_db(transaction=True)

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture
def problems(page):
    """Console errors, uncaught exceptions and failed responses on every page the test opens."""
    found = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda msg: msg.type == "error" and found.append(f"{page.url}: console: {msg.text}"),
    )
    page.on("pageerror", lambda error: found.append(f"{page.url}: exception: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and found.append(f"{response.status} {response.url}")
        ),
    )
    return found


@pytest.fixture
def world(make_detainee, make_event, make_case, make_article, make_source):
    journalist = m.Occupation.objects.create(slug="journalist", name="journalist")
    case = make_case("Fictional Press Case")
    group = m.ExecutionGroup.objects.create(slug="fictional-group", name="Fictional group")
    application = m.EchrApplication.objects.create(
        number="12345/24", title="Fictional v. Nowhere", group=group,
        judgment_on=datetime.date(2025, 1, 9),
    )  # fmt: skip
    for n, detained in enumerate(["2024-01-15", "2024-02-01", "2024-03-10"]):
        person = make_detainee(f"Testname Fictional{n}", gender="female" if n % 2 else "male")
        person.occupations.add(journalist)
        membership = m.CaseDefendant.objects.create(case=case, detainee=person)
        m.Charge.objects.create(defendant=membership, article=make_article("206.3.2"))
        event = make_event(person, "detention", detained, case=case)
        event.sources.add(make_source(publisher="Fictional Wire"))
        application.applicants.add(person)
    return {"person": person, "case": case, "group": group}


def _public_pages(world):
    return [
        "/",
        "/detainees/",
        "/detainees/?status=pre_trial&occupation=journalist&sort=name",
        f"/detainees/{world['person'].slug}/",
        "/cases/",
        f"/cases/{world['case'].slug}/",
        "/echr/",
        f"/echr/groups/{world['group'].slug}/",
        "/stats/",
        "/about/methodology/",
        "/data/",
        "/api/v1/docs/",
        "/accounts/login/",
        "/az/",
        "/ru/",
        "/ru/detainees/",
    ]


def test_every_public_page_loads_without_a_csp_violation(page, live_server, world, problems):
    for path in _public_pages(world):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        expect(page.locator("h1").first).to_be_visible()
        assert "Content-Security-Policy" in {name.title() for name in response.headers}, path
    assert not problems, "\n".join(problems)


def test_the_not_found_page_loads_without_a_csp_violation(page, live_server, db, problems):
    url = f"{live_server.url}/no-such-page/"
    response = page.goto(url)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    # The page's own 404 is the one thing reported, twice: as a response and on the console.
    assert problems == [
        f"404 {url}",
        f"{url}: console: Failed to load resource: the server responded with a status of 404 "
        "(Not Found)",
    ]


def test_the_admin_works_under_the_same_policy(
    page, live_server, world, problems, tracker_admin, client_for
):
    client = client_for(tracker_admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    person = world["person"]
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"{live_server.url}/admin/cases/detainee/?q=Testname")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(f"{live_server.url}/admin/cases/detainee/{person.pk}/change/")
    expect(page.locator("#detainee_form")).to_be_visible()
    page.goto(f"{live_server.url}/admin/cases/executiongroup/add/")
    # Inline formsets are added by the admin's own scripts: they ran.
    expect(page.locator(".add-row a").first).to_be_visible()
    page.goto(f"{live_server.url}/admin/cases/detainee/{person.pk}/history/")
    expect(page.locator("#change-history")).to_be_visible()
    page.goto(f"{live_server.url}/admin/cases/court/add/")
    expect(page.locator("#court_form")).to_be_visible()
    assert not problems, "\n".join(problems)


def test_a_violation_would_be_caught(page, live_server, db, problems):
    """The net above has holes if this fails: an inline style under the policy must be reported."""
    page.route(
        f"{live_server.url}/probe",
        lambda route: route.fulfill(
            body="<!doctype html><title>probe</title><h1 style='color: red'>probe</h1>",
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'"},
        ),
    )
    page.goto(f"{live_server.url}/probe")
    expect(page.locator("h1")).to_have_text("probe")
    expect(page.locator("h1")).not_to_have_css("color", "rgb(255, 0, 0)")
    assert any("CSP violation: style-src-attr" in problem for problem in problems), problems
