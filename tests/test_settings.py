"""Production refuses to start without its secrets; development starts with safe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-real-secret-key-for-this-test-only-0123456789",
    "DATABASE_URL": "postgres://user@db.invalid:5432/tracker",
    "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
}


def _load_settings(code="print(settings.DEBUG)", **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", f"from config import settings; {code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
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
