"""Junk-parameter and rate-limit traffic at a local server: what the cache keeps, what gets 429.

`make abuse` serves the site with gunicorn (2 workers sharing a Redis cache, as app servers do)
on 127.0.0.1, over a throwaway SQLite file of synthetic people, with the production limits
(RATE_LIMIT_*, API_ANON_RATE) and one trusted proxy, so that each request can name its client in
X-Forwarded-For. Then, bounded in count (about 900 requests) and in time (10 s a request):

1. junk parameters: /stats/, /detainees/ and a person's page, each asked 50 times with a different
   unknown or empty parameter (?utm_source=n, ?fbclid=n&q=, shuffled filters), each from its own
   client. Reported: the whole-page cache entries those requests created (one per page is right).
2. floods: one client asks the listing 150 times, the export 15 times, a statistics CSV 70 times,
   the API 70 times. Reported: answers 200, answers 429, and the Retry-After seen.
3. rotation: 40 clients of one IPv6 /64, each with an address of its own, ask the listing four
   times each. Reported: 429s (the /64 is one client, so they come after 120).

It fails (exit 1) when junk parameters create more than one entry per page, when a flood is never
answered 429, or on any server error. Needs Redis (REDIS_URL, default redis://127.0.0.1:6379/14;
the database is flushed before and after).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from bench.run import HOST, free_port

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
PEOPLE = 300


def log(message):
    print(message, flush=True)


def get(port, path, client):
    """(status, headers) of one GET from `client` (its X-Forwarded-For address)."""
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers={"X-Forwarded-For": client, "Host": "localhost"})
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    except (OSError, http.client.HTTPException):
        return None, {}
    finally:
        conn.close()


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def start(env, port, log_path):
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{HOST}:{port}",
         "--workers", "2", "--timeout", "60", "--log-level", "warning",
         "--error-logfile", str(log_path)],
        cwd=BASE_DIR, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log_path}")
        if get(port, "/healthz", "192.0.2.1")[0] == 200:
            return server
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within 30 s; see {log_path}")


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def page_keys(store):
    return sum(1 for _ in store.scan_iter("*public-page*"))


def junk(port, store, person):
    pages = {
        "/stats/": lambda n: f"/stats/?utm_source=n{n}&from=",
        "/detainees/": lambda n: f"/detainees/?fbclid={n}&q=&gender=&junk{n}=1",
        person: lambda n: f"{person}?ref={n}",
    }
    rows, ok = [], True
    for page, junk_url in pages.items():
        before = page_keys(store)
        statuses = [get(port, junk_url(n), f"198.51.100.{n + 1}")[0] for n in range(50)]
        created = page_keys(store) - before
        ok &= created <= 1 and statuses.count(200) == 50
        rows.append({"page": page, "requests": 50, "answered_200": statuses.count(200),
                     "cache_entries_created": created})  # fmt: skip
    return rows, ok


def flood(port, path, count, client):
    answers = [get(port, path, client) for _ in range(count)]
    statuses = [status for status, _headers in answers]
    retry = sorted({h.get("Retry-After") for s, h in answers if s == 429} - {None})
    return {"url": path, "requests": count, "answered_200": statuses.count(200),
            "answered_429": statuses.count(429), "retry_after_seen": retry,
            "server_errors": sum(1 for s in statuses if s is None or s >= 500)}  # fmt: skip


def rotation(port):
    statuses = [
        get(port, "/detainees/?page=2", f"2001:db8:7:7:{n:x}::1")[0]
        for n in range(40)
        for _ in range(4)
    ]
    return {"url": "/detainees/?page=2", "clients": "40 addresses in 2001:db8:7:7::/64",
            "requests": len(statuses), "answered_200": statuses.count(200),
            "answered_429": statuses.count(429)}  # fmt: skip


def main():
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.ConnectionError:
        raise SystemExit(f"make abuse needs Redis at {REDIS_URL} (set REDIS_URL).") from None
    directory = Path(tempfile.mkdtemp(prefix="abuse-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{directory}/abuse.sqlite3",
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "CACHE_URL": REDIS_URL,
        "TRUSTED_PROXY_COUNT": "1",
        # The production defaults, said out loud.
        "RATE_LIMIT_LISTING": "120/min",
        "RATE_LIMIT_EXPORT": "10/min",
        "RATE_LIMIT_STATS": "60/min",
        "API_ANON_RATE": "60/min",
        "LOG_LEVEL": "ERROR",  # not a "Too Many Requests" line per refusal
    }
    env.pop("DATABASE_REPLICA_URL", None)
    server = None
    try:
        log(f"Preparing {PEOPLE} synthetic people in {directory} ...")
        manage(env, "migrate", "--no-input")
        manage(env, "generate_synthetic", str(PEOPLE), "--seed", "1", "--allow-sqlite")
        store.flushdb()
        port = free_port()
        server = start(env, port, directory / "gunicorn.log")
        person = json.loads(
            subprocess.run(
                [sys.executable, "-c", "import django; django.setup(); import json; "
                 "from cases.models import Detainee; "
                 "print(json.dumps(Detainee.objects.published().first().get_absolute_url()))"],
                cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True,
            ).stdout
        )  # fmt: skip
        log("1. Junk parameters (each request from its own client)")
        junk_rows, junk_ok = junk(port, store, person)
        log("2. Floods from one client")
        floods = [
            flood(port, "/detainees/?status=imprisoned", 150, "203.0.113.10"),
            flood(port, "/detainees/export.csv", 15, "203.0.113.11"),
            flood(port, "/stats/held.csv", 70, "203.0.113.12"),
            flood(port, "/api/v1/detainees/", 70, "203.0.113.13"),
        ]
        log("3. Address rotation inside one IPv6 /64")
        rotated = rotation(port)
    finally:
        if server is not None:
            stop(server)
        store.flushdb()
        shutil.rmtree(directory, ignore_errors=True)
    result = {"junk_parameters": junk_rows, "floods": floods, "rotation": rotated}
    print(json.dumps(result, indent=2))
    problems = []
    if not junk_ok:
        problems.append("junk parameters created more than one cache entry per page")
    problems += [f"{f['url']}: never answered 429" for f in floods if not f["answered_429"]]
    problems += [f"{f['url']}: server errors" for f in floods if f["server_errors"]]
    if not rotated["answered_429"]:
        problems.append("rotating addresses inside one /64 escaped the limit")
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))
    log("abuse: every check held")


if __name__ == "__main__":
    main()
