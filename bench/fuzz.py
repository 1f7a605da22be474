"""`make fuzz`: hostile requests against the public listing, export, statistics and API.

Two fuzzers, both in-process (no server, no network), against a throwaway database of synthetic
people (`generate_synthetic`: published, draft and retracted) plus a few drafts of our own:

- hypothesis builds query strings for every public listing, the CSV export, the statistics page
  and its CSV charts, the API lists and the detail pages, under /, /az/ and /ru/: the real
  parameter names (cases/filters.py, the pagination, the statistics range) and random ones, with
  real values and hostile ones (huge and negative numbers, impossible dates, NUL bytes, SQL, very
  long strings, broken percent-encodings, repeated keys). Requests go through Django's test Client.
- schemathesis reads the OpenAPI schema from /api/v1/schema/ (through WSGI) and sends each API
  operation the cases it generates, valid and invalid, with its `not_a_server_error` check.

Any 5xx, or any exception raised by a view, fails the run; hypothesis then shrinks the request to
a minimal one and prints it. A draft's page must answer 404. The run prints the requests sent per
target and exits non-zero on a failure. tests/fuzz/ runs the same fuzzers, smaller, in `make test`.

Environment (all optional):
    FUZZ_EXAMPLES       1000 hypothesis examples per target (eight targets)
    FUZZ_API_EXAMPLES   250 schemathesis cases per API operation, valid and invalid apiece
    FUZZ_SEED           1; the same seed sends the same requests. Change it to explore further.
    DATABASE_URL        a postgres:// URL fuzzes on PostgreSQL, in a database of its own named after
                        it with "_fuzz" appended, created first and dropped at the end. Without
                        it, a SQLite file in a temporary directory.
"""

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

BASE_DIR = Path(__file__).resolve().parent.parent
PREFIXES = ["/", "/az/", "/ru/"]
SYNTHETIC_DETAINEES = 60

# The listing's filters (cases/filters.py), its pagination, and the statistics range.
FILTER_NAMES = [
    "q", "status", "occupation", "organization", "case", "article", "gender",
    "detained_from", "detained_to", "held_on", "echr", "sort",
]  # fmt: skip
PAGE_NAMES = ["page", "per_page", "format", "language"]
STATS_NAMES = ["from", "to"]
TARGETS = [
    "listing", "export", "stats", "stats-csv", "api-detainees", "api-other-lists",
    "other-listings", "details",
]  # fmt: skip

HOSTILE = [
    "", " ", "0", "-1", "-0", "+1", "1.5", "1e309", "NaN", "inf", "0x1F", "٣", "２",
    str(2**63), str(-(2**63) - 1), "9" * 400,
    "2024-02-30", "2024-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01",
    "2024-2-3", "29.04.2024", "2024-04-29T00:00:00", "-2024-01-01",
    "2025-00", "2025-13", "0000-01", "9999-12", "99999-01", "1899-12", "2025-4",
    "' OR '1'='1", "1; DROP TABLE cases_detainee; --", "%' --", "\\", '"', "`", "*", "%", "_",
    "<script>alert(1)</script>", "{{ 7*7 }}", "../../etc/passwd",
    "\x00", "a\x00b", "\u202e", "\ufeff", "\r\n", "ə", "Ağa", "Алиев", "🙂",
    "a" * 5000, "206..3", ".", "206.", "206.3.2" * 10,
]  # fmt: skip
# Fragments appended to a query string as they are, to break its encoding.
RAW_FRAGMENTS = [
    "%", "%zz", "%FF%FE", "%C0%AF", "%E2%82", "%00", "&&", "=", "==", "+", "status",
    "status=%ZZ", "page=1&page=2", "q=%ED%A0%80", "per_page=%F0%9F",
]  # fmt: skip

text = st.text(st.characters(codec="utf-8"), max_size=40)


def hostile_values():
    return st.one_of(st.sampled_from(HOSTILE), st.integers().map(str), text)


