"""Time /stats/ against the benchmark database: uncached, then served from the page cache.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench \\
        .venv/bin/python bench/stats_bench.py

Reads only. Uncached figures turn the page cache off in the settings (as PUBLIC_PAGE_CACHE=0
does); the cached ones turn it back on and time requests after a first one has filled it. The
queries are counted on one request after the warm-up.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REQUESTS = 20
URLS = ["/stats/", "/stats/?occupation=journalist", "/stats/?from=2015-01"]


def timed(client, url):
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(times)


def main():
    connection.ensure_connection()
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor})")
    client = Client()
    for cached in (False, True):
        settings.PUBLIC_PAGE_CACHE = cached
        for url in URLS:
            client.get(url)  # warm up (and fill the cache when it is on)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            count = len(queries)  # read now: the next request clears the log
            median, worst = timed(client, url)
            label = "cached" if cached else "uncached"
            print(
                f"{label:9} {url:35} median {median:7.1f} ms  max {worst:7.1f} ms  {count} queries"
            )


if __name__ == "__main__":
    main()
