"""Time and memory of /detainees/export.csv over the whole (synthetic) database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_c_big \\
        .venv/bin/python -m bench.export_bench [--query "status=imprisoned"] [--runs 2]

Requests the export in-process with Django's test Client and reads its streaming_content to
the end, discarding it, as a client downloading the file would. Only reads the database.
Each run is measured twice: once plain, for the wall time and the process's peak resident
memory (RSS, from getrusage; it never goes down, so the growth over the baseline taken before
the first request is what the export added), and once under tracemalloc, for the peak of
Python allocations during the download (tracemalloc slows Python down, so its run is not
timed). Queries are counted without storing them.
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup():
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def download(client, url):
    """(rows, bytes, queries) for reading the whole export."""
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    size = lines = 0
    with connection.execute_wrapper(count):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\r\n")
    return lines - 1, size, queries  # less the header


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--query", default="", help="listing filters, e.g. status=imprisoned")
    parser.add_argument("--runs", type=int, default=2, help="timed runs (default 2)")
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client

    from cases.models import Detainee

    url = f"/detainees/export.csv?{args.query}"
    client = Client()
    published = Detainee.objects.published().count()
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}, "
        f"{published:,} published detainees; GET {url}"
    )
    client.get("/detainees/?per_page=10")  # import and warm everything the request path needs
    baseline = rss_mib()
    print(f"RSS before the first export: {baseline:,.0f} MiB")
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        rows, size, queries = download(client, url)
        seconds = time.perf_counter() - started
        print(
            f"run {run}: {rows:,} rows, {size / 2**20:,.1f} MiB of CSV in {seconds:,.1f} s "
            f"({rows / seconds:,.0f} rows/s), {queries} queries; "
            f"peak RSS {rss_mib():,.0f} MiB (+{rss_mib() - baseline:,.0f} MiB)"
        )
    tracemalloc.start()
    rows, size, _queries = download(client, url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"tracemalloc: peak {peak / 2**20:,.1f} MiB of Python allocations while streaming "
        f"{rows:,} rows ({size / 2**20:,.1f} MiB of CSV)"
    )


if __name__ == "__main__":
    main()
