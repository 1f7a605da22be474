"""Security headers and cookie flags, in development and as production sends them.

Production's differ (HTTPS only: HSTS, secure cookies, redirects), so they are read from a real
production process: `probe_production` runs in a subprocess under DJANGO_ENV=production on a
scratch SQLite database, collects the static files as a deployment does, and reports what a
browser would see.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
HOST = "tracker.example.org"
STRICT_CSP = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _directives(header):
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def probe_production():
    """Run inside a production process: print what the site answers, as JSON."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.templatetags.static import static
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user("probe", password="probe-pass-2026-long")

    def cookie(response, name):
        morsel = response.cookies[name]
        return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                "samesite": morsel["samesite"]}  # fmt: skip

    client = Client(SERVER_NAME=HOST)
    home = client.get("/", secure=True)
    login_form = client.get("/accounts/login/", secure=True)
    signed_in = client.post(
        "/accounts/login/", {"username": "probe", "password": "probe-pass-2026-long"}, secure=True
    )
    stylesheet = static("css/site.css")
    css = client.get(stylesheet, secure=True, HTTP_ACCEPT_ENCODING="gzip, br")
    report = {
        "home": [home.status_code, dict(home.headers)],
        "plain_http": [client.get("/").status_code, client.get("/").get("Location")],
        "healthz_over_plain_http": client.get("/healthz").status_code,
        "csrf_cookie": cookie(login_form, settings.CSRF_COOKIE_NAME),
        "session_cookie": cookie(signed_in, settings.SESSION_COOKIE_NAME),
        "stylesheet": stylesheet,
        "css": [css.status_code, css.get("Content-Encoding"), css.get("Cache-Control")],
    }
    print(json.dumps(report))


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("production")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="a-real-secret-key-for-this-test-only-0123456789-abcdefghijklmnop",
        DATABASE_URL=f"sqlite:///{scratch / 'db.sqlite3'}",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_STATIC_ROOT=str(scratch / "static"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    code = "import django; django.setup(); from tests import test_security_headers as t; "
    result = subprocess.run(
        [sys.executable, "-c", code + "t.probe_production()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# What every environment sends.


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    header = client.get("/")["Content-Security-Policy"]
    directives = _directives(header)
    assert STRICT_CSP.items() <= directives.items()
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    for kind in ("script-src", "style-src"):
        assert re.fullmatch(r"'self'( 'nonce-[\w+/=-]+')?", directives[kind]), directives[kind]


@pytest.mark.django_db
def test_pages_send_the_other_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_error_pages_send_the_policy_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Permissions-Policy"]


def test_no_template_has_inline_script_or_style():
    """The policy blocks them, so one left in a template is a page that silently breaks."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE
    )
    found = [
        f"{path.relative_to(ROOT)}: {match.group()}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in inline.finditer(path.read_text())
    ]
    assert not found, "\n".join(found)


# The visitor's address behind proxies: the API throttle and the sign-in lockout key on it.


@pytest.fixture
def three_per_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min"},
    }


def _api(client, forwarded_for):
    return client.get("/api/v1/cases/", HTTP_X_FORWARDED_FOR=forwarded_for).status_code


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_address_does_not_escape_the_throttle(
    client, settings, three_per_minute
):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [_api(client, f"203.0.113.{n}") for n in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_behind_a_proxy_each_visitor_has_their_own_quota(client, settings, three_per_minute):
    settings.TRUSTED_PROXY_COUNT = 1
    # Whatever the visitor wrote to the left of the address nginx appended is ignored.
    first = [_api(client, f"10.0.0.{n}, 203.0.113.1") for n in range(4)]
    assert first == [200, 200, 200, 429]
    assert _api(client, "203.0.113.2") == 200


@pytest.mark.django_db
def test_behind_a_proxy_a_lockout_holds_one_visitor_only(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def sign_in(address, username):
        return client.post(
            "/accounts/login/",
            {"username": username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=address,
        ).status_code

    limit = settings.AXES_FAILURE_LIMIT
    statuses = [sign_in("203.0.113.1", f"someone{n}") for n in range(limit)]
    assert statuses[-1] == 429  # the address, for any account
    assert sign_in("203.0.113.2", "someone-else") == 200  # not the proxy's other visitors


# What production sends, over HTTPS.


def test_production_sends_hsts(production):
    status, headers = production["home"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert STRICT_CSP.items() <= _directives(headers["Content-Security-Policy"]).items()
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_production_redirects_plain_http_except_the_health_check(production):
    assert production["plain_http"] == [301, f"https://{HOST}/"]
    assert production["healthz_over_plain_http"] == 200


@pytest.mark.parametrize("name", ["csrf_cookie", "session_cookie"])
def test_production_cookies_are_secure_and_same_site(production, name):
    assert production[name]["secure"] is True
    assert production[name]["samesite"] == "Lax"


def test_production_session_cookie_is_out_of_reach_of_scripts(production):
    assert production["session_cookie"]["httponly"] is True


def test_production_serves_hashed_compressed_static_files(production):
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", production["stylesheet"])
    status, encoding, cache_control = production["css"]
    assert status == 200
    assert encoding == "br"
    assert "immutable" in cache_control


@pytest.mark.django_db
def test_only_the_admin_may_use_style_attributes(client_for, tracker_admin):
    client = client_for(tracker_admin)
    admin_policy = _directives(client.get("/admin/")["Content-Security-Policy"])
    assert admin_policy["style-src-attr"] == "'unsafe-inline'"
    assert STRICT_CSP.items() <= admin_policy.items()
    assert "unsafe-inline" not in admin_policy["script-src"] + admin_policy["style-src"]
    assert "style-src-attr" not in client.get("/")["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/staff/", "/az/staff/", "/admin/", "/accounts/two-factor/"])
def test_staff_pages_are_never_stored_by_a_browser_or_proxy(client_for, moderator, url):
    response = client_for(moderator).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_public_pages_stay_cacheable(client):
    assert "no-store" not in client.get("/detainees/").get("Cache-Control", "")
