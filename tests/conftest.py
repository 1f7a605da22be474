"""Shared fixtures: small make_* factories for plainly fictional people, and the cast."""

import datetime
import itertools
import os

import pytest
from django.contrib.auth.models import Group

from cases import models as m

_counter = itertools.count(1)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


NEEDS = "is not available: "


def needs(what, how_to_get_it):
    """Stop a test that needs `what`, a program or service from outside Python, which is missing.

    On a developer's machine the test is skipped, and pytest's summary gives one line per missing
    thing saying how to get it; under CI=true it fails, so CI never passes without running it.
    """
    message = f"{what} {NEEDS}{how_to_get_it}, then run `make test` again."
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a missing {what} is a failure)", pytrace=False)
    pytest.skip(message)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Skips from `needs` are reported at one place, so pytest's summary folds them into one
    line per missing thing ("SKIPPED [11] …: Chromium … is not available: install …")."""
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple) and NEEDS in report.longrepr[2]:
        report.longrepr = ("tests/conftest.py", needs.__code__.co_firstlineno, report.longrepr[2])
    return report


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: no throttle count or cached page leaks across."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in the default language: a request in az or ru by an earlier test on the
    same worker leaves its language active in the thread, and messages built outside a request
    (an import checked directly) would come out in it."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Tests send many requests from one address; the rate limits' own tests turn them on."""
    settings.RATE_LIMITS = {}


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin", email="admin@example.org", password="admin-pass-123"
    )


def sign_in(client, user):
    """force_login, and for whoever needs a second factor a session already verified by one."""
    client.force_login(user)
    if user.needs_two_factor:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test phone")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def admin_client(client, admin_user):
    return sign_in(client, admin_user)


@pytest.fixture
def make_source(db):
    def make(**kwargs):
        n = next(_counter)
        kwargs.setdefault("url", f"https://news.example.org/report-{n}")
        kwargs.setdefault("title", f"Fictional report {n}")
        return m.Source.objects.create(**kwargs)

    return make


@pytest.fixture
def make_detainee(db):
    def make(name=None, *, state=m.State.PUBLISHED, **kwargs):
        name = name or f"Testname Fictional{next(_counter)}"
        return m.Detainee.objects.create(name=name, state=state, **kwargs)

    return make


@pytest.fixture
def make_event(db):
    def make(detainee, kind, date, *, precision=m.Precision.DAY, refresh=True, **kwargs):
        if isinstance(date, str):
            date = datetime.date.fromisoformat(date)
        event = m.Event.objects.create(
            detainee=detainee, kind=kind, date=date, date_precision=precision, **kwargs
        )
        if refresh:
            detainee.refresh_derived()
        return event

    return make


@pytest.fixture
def make_case(db):
    def make(name=None, *, state=m.State.PUBLISHED, **kwargs):
        return m.Case.objects.create(
            name=name or f"Fictional case {next(_counter)}", state=state, **kwargs
        )

    return make


@pytest.fixture
def criminal_code(db):
    return m.LegalCode.objects.create(
        slug="fictional-code", name="Fictional Criminal Code", short_name="FCC", country="XX"
    )


@pytest.fixture
def make_article(criminal_code):
    def make(number, title=""):
        article, _ = m.LegalArticle.objects.get_or_create(
            code=criminal_code, number=number, defaults={"title": title}
        )
        return article

    return make


# --- The cast: one user per role -----------------------------------------------------------


@pytest.fixture
def make_user(db, django_user_model):
    from accounts.roles import sync_roles

    def make(username, role=None, **kwargs):
        # Browser tests flush the database between tests, groups included: recreate them.
        sync_roles()
        user = django_user_model.objects.create_user(
            username=username, password=f"{username}-pass-2026", email=f"{username}@example.org",
            is_staff=role in ("moderator", "admin"), **kwargs,
        )  # fmt: skip
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def researcher(make_user):
    return make_user("researcher", "researcher")


@pytest.fixture
def other_researcher(make_user):
    return make_user("other_researcher", "researcher")


@pytest.fixture
def moderator(make_user):
    return make_user("moderator", "moderator")


@pytest.fixture
def tracker_admin(make_user):
    return make_user("tracker_admin", "admin")


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user (None: anonymous)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            sign_in(c, user)
        return c

    return make
