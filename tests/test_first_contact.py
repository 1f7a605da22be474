"""What a newcomer meets first: the two commands, the sign-in hint, the way to the staff tools.

The whole first contact (a clean clone, no root rights, no Chromium: `make run` answers with the
site's own 404 page, `make test` ends green with the browser tests skipped and the install hint,
and fails under CI=true) is checked end to end by .ci/newcomer, which .ci/run calls.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _make_dry_run(*args):
    """The commands `make` would run (-n), with the virtualenv's stamps taken as up to date."""
    return subprocess.run(
        ["make", "-n", "--no-print-directory", "-o", ".venv/.installed-dev",
         "-o", ".venv/.installed-runtime", "-o", "system-packages", *args],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip


def test_make_test_runs_the_whole_suite_on_every_core_by_default():
    assert re.search(r"-m pytest -n auto\s*$", _make_dry_run("test"), re.M)


def test_make_test_passes_pytest_args_as_given_so_one_test_runs_with_or_without_xdist():
    one = "tests/test_first_contact.py -k default -p no:xdist"
    assert re.search(
        rf"-m pytest {re.escape(one)}\s*$", _make_dry_run("test", f"PYTEST_ARGS={one}"), re.M
    )


def test_pytest_alone_runs_without_xdist():
    """`-p no:xdist` is how many run one test; the project's options must not need xdist."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "--collect-only", "-q",
         "tests/test_first_contact.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_pytest_alone_runs_without_xdist" in result.stdout


def test_make_run_installs_only_what_serving_needs_and_keeps_debug_off():
    commands = _make_dry_run("run", "PORT=8103")
    assert "requirements-dev" not in commands
    assert "DJANGO_DEBUG=${DJANGO_DEBUG:-0}" in commands
    assert "runserver --insecure 127.0.0.1:8103" in commands
    assert "ensure_local_admin --host 127.0.0.1 --port 8103" in commands


@pytest.mark.django_db
def test_signing_in_lands_staff_in_their_workspace(client, researcher):
    response = client.post(
        "/accounts/login/", {"username": "researcher", "password": "researcher-pass-2026"}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "login"), [("", "/accounts/login/"), ("/az", "/az/accounts/login/")]
)
def test_the_public_footer_has_a_staff_sign_in_link(client, prefix, login):
    page = client.get(f"{prefix}/").text
    footer = page.split('<footer class="site-footer">')[1]
    assert f'href="{login}"' in footer


@pytest.mark.django_db
def test_the_admin_view_site_link_leads_to_the_workspace_and_back(client_for, moderator):
    client = client_for(moderator)
    assert 'href="/staff/"' in client.get("/admin/").text
    assert 'href="/admin/"' in client.get("/staff/").text


@pytest.mark.django_db
def test_a_researcher_gets_no_admin_link(client_for, researcher):
    assert 'href="/admin/"' not in client_for(researcher).get("/staff/").text
