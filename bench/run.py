"""`make bench`: the public pages on PostgreSQL with 100,000 synthetic detainees, under gunicorn.

Steps: create and migrate the benchmark database; generate the synthetic detainees if there are
fewer than asked; count the queries each page makes (in-process, Django's test Client, one request
per URL after a warm-up, at the default page size and at 10 and 100 rows); serve the site with
gunicorn on 127.0.0.1 (bench.urls adds the floor view, /bench/floor/); then for each URL, at
concurrency 1 and 8, time requests with a Python http.client loop (exact per-request latencies)
and measure throughput with wrk when it is installed (`apt-get install wrk`; otherwise the Python
loop's rate is reported). Every loop stops after BENCH_REQUESTS requests or BENCH_SECONDS,
whichever comes first. Non-2xx answers are errors and are reported, never fatal; a page that does
not answer 2xx when warmed up is reported and not loaded. gunicorn is stopped at the end, on error
too. The table is printed and saved as JSON and Markdown in bench/results/.

Environment (all optional):
    BENCH_DATABASE_URL   postgres://postgres@127.0.0.1:5432/tracker_bench
    BENCH_DETAINEES      100000 (synthetic detainees wanted; generated only if there are fewer)
    BENCH_SEED           1
    BENCH_REGENERATE     1 to replace the synthetic detainees even when there are enough (after a
                         change to the generator or to the derived fields)
    BENCH_WORKERS        3 gunicorn sync workers. The machine has two cores, shared by gunicorn,
                         PostgreSQL and the load generator; a sync worker sits idle while PostgreSQL
                         answers, so one worker more than the cores keeps both busy, and more would
                         only add context switches (and memory).
    BENCH_CONN_MAX_AGE   60: persistent database connections, as a deployment would use; with 0
                         every request would also pay for a new PostgreSQL connection.
    BENCH_REQUESTS       500 requests per URL and concurrency (Python loops)
    BENCH_SECONDS        10 seconds at most per URL and concurrency (Python loops)
    BENCH_WRK_SECONDS    5 seconds of wrk per URL and concurrency
"""

import datetime
import http.client
import itertools
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
HOST = "127.0.0.1"
CONCURRENCIES = (1, 8)
SEARCH = "synthov 1234"
DETAIL_SLUG = "synthetic-000123"
DEEP_PAGE = 2000

# Issue 3's targets, checked against the measurements.
LISTING_MEDIAN_MS, LISTING_P95_MS, SEARCH_P95_MS, DETAIL_MEDIAN_MS = 40, 120, 50, 50
MIN_FLOOR_RATIO, MAX_QUERIES = 0.3, 6

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


def env_int(name, default):
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {value!r}.")


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- The database ---------------------------------------------------------------------------


def ensure_database(url):
    """Create the benchmark database when it is missing (PostgreSQL only)."""
    import environ
    import psycopg
    from psycopg import sql

    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(f"BENCH_DATABASE_URL must point at PostgreSQL, not {url!r}.")
    config = environ.Env.db_url_config(url)
    params = {
        "dbname": "postgres",
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            log(f"Creating the database {config['NAME']}.")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def setup_django(url, conn_max_age):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "DJANGO_ROOT_URLCONF": "bench.urls",
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "0",
            # One client sends every request here: the per-client limits would measure themselves.
            "RATE_LIMIT_LISTING": "off",
            "RATE_LIMIT_EXPORT": "off",
            "RATE_LIMIT_STATS": "off",
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost,testserver",
            "DATABASE_CONN_MAX_AGE": str(conn_max_age),
        }
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def ensure_detainees(wanted, seed, regenerate=False):
    """Generate `wanted` synthetic detainees unless at least that many are there already."""
    from django.core.management import call_command

    from cases.models import Detainee

    have = Detainee.objects.filter(is_synthetic=True).count()
    if have >= wanted and not regenerate:
        log(f"{have:,} synthetic detainees already there; nothing to generate.")
        return None
    log(f"{have:,} synthetic detainees there, {wanted:,} wanted: generating (seed {seed}).")
    started = time.perf_counter()
    call_command("generate_synthetic", wanted, seed=seed, clear=True)
    return time.perf_counter() - started


