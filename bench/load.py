"""`make load`: wrk against the public pages under gunicorn, with and without the page cache.

Issue 8's load run: the listing, a filtered listing and a detainee page on PostgreSQL with 100,000
synthetic detainees (the `make bench` database, generated there when missing), wrk for
LOAD_SECONDS (60) at concurrency LOAD_CONCURRENCY (16) per page, first with the whole-page cache
on (the default) and then off (PUBLIC_PAGE_CACHE=0: every request renders its page, only the
count-and-facet cache stays). Reports requests per second, median, p99 and every error (connect,
read, write, timeout, status >= 400) as a table, and saves it in bench/results/load-*.json.
Exits non-zero when any request failed.

    make load                            # 2 x 3 pages x 60 s: about 6 minutes
    LOAD_SECONDS=10 make load            # a quick look
"""

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from bench.run import (
    BASE_DIR,
    HOST,
    RESULTS_DIR,
    ensure_database,
    ensure_detainees,
    env_int,
    fetch,
    free_port,
    log,
    pick_urls,
    setup_django,
    start_gunicorn,
    stop_gunicorn,
)

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LOAD %d %d %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""
PAGES = ("listing", "filtered", "detail")


def wrk(script, port, path, concurrency, seconds):
    command = [
        shutil.which("wrk") or sys.exit("wrk is needed: apt-get install wrk"),
        "-t2", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s", "-s", script,
        f"http://{HOST}:{port}{path}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("LOAD ")), None)
    if line is None:
        return {"failed": (done.stderr or done.stdout).strip()[-300:], "errors": 1}
    requests, micros, connect, read, write, status, timeout, p50, p99 = map(int, line.split()[1:])
    return {
        "requests": requests,
        "rps": round(requests / (micros / 1e6), 1),
        "median_ms": round(p50 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "errors": connect + read + write + status + timeout,
        "error_kinds": {"connect": connect, "read": read, "write": write,
                        "status >= 400": status, "timeout": timeout},
    }  # fmt: skip


def run_pages(urls, *, cached, workers, seconds, concurrency, script, log_path):
    os.environ["PUBLIC_PAGE_CACHE"] = "1" if cached else "0"
    port = free_port()
    server = start_gunicorn(port, workers, log_path)
    rows = []
    try:
        for name, path in urls:
            for _ in range(3):  # warm the worker's caches and connections
                fetch(port, path)
            state = "cached" if cached else "uncached"
            log(f"{state} {name}: {path}, {seconds} s at concurrency {concurrency}")
            rows.append({"page": name, "url": path, "cached": cached,
                         **wrk(script, port, path, concurrency, seconds)})  # fmt: skip
    finally:
        stop_gunicorn(server)
    return rows


def main():
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    seconds = env_int("LOAD_SECONDS", 60)
    concurrency = env_int("LOAD_CONCURRENCY", 16)
    workers = env_int("BENCH_WORKERS", 3)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ensure_database(url)
    setup_django(url, env_int("BENCH_CONN_MAX_AGE", 60))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ensure_detainees(env_int("BENCH_DETAINEES", 100_000), env_int("BENCH_SEED", 1))
    urls = [(name, path) for name, path in pick_urls()[0] if name in PAGES]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = RESULTS_DIR / f"load-{stamp}-gunicorn.log"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        rows = [
            row
            for cached in (True, False)
            for row in run_pages(
                urls,
                cached=cached,
                workers=workers,
                seconds=seconds,
                concurrency=concurrency,
                script=script.name,
                log_path=log_path,
            )
        ]
    finally:
        os.unlink(script.name)
    report = {
        "when": stamp, "seconds": seconds, "concurrency": concurrency,
        "gunicorn_workers": workers, "cpus": os.cpu_count(), "rows": rows,
    }  # fmt: skip
    (RESULTS_DIR / f"load-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"wrk, {seconds} s at concurrency {concurrency}, gunicorn {workers} sync workers, "
          f"{os.cpu_count()} CPUs shared with PostgreSQL and wrk\n")  # fmt: skip
    print("| page | page cache | requests | req/s | median ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['page']} | {'on' if r['cached'] else 'off'} | {r.get('requests', '—')} | "
              f"{r.get('rps', '—')} | {r.get('median_ms', '—')} | {r.get('p99_ms', '—')} | "
              f"{r['errors']} |")  # fmt: skip
    print(f"\nSaved in {(RESULTS_DIR / f'load-{stamp}.json').relative_to(BASE_DIR)}")
    if any(r["errors"] for r in rows):
        sys.exit("Some requests failed: see the errors column and " + str(log_path))


if __name__ == "__main__":
    main()
