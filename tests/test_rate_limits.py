"""Per-client rate limits on the listing, the export and the statistics (security issue #13)."""

import pytest

from config.ratelimit import client_id, parse_rate


class _Request:
    def __init__(self, address):
        self.META = {"REMOTE_ADDR": address}


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("not an address", None),
        ("", None),
    ],
)
def test_a_client_is_an_ipv4_address_or_the_first_of_an_ipv6_64(address, client):
    assert client_id(_Request(address)) == client


def test_rates_read_like_the_apis():
    assert parse_rate("120/min") == (120, 60)
    assert parse_rate("3/sec") == (3, 1)
    assert parse_rate("off") is None and parse_rate("") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "url"),
    [
        ("listing", "/detainees/"),
        ("export", "/detainees/export.csv"),
        ("stats", "/stats/"),
        ("stats", "/stats/held.csv"),
    ],
)
def test_over_the_limit_a_client_gets_429_with_retry_after(client, settings, scope, url):
    settings.RATE_LIMITS = {scope: "3/min"}
    statuses = [client.get(url, REMOTE_ADDR="2001:db8::1").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    # Another address in the same /64 is the same client; cached answers count too.
    refused = client.get(url, REMOTE_ADDR="2001:db8::ffff")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert "Too many" in refused.text
    # Another client is not held back.
    assert client.get(url, REMOTE_ADDR="2001:db8:0:1::1").status_code == 200


@pytest.mark.django_db
def test_the_api_throttle_counts_an_ipv6_64_as_one_client(client, settings):
    from rest_framework.settings import api_settings

    rates = api_settings.DEFAULT_THROTTLE_RATES
    old = rates["anon"]
    rates["anon"] = "2/min"
    try:
        assert client.get("/api/v1/detainees/", REMOTE_ADDR="2001:db8::1").status_code == 200
        assert client.get("/api/v1/detainees/", REMOTE_ADDR="2001:db8::2").status_code == 200
        assert client.get("/api/v1/detainees/", REMOTE_ADDR="2001:db8::3").status_code == 429
    finally:
        rates["anon"] = old