def real_values(data):
    """{parameter: valid values}, from the fuzz database's own slugs and numbers."""
    from cases.filters import PER_PAGE_CHOICES, SORTS, YES_NO
    from cases.models import Gender, Status

    return {
        "status": Status.values,
        "gender": Gender.values,
        "sort": list(SORTS),
        "echr": [value for value, _label in YES_NO],
        "occupation": data["occupations"],
        "organization": data["organizations"],
        "case": data["cases"],
        "article": data["articles"] or ["206"],
        "detained_from": ["2015-01-01", "2020-06-30"],
        "detained_to": ["2022-12-31", "2026-06-30"],
        "held_on": ["2021-03-01", "2025-01-31"],
        "q": ["Testname", "synthov", "Synthov 00001"],
        "page": ["1", "2", "3", "last"],
        "per_page": [str(n) for n in PER_PAGE_CHOICES],
        "from": ["2020-01", "2024-06"],
        "to": ["2025-12", "2026-06"],
    }


def query_strings(names, real):
    """Query strings: real names (real or hostile values), random names, broken fragments."""

    def value_for(name):
        return st.one_of(st.sampled_from(real.get(name) or [""]), hostile_values())

    named = st.sampled_from(names).flatmap(lambda name: st.tuples(st.just(name), value_for(name)))
    anything = st.tuples(text, hostile_values())
    pair = st.one_of(named, named, anything).map(lambda kv: urllib.parse.urlencode([kv]))
    part = st.one_of(pair, pair, pair, st.sampled_from(RAW_FRAGMENTS))
    return st.lists(part, max_size=8).map("&".join)


def slugs(known):
    """Real slugs, and others the URL patterns may or may not accept."""
    return st.one_of(
        st.sampled_from(known),
        st.from_regex(r"[-a-zA-Z0-9_]{1,90}", fullmatch=True),
        text.map(lambda t: urllib.parse.quote(t, safe="")),
    )


def targets(data):
    """{target: strategy of (path, query string)}: what the hypothesis fuzzer sends."""
    from cases.stats import CHART_NAMES

    real = real_values(data)
    listing = query_strings(FILTER_NAMES + PAGE_NAMES, real)
    stats = query_strings(FILTER_NAMES + STATS_NAMES, real)
    prefix = st.sampled_from(PREFIXES)
    chart = st.one_of(
        st.sampled_from(CHART_NAMES), st.from_regex(r"[-a-z0-9_]{1,30}", fullmatch=True)
    )
    api_list = st.sampled_from(["cases", "echr-applications", "execution-groups"])
    pages = query_strings(PAGE_NAMES, real)
    published, drafts = data["published"], data["drafts"]
    numbers = st.one_of(
        st.sampled_from(data["applications"]), st.from_regex(r"\d{1,7}/\d{1,3}", fullmatch=True)
    )
    details = st.one_of(
        st.tuples(prefix, slugs(published + drafts)).map(lambda p: f"{p[0]}detainees/{p[1]}/"),
        st.tuples(prefix, slugs(data["cases"] + data["draft_cases"])).map(
            lambda p: f"{p[0]}cases/{p[1]}/"
        ),
        st.tuples(prefix, slugs(data["groups"])).map(lambda p: f"{p[0]}echr/groups/{p[1]}/"),
        slugs(published + drafts).map(lambda s: f"/api/v1/detainees/{s}/"),
        slugs(data["cases"]).map(lambda s: f"/api/v1/cases/{s}/"),
        slugs(data["groups"]).map(lambda s: f"/api/v1/execution-groups/{s}/"),
        numbers.map(lambda n: f"/api/v1/echr-applications/{n}/"),
    )  # fmt: skip
    strategies = {
        "listing": st.tuples(prefix.map(lambda p: f"{p}detainees/"), listing),
        "export": st.tuples(prefix.map(lambda p: f"{p}detainees/export.csv"), listing),
        "stats": st.tuples(prefix.map(lambda p: f"{p}stats/"), stats),
        "stats-csv": st.tuples(
            st.tuples(prefix, chart).map(lambda p: f"{p[0]}stats/{p[1]}.csv"), stats
        ),
        "api-detainees": st.tuples(st.just("/api/v1/detainees/"), listing),
        "api-other-lists": st.tuples(api_list.map(lambda n: f"/api/v1/{n}/"), pages),
        "other-listings": st.tuples(
            st.tuples(prefix, st.sampled_from(["cases/", "echr/", ""])).map("".join), pages
        ),
        "details": st.tuples(details, pages),
    }
    assert list(strategies) == TARGETS
    return strategies


