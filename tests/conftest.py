"""Shared fixtures: small make_* factories for plainly fictional people, and the cast."""

import datetime
import itertools

import pytest

from cases import models as m

_counter = itertools.count(1)


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin", email="admin@example.org", password="admin-pass-123"
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


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