def pick_urls():
    """The URLs to load, and notes on how they were chosen."""
    from cases.models import Detainee

    published = Detainee.objects.published()
    slug = (
        published.filter(slug__gte=DETAIL_SLUG)
        .order_by("slug")
        .values_list("slug", flat=True)
        .first()
    ) or published.order_by("slug").values_list("slug", flat=True).first()
    n_published = published.count()
    deep = max(1, min(DEEP_PAGE, math.ceil(n_published / 25)))
    matches = published.matching_name(SEARCH).count()
    query = SEARCH.replace(" ", "+")
    urls = [
        ("listing", "/detainees/"),
        ("filtered", "/detainees/?status=pre_trial&occupation=journalist"),
        ("search", f"/detainees/?q={query}"),
        ("deep page", f"/detainees/?page={deep}"),
        ("detail", f"/detainees/{slug}/"),
        ("floor", "/bench/floor/"),
    ]
    notes = {
        "published_detainees": n_published,
        "search_query": SEARCH,
        "search_matches": matches,
        "deep_page": deep,
        "detail_slug": slug,
    }
    return urls, notes


# --- Queries per request, in-process ---------------------------------------------------------


def count_queries(urls):
    """Queries of one request per URL after a warm-up; listings also at 10 and 100 rows."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    counts = {}
    for name, url in urls:
        variants = {"default": url}
        if url.startswith("/detainees/?") or url == "/detainees/":
            sep = "&" if "?" in url else "?"
            variants |= {"10": f"{url}{sep}per_page=10", "100": f"{url}{sep}per_page=100"}
        counts[name] = {}
        for label, variant in variants.items():
            client.get(variant)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(variant)
            counts[name][label] = {"status": response.status_code, "queries": len(queries)}
    return counts


# --- gunicorn ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(port, workers, log_path):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log_path),
    ]
    # The environment set up for Django (bench.urls, DEBUG off, the bench database) is inherited.
    server = subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log_path}")
        _elapsed, status = fetch(port, "/bench/floor/", timeout=2)
        if status == 200:
            return server
        time.sleep(0.2)
    stop_gunicorn(server)
    raise RuntimeError(f"gunicorn did not answer within 30 s; see {log_path}")


def stop_gunicorn(server):
    if server.poll() is not None:
        return
    server.terminate()  # gunicorn stops its workers gracefully on SIGTERM
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own session: only gunicorn and its workers
        server.wait()


# --- Load -------------------------------------------------------------------------------------


def fetch(port, path, timeout=10):
    """One GET on a new connection (sync workers close it): (seconds, status or None)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = None
    finally:
        conn.close()
    return time.perf_counter() - started, status


def python_loop(port, path, concurrency, max_requests, max_seconds):
    """Closed loop: `concurrency` threads, each sending its next request when one returns."""
    tickets = itertools.count()
    results = []
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker():
        while time.perf_counter() < deadline and next(tickets) < max_requests:
            results.append(fetch(port, path))

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ok = sorted(seconds * 1000 for seconds, status in results if status and 200 <= status < 300)
    statuses = sorted({str(status) for _s, status in results if not status or status >= 300})
    answered = sum(1 for _s, status in results if status)  # timeouts and refusals are not
    return {
        "requests": len(results),
        "seconds": round(wall, 2),
        "rps": round(answered / wall, 1) if wall else None,
        "median_ms": round(statistics.median(ok), 1) if ok else None,
        "p95_ms": round(ok[math.ceil(0.95 * len(ok)) - 1], 1) if ok else None,
        "errors": len(results) - len(ok),
        "error_statuses": statuses,
    }