def fuzz_data():
    """The slugs and numbers the fuzzers aim at, read from the database."""
    from cases import models as m

    def slugs_of(queryset):
        return list(queryset.order_by("pk").values_list("slug", flat=True))

    published = m.Detainee.objects.published()
    return {
        "published": slugs_of(published),
        "drafts": slugs_of(m.Detainee.objects.exclude(pk__in=published)),
        "cases": slugs_of(m.Case.objects.published()),
        "draft_cases": slugs_of(m.Case.objects.exclude(state=m.State.PUBLISHED)),
        "groups": slugs_of(m.ExecutionGroup.objects.all()),
        "occupations": slugs_of(m.Occupation.objects.all()),
        "organizations": slugs_of(m.Organization.objects.all()),
        "articles": list(m.LegalArticle.objects.values_list("number", flat=True)[:20]),
        "applications": list(m.EchrApplication.objects.values_list("number", flat=True)[:20]),
    }


def make_fuzz_data(detainees=SYNTHETIC_DETAINEES):
    """Synthetic people (published, draft, retracted), three more drafts and a draft case."""
    from django.core.management import call_command

    from cases import models as m

    call_command("generate_synthetic", detainees, seed=1, allow_sqlite=True, verbosity=0)
    for n in range(3):
        m.Detainee.objects.create(
            name=f"Testname Fuzzdraft {n}", state=m.State.DRAFT, is_synthetic=True
        )
    m.Case.objects.create(name="Synthetic fuzz draft case", state=m.State.DRAFT, is_synthetic=True)


@contextlib.contextmanager
def connections_kept_open():
    """Requests sent through WSGI, like the test Client's, keep the database connection.

    The WSGI handler closes connections at the end of each request: in a test, that would close
    the connection inside the test's transaction.
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def run_examples(check, strategy, examples, fuzz_seed):
    """Call check(example) for `examples` examples; hypothesis shrinks and re-raises a failure."""

    @seed(fuzz_seed)
    @settings(
        max_examples=examples,
        database=None,  # no examples saved for the next run: the seed replays this one
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(strategy)
    def fuzz(example):
        check(example)

    fuzz()


class Fuzzer:
    """Sends the requests, counts them per target, and fails on a server error."""

    def __init__(self, data, fuzz_seed=1):
        from django.test import Client

        self.data = data
        self.seed = fuzz_seed
        self.counts = Counter()
        self.statuses = Counter()  # of the hypothesis requests: most should not be 404
        self.client = Client()  # a view's exception is raised here, not hidden behind a 500
        self.drafts = {
            path
            for slug in data["drafts"]
            for path in (f"/detainees/{slug}/", f"/api/v1/detainees/{slug}/")
        }

    def get(self, target, path, query, **headers):
        url = f"{path}?{query}" if query else path
        try:
            response = self.client.get(url, **headers)
            if response.streaming:
                b"".join(response.streaming_content)  # a CSV export fails while it is sent
        except Exception as error:
            raise AssertionError(f"{type(error).__name__} for GET {url!r}: {error}") from error
        self.counts[target] += 1
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, f"{response.status_code} for GET {url!r}"
        if path.removeprefix("/az").removeprefix("/ru") in self.drafts:
            assert response.status_code == 404, f"{response.status_code} for a draft: {url!r}"
        return response

    def hypothesis_target(self, target, examples):
        languages = st.sampled_from(["", "az", "ru", "en", "xx", "*", "az;q=abc"])

        def check(example):
            (path, query), language = example
            headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
            self.get(target, path, query, **headers)

        run_examples(check, st.tuples(targets(self.data)[target], languages), examples, self.seed)

    def schemathesis_operations(self, examples):
        """Every operation of the API's schema, with valid and with invalid cases."""
        import schemathesis
        from hypothesis.errors import Unsatisfiable
        from schemathesis.checks import not_a_server_error

        from config.wsgi import application

        with connections_kept_open():
            schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
            for result in schema.get_all_operations():
                operation = result.ok()
                for mode in schemathesis.GenerationMode:
                    target = f"schemathesis {operation.label} ({mode.value})"

                    def check(case, target=target):
                        self.counts[target] += 1
                        case.call_and_validate(checks=[not_a_server_error])

                    strategy = operation.as_strategy(generation_mode=mode)
                    try:
                        run_examples(check, strategy, examples, self.seed)
                    except Unsatisfiable:
                        # No case to send: nothing violates a detail's schema (its one parameter
                        # is any string), and an application's number holds a "/", which
                        # schemathesis never puts in a path. The "details" target covers both.
                        self.counts.setdefault(target, 0)  # listed in the report, with no request

    def run(self, examples, api_examples, progress=lambda message: None):
        for target in TARGETS:
            started = time.monotonic()
            self.hypothesis_target(target, examples)
            progress(f"{target}: {self.counts[target]:,} in {time.monotonic() - started:.0f} s")
        started = time.monotonic()
        self.schemathesis_operations(api_examples)
        progress(f"schemathesis: done in {time.monotonic() - started:.0f} s")
        return self.counts


