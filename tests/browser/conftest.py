"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil

import pytest

from tests.conftest import needs

# Playwright's sync API runs an event loop in the test thread; the ORM calls in fixtures are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# CHROMIUM names another build of it; otherwise Debian's package, found on the PATH.
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session", autouse=True)
def _chromium():
    """Before pytest-playwright launches anything: no Chromium, no browser tests (tests.needs)."""
    if not CHROMIUM or not os.access(CHROMIUM, os.X_OK):
        needs(
            "Chromium (for the browser tests)",
            "install Debian's package with `sudo apt-get install chromium` "
            "(or set CHROMIUM=/path/to/chromium)",
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }
