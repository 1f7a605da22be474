"""The page cache on Redis (CACHE_URL): published changes show at once, staff views stay private.

These tests use the Redis on 127.0.0.1:6379 (TEST_REDIS_URL to change it), database 15, under a
key prefix of their own that they delete afterwards, so they touch nothing else stored there.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from cases import models as m
from cases import services
from tests.conftest import needs

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_keys(settings):
    """Point the cache at Redis; returns a function listing the keys the test has stored."""
    prefix = f"tracker-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        needs(
            f"Redis at {REDIS_URL} (for the cache tests)",
            "start one (`sudo apt-get install redis-server`) or set TEST_REDIS_URL",
        )
    yield lambda: sorted(key.decode() for key in client.scan_iter(f"{prefix}:*"))
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.mark.django_db
def test_a_published_change_replaces_the_cached_page_at_once(
    redis_keys, client, make_detainee, moderator
):
    detainee = make_detainee("Testname Cached Original")
    in_review = make_detainee("Testname Awaiting Review", state=m.State.IN_REVIEW)
    assert "Testname Cached Original" in client.get("/detainees/").text
    assert any("public-page" in key for key in redis_keys())

    # update() sends no signal, so the data version stays: the page still comes from Redis.
    m.Detainee.objects.filter(pk=detainee.pk).update(name="Testname Renamed Quietly")
    assert "Testname Cached Original" in client.get("/detainees/").text

    services.publish(entry=in_review, moderator=moderator)
    page = client.get("/detainees/").text
    assert "Testname Awaiting Review" in page
    assert "Testname Renamed Quietly" in page  # the whole page rendered afresh


@pytest.mark.django_db
def test_a_signed_in_staff_view_is_never_served_to_an_anonymous_visitor(
    redis_keys, client_for, make_user, make_detainee
):
    staff = make_user("staffcanary", "moderator")
    detainee = make_detainee()
    urls = ["/", "/detainees/", detainee.get_absolute_url(), "/cases/", "/stats/", "/ru/"]
    for url in urls:
        assert client_for(staff).get(url).status_code == 200
    assert len([key for key in redis_keys() if "public-page" in key]) == len(urls)

    anonymous = client_for(None)
    for url in urls:
        page = anonymous.get(url).text
        assert "staffcanary" not in page
        assert "/staff/" not in page
        assert "/accounts/logout/" not in page


@pytest.mark.django_db
def test_staff_pages_are_never_cached_nor_served_from_the_cache(
    redis_keys, client_for, make_user, make_detainee
):
    staff = client_for(make_user("staffcanary", "moderator"))
    anonymous = client_for(None)
    draft = make_detainee("Testname Draft Seen By Staff", state=m.State.DRAFT)
    url = f"/staff/detainees/{draft.pk}/"
    assert anonymous.get(url).status_code == 302  # to the sign-in page
    assert "Testname Draft Seen By Staff" in staff.get(url).text

    m.Detainee.objects.filter(pk=draft.pk).update(name="Testname Draft Renamed")  # same version
    assert "Testname Draft Renamed" in staff.get(url).text
    response = anonymous.get(url)
    assert response.status_code == 302
    assert "Testname Draft" not in response.text


def _settings_in_a_fresh_process(**environ):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))}
    result = subprocess.run(
        [sys.executable, "-c", "from config import settings; print(settings.CACHES['default'])"],
        cwd=ROOT, env={**env, **environ}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_cache_url_selects_redis_and_local_memory_is_the_default():
    assert "LocMemCache" in _settings_in_a_fresh_process()
    redis_settings = _settings_in_a_fresh_process(CACHE_URL="redis://127.0.0.1:6379/1")
    assert "django.core.cache.backends.redis.RedisCache" in redis_settings
    assert "redis://127.0.0.1:6379/1" in redis_settings