# --- The command: a throwaway database, the run, a report ---------------------------------------


def log(message):
    print(message, file=sys.stderr, flush=True)


def postgres_admin(url):
    """A psycopg connection to the server's `postgres` database, and the fuzz database's name."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    params = {
        "dbname": "postgres",
        "host": config.get("HOST"),
        "port": config.get("PORT"),
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
    }
    connection = psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)
    return connection, f"{config['NAME']}_fuzz"


@contextlib.contextmanager
def throwaway_database():
    """Yield the URL of an empty database that is removed afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if urllib.parse.urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}:
        from psycopg import sql

        admin, name = postgres_admin(url)
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        with admin:
            admin.execute(drop)
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            try:
                yield urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()
            finally:
                from django.db import connections

                connections.close_all()
                admin.execute(drop)
    else:
        directory = tempfile.mkdtemp(prefix="fuzz-")
        try:
            yield f"sqlite:///{directory}/fuzz.sqlite3"
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def setup_django(url):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "0",  # as in production: no debug pages, errors are plain 500s
            "DJANGO_ALLOWED_HOSTS": "localhost,testserver",
            "API_ANON_RATE": "1000000/s",  # the fuzzer is one client; a 429 would hide the API
            "RATE_LIMIT_LISTING": "off",  # and the pages behind it
            "RATE_LIMIT_EXPORT": "off",
            "RATE_LIMIT_STATS": "off",
            "CACHE_URL": "locmemcache://",
        }
    )
    os.environ.pop("DATABASE_REPLICA_URL", None)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    import config.wsgi  # noqa: F401 - sets Django up again, logging included, before the line below

    # Not the thousands of 404s the fuzzer asks for; errors still show.
    logging.getLogger("django.request").setLevel(logging.ERROR)


def main():
    examples = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
    api_examples = int(os.environ.get("FUZZ_API_EXAMPLES", "250"))
    fuzz_seed = int(os.environ.get("FUZZ_SEED", "1"))
    started = time.monotonic()
    failure = None
    with throwaway_database() as url:
        setup_django(url)
        from django.core.management import call_command
        from django.db import connection

        log(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        make_fuzz_data()
        fuzzer = Fuzzer(fuzz_data(), fuzz_seed)
        log(
            f"Fuzzing: {examples} examples per target, {api_examples} per API operation and "
            f"mode, seed {fuzz_seed}."
        )
        try:
            fuzzer.run(examples, api_examples, progress=log)
        except Exception as error:  # reported below, with the counts so far
            failure = error
        counts, statuses = fuzzer.counts, fuzzer.statuses
    seconds = time.monotonic() - started
    width = max(map(len, counts), default=10)
    for target, n in counts.items():
        print(f"{target:<{width}}  {n:>7,}")
    print(f"{'total':<{width}}  {sum(counts.values()):>7,} requests in {seconds:.0f} s")
    print("Hypothesis answers:", ", ".join(f"{n:,} × {code}" for code, n in statuses.most_common()))
    if failure is not None:
        print(f"FAILED: {type(failure).__name__}: {failure}")
        raise SystemExit(1) from failure
    print("Server errors: 0")


if __name__ == "__main__":
    main()