def wrk_run(wrk, script, port, path, concurrency, seconds):
    command = [
        wrk,
        f"-t{min(concurrency, 2)}",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script,
        f"http://{HOST}:{port}{path}",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        return {"failed": "wrk did not finish"}
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        return {"failed": (done.stderr or done.stdout).strip()[-300:]}
    requests, micros, connect, read, write, status, timeout, p50, p95 = map(int, line.split()[1:])
    return {
        "requests": requests,
        "rps": round(requests / (micros / 1e6), 1) if micros else None,
        "median_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "errors": connect + read + write + status + timeout,
        "error_kinds": {
            "connect": connect,
            "read": read,
            "write": write,
            "status >= 400": status,
            "timeout": timeout,
        },
    }


def measure(port, urls, *, max_requests, max_seconds, wrk_seconds):
    wrk = shutil.which("wrk")
    if not wrk:
        log("wrk is not installed (apt-get install wrk): throughput comes from the Python loop.")
    rows = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        for name, path in urls:
            row = {"page": name, "url": path, "runs": {}}
            rows.append(row)
            warm = [fetch(port, path) for _ in range(3)]
            row["warm_up_status"] = warm[-1][1]
            if not all(status and 200 <= status < 300 for _s, status in warm):
                log(f"{name}: {path} answers {row['warm_up_status']} when warmed up; not loaded.")
                continue
            for concurrency in CONCURRENCIES:
                log(f"{name}: {path} at concurrency {concurrency}")
                run = {"python": python_loop(port, path, concurrency, max_requests, max_seconds)}
                if wrk:
                    run["wrk"] = wrk_run(wrk, script.name, port, path, concurrency, wrk_seconds)
                row["runs"][str(concurrency)] = run
    finally:
        os.unlink(script.name)
    return rows, bool(wrk)


# --- Report -----------------------------------------------------------------------------------


def throughput(run):
    """wrk's rate, or the Python loop's when wrk completed fewer requests (a slow page)."""
    wrk, python = run.get("wrk") or {}, run["python"]
    if wrk.get("rps") is not None and wrk["requests"] >= python["requests"]:
        return wrk["rps"]
    return python["rps"]


def summarise(rows, queries):
    floor = next((r for r in rows if r["page"] == "floor"), None)
    for row in rows:
        row["queries"] = queries.get(row["page"], {})
        row["errors"] = sum(
            run["python"]["errors"] + (run.get("wrk") or {}).get("errors", 0)
            for run in row["runs"].values()
        )
        row["floor_ratio"] = {}
        for c, run in row["runs"].items():
            floor_run = (floor or {}).get("runs", {}).get(c)
            if floor_run and throughput(floor_run) and throughput(run):
                row["floor_ratio"][c] = round(throughput(run) / throughput(floor_run), 2)


def check_targets(rows):
    """Issue 3's targets, as (target, measured, met) rows; unmeasured ones are not met."""
    by_page = {row["page"]: row for row in rows}
    checks = []

    def c1(page, key):
        run = by_page.get(page, {}).get("runs", {}).get("1")
        return run["python"][key] if run else None

    def check(label, value, limit, *, at_least=False):
        met = value is not None and (value >= limit if at_least else value <= limit)
        checks.append({"target": label, "measured": value, "met": met})

    for page in ("listing", "filtered", "deep page"):
        check(
            f"{page}: median at c=1 <= {LISTING_MEDIAN_MS} ms",
            c1(page, "median_ms"),
            LISTING_MEDIAN_MS,
        )
        check(f"{page}: p95 at c=1 <= {LISTING_P95_MS} ms", c1(page, "p95_ms"), LISTING_P95_MS)
    for page in ("search",):
        check(f"{page}: p95 at c=1 <= {SEARCH_P95_MS} ms", c1(page, "p95_ms"), SEARCH_P95_MS)
    check(f"detail: median <= {DETAIL_MEDIAN_MS} ms", c1("detail", "median_ms"), DETAIL_MEDIAN_MS)
    for row in rows:
        if row["page"] == "floor":
            continue
        ratios = list(row["floor_ratio"].values())
        check(
            f"{row['page']}: throughput >= {MIN_FLOOR_RATIO} x floor (worst of c=1, c=8)",
            min(ratios) if ratios else None,
            MIN_FLOOR_RATIO,
            at_least=True,
        )
        counts = row["queries"]
        ok = all(v["status"] < 300 for v in counts.values())
        most = max((v["queries"] for v in counts.values()), default=None) if ok else None
        check(f"{row['page']}: queries per request <= {MAX_QUERIES}", most, MAX_QUERIES)
        if len(counts) > 1:
            same = ok and len({v["queries"] for v in counts.values()}) == 1
            checks.append(
                {
                    "target": f"{row['page']}: same queries at 10, 25 and 100 rows",
                    "measured": " / ".join(
                        str(counts[k]["queries"]) for k in ("10", "default", "100")
                    ),
                    "met": same,
                }
            )
    return checks


def _fmt(value):
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def table(rows):
    header = [
        "page",
        "status",
        "queries 25/10/100",
        "c1 median ms",
        "c1 p95 ms",
        "c1 req/s",
        "c8 median ms",
        "c8 p95 ms",
        "c8 req/s",
        "errors",
        "x floor c1/c8",
    ]
    lines = []
    for row in rows:
        q = row["queries"]
        queries = "/".join(_fmt(q[k]["queries"]) for k in ("default", "10", "100") if k in q)
        cells = [row["page"], _fmt(row["warm_up_status"]), queries]
        for c in ("1", "8"):
            run = row["runs"].get(c)
            if run:
                cells += [
                    _fmt(run["python"]["median_ms"]),
                    _fmt(run["python"]["p95_ms"]),
                    _fmt(throughput(run)),
                ]
            else:
                cells += ["—", "—", "—"]
        status = row["warm_up_status"]
        not_loaded = not (status and 200 <= status < 300)
        cells.append(f"not loaded (HTTP {status})" if not_loaded else str(row["errors"]))
        cells.append("/".join(_fmt(row["floor_ratio"].get(c)) for c in ("1", "8")))
        lines.append(cells)
    return header, lines


def markdown(header, lines):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cells) + " |" for cells in lines]
    return "\n".join(out)


