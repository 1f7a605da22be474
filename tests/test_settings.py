"""Production refuses to start without its secrets; development starts with safe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    # check --deploy wants 50 characters or more, of more than five kinds.
    "DJANGO_SECRET_KEY": "a-real-secret-key-for-this-test-only-0123456789-abcdefghijklmnop",
    "DATABASE_URL": "postgres://user@db.invalid:5432/tracker",
    "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
}


def _environment(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", **overrides}


def _load_settings(code="print(settings.DEBUG)", **overrides):
    return subprocess.run(
        [sys.executable, "-c", f"from config import settings; {code}"],
        cwd=ROOT, env=_environment(**overrides), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    result = _load_settings(**{k: v for k, v in PRODUCTION.items() if k != missing})
    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr


def test_production_refuses_debug():
    result = _load_settings(**PRODUCTION, DJANGO_DEBUG="1")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off in production" in result.stderr


def test_production_starts_with_everything_set():
    result = _load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_development_defaults_to_sqlite_without_debug():
    result = _load_settings("print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])")
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3"]


def test_check_deploy_gives_no_warning_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_environment(**PRODUCTION), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_healthz_answers_503_without_a_database(tmp_path):
    missing = tmp_path / "no-such-folder" / "db.sqlite3"
    result = _load_settings(
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())",
        DATABASE_URL=f"sqlite:///{missing}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '503 {"status": "unavailable"}'
    assert "Health check failed" in result.stderr  # the reason is logged, not shown


@pytest.mark.django_db
def test_healthz_answers_ok_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_has_one_address_in_every_language(client):
    assert client.get("/az/healthz").status_code == 404
    assert client.get("/healthz", HTTP_ACCEPT_LANGUAGE="ru").status_code == 200
