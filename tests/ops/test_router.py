"""Public reads from the read replica; staff, writes and reads just after a write from the primary.

The `replica` alias here is a second connection to the test database, as
DATABASE_REPLICA_URL with TEST MIRROR gives: what each connection runs shows which alias the
router chose. Rows must be committed for the second connection to see them, hence
`transaction=True`.
"""

import contextvars
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.test.utils import CaptureQueriesContext

from cases import models as m
from config import routers


@pytest.fixture(scope="module")
def replica_alias(django_db_setup):
    """Configure the `replica` alias before each test's allowed databases are checked."""
    databases = connections.settings  # the same dict as settings.DATABASES
    databases[routers.REPLICA] = {**databases["default"], "TEST": {"MIRROR": "default"}}
    yield
    connections[routers.REPLICA].close()
    del connections[routers.REPLICA]
    del databases[routers.REPLICA]


@pytest.fixture
def replica(replica_alias):
    return connections[routers.REPLICA]


@pytest.fixture
def detainee(make_detainee):
    return make_detainee("Testname Replica Reader")


def case_data_queries(captured):
    return [q["sql"] for q in captured.captured_queries if "cases_" in q["sql"]]


def read(client, replica, *urls):
    """The case-data queries each connection ran while the client fetched the URLs."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            if response.streaming:
                b"".join(response.streaming_content)
    return case_data_queries(primary), case_data_queries(on_replica)


PUBLIC_URLS = ["/", "/detainees/", "/detainees/export.csv", "/stats/", "/api/v1/detainees/"]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_anonymous_public_reads_use_the_replica(client, replica, detainee):
    primary, on_replica = read(client, replica, *PUBLIC_URLS, detainee.get_absolute_url())
    assert primary == []
    assert any("cases_detainee" in sql for sql in on_replica)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_signed_in_staff_read_from_the_primary(client_for, moderator, replica, detainee):
    client = client_for(moderator)
    primary, on_replica = read(client, replica, *PUBLIC_URLS, detainee.get_absolute_url())
    assert on_replica == []
    assert any("cases_detainee" in sql for sql in primary)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_browser_that_just_wrote_reads_from_the_primary_for_a_few_seconds(
    client_for, moderator, replica, detainee
):
    client = client_for(moderator)
    response = client.post("/accounts/logout/")  # deleting the session is a write
    pin = response.cookies[routers.PIN_COOKIE]
    assert pin["httponly"] and int(pin["max-age"]) == routers.PIN_SECONDS

    primary, on_replica = read(client, replica, "/detainees/")  # signed out now
    assert on_replica == []
    assert primary != []

    with time_machine_seconds(routers.PIN_SECONDS + 1):  # the pin has expired
        primary, on_replica = read(client, replica, "/detainees/")
    assert primary == []
    assert on_replica != []


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
@pytest.mark.parametrize("forged", ["9999999999", "1", "1:abc:def"])
def test_a_forged_pin_cookie_keeps_nobody_on_the_primary(client, replica, detainee, forged):
    client.cookies[routers.PIN_COOKIE] = forged
    primary, on_replica = read(client, replica, "/detainees/")
    assert primary == []
    assert on_replica != []


def time_machine_seconds(seconds):
    """Signatures read `seconds` later than now (django.core.signing's clock)."""
    from unittest import mock

    now = time.time()
    return mock.patch("django.core.signing.time.time", return_value=now + seconds)


def test_reads_after_a_write_in_the_same_request_use_the_primary():
    router = routers.PrimaryReplicaRouter()

    def request_that_writes():
        routers._replica_allowed.set(True)
        before = router.db_for_read(m.Detainee)
        router.db_for_write(m.Detainee)
        return before, router.db_for_read(m.Detainee)

    assert contextvars.copy_context().run(request_that_writes) == ("replica", "default")


def test_only_case_data_is_read_from_the_replica():
    router = routers.PrimaryReplicaRouter()

    def anonymous_request():
        routers._replica_allowed.set(True)
        return [router.db_for_read(model) for model in (m.Detainee, m.DataVersion, Session)]

    assert contextvars.copy_context().run(anonymous_request) == ["replica", "replica", "default"]


def test_outside_a_request_every_read_uses_the_primary():
    assert routers.PrimaryReplicaRouter().db_for_read(m.Detainee) == "default"


def test_migrations_never_run_on_the_replica():
    router = routers.PrimaryReplicaRouter()
    assert router.allow_migrate("replica", "cases") is False
    assert router.allow_migrate("default", "cases") is True


@pytest.mark.django_db
def test_without_a_replica_a_write_sets_no_cookie(client_for, moderator, monkeypatch):
    monkeypatch.delitem(connections.settings, routers.REPLICA, raising=False)
    response = client_for(moderator).post("/accounts/logout/")
    assert routers.PIN_COOKIE not in response.cookies