def plain(header, lines):
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(fmt.format(*cells) for cells in [header, *lines])


def git_commit():
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=BASE_DIR, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return None
    return f"{commit}{' (uncommitted changes)' if dirty else ''}"


def write_results(result, header, lines, stamp):
    base = RESULTS_DIR / f"bench-{stamp}"
    base.with_suffix(".json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    meta = result["meta"]
    targets = "\n".join(
        f"- {'met' if t['met'] else 'NOT met'}: {t['target']} (measured {_fmt(t['measured'])})"
        for t in result["targets"]
    )
    notes = "\n".join(f"- {k}: {v}" for k, v in meta.items())
    base.with_suffix(".md").write_text(
        f"# make bench, {meta['started']}\n\n{markdown(header, lines)}\n\n"
        "Latencies: Python http.client loop (c=8: a pool of 8 threads). "
        f"Requests per second: {'wrk' if meta['wrk'] else 'the Python loop'} "
        "(the Python loop's when wrk completed fewer requests, on slow pages). "
        "x floor: throughput divided by the floor view's at the same concurrency. "
        "Queries: in-process, one request after a warm-up, at 25 (default), 10 and 100 rows.\n\n"
        f"## Targets (issue 3)\n\n{targets}\n\n## Run\n\n{notes}\n"
    )
    return base


def main():
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    wanted = env_int("BENCH_DETAINEES", 100_000)
    seed = env_int("BENCH_SEED", 1)
    workers = env_int("BENCH_WORKERS", 3)
    conn_max_age = env_int("BENCH_CONN_MAX_AGE", 60)
    bounds = {
        "max_requests": env_int("BENCH_REQUESTS", 500),
        "max_seconds": env_int("BENCH_SECONDS", 10),
        "wrk_seconds": env_int("BENCH_WRK_SECONDS", 5),
    }
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()[0]
    if load_before > (os.cpu_count() or 1):
        log(
            f"Warning: the machine is busy (load average {load_before:.1f} on "
            f"{os.cpu_count()} CPUs): the figures will be slower than on a quiet machine."
        )
    # SIGTERM (a CI timeout, kill) unwinds through the finally below, which stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    ensure_database(url)
    setup_django(url, conn_max_age)
    import django
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    generation_seconds = ensure_detainees(wanted, seed, env_int("BENCH_REGENERATE", 0) == 1)
    urls, notes = pick_urls()
    log(f"Search {SEARCH!r} matches {notes['search_matches']} published detainees.")
    log("Counting queries per request (in-process).")
    queries = count_queries(urls)
    connection.close()

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%S")
    port = free_port()
    log(f"Starting gunicorn ({workers} sync workers) on {HOST}:{port}.")
    server = start_gunicorn(port, workers, RESULTS_DIR / f"gunicorn-{stamp}.log")
    try:
        rows, used_wrk = measure(port, urls, **bounds)
    finally:
        stop_gunicorn(server)

    from cases.models import Detainee

    summarise(rows, queries)
    result = {
        "meta": {
            "started": started.isoformat(timespec="seconds"),
            "command": "make bench",
            "commit": git_commit(),
            "database": connection.settings_dict["NAME"],
            "postgresql": connection.pg_version,
            "synthetic_detainees": Detainee.objects.filter(is_synthetic=True).count(),
            **notes,
            "generation_seconds": round(generation_seconds, 1) if generation_seconds else None,
            "gunicorn_workers": workers,
            "conn_max_age": conn_max_age,
            "cpus": os.cpu_count(),
            "load_average_at_start": round(load_before, 2),
            "load_average_at_end": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "django": django.get_version(),
            "wrk": used_wrk,
            **bounds,
        },
        "rows": rows,
    }
    result["targets"] = check_targets(rows)
    header, lines = table(rows)
    print(plain(header, lines))
    print()
    for t in result["targets"]:
        verdict = "met    " if t["met"] else "NOT met"
        print(f"{verdict}  {t['target']} (measured {_fmt(t['measured'])})")
    base = write_results(result, header, lines, stamp)
    print(f"\nSaved {base.with_suffix('.json')} and {base.with_suffix('.md')}")


if __name__ == "__main__":
    main()
