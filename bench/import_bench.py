"""Time the spreadsheet import of 10,000 plainly fictional arrests through the management command.

    createdb -h 127.0.0.1 -U postgres helper_e_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_e_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_e_bench \\
        .venv/bin/python -m bench.import_bench [--rows 10000]

Writes a CSV of N rows ("Testname Benchov 00001"…, each with another spelling, an occupation,
a court, a new case shared by ten people, two charges and a source URL) and times, with
`manage.py import_arrests`: the dry run, the import, and a dry run of the same file again
(every row "unchanged"). Refuses a database that already holds detainees, so that its numbers
always describe the same work; the people it writes are fictional and named so.
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup():
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def write_file(path, rows):
    from cases.imports import TEMPLATE_COLUMNS

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=TEMPLATE_COLUMNS)
        writer.writeheader()
        for n in range(1, rows + 1):
            writer.writerow({
                "name": f"Testname Benchov {n:05d}", "other_names": f"Тестнаме Бенчов {n:05d}",
                "gender": "unknown", "occupation": "bench-journalist",
                "detained_on": f"2025-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                "court": "bench-court", "case": f"Testname bench case {n // 10:04d}",
                "articles": "901.1, 901.2", "description": "Fictional benchmark row.",
                "source_urls": f"https://bench.example.org/report-{n}",
            })  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from accounts.roles import sync_roles
    from cases import models as m

    if m.Detainee.objects.exists():
        sys.exit("This database already holds detainees: use a fresh one (see the docstring).")
    sync_roles()
    user, _ = get_user_model().objects.get_or_create(username="import-bench")
    user.groups.add(Group.objects.get(name="researcher"))
    m.Occupation.objects.get_or_create(
        slug="bench-journalist", defaults={"name": "Bench journalist"}
    )
    m.Court.objects.get_or_create(slug="bench-court", defaults={"name": "Bench court"})
    code, _ = m.LegalCode.objects.get_or_create(
        slug="bench-code", defaults={"name": "Bench code", "short_name": "BC", "country": "XX"}
    )
    for number in ("901.1", "901.2"):
        m.LegalArticle.objects.get_or_create(code=code, number=number)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        write_file(path, args.rows)
        print(f"{connection.vendor}, {args.rows} rows, {path.stat().st_size / 2**20:.1f} MiB")
        for label, extra in [
            ("dry run", ["--dry-run"]),
            ("import", []),
            ("dry run of the same file again", ["--dry-run"]),
        ]:
            out = io.StringIO()
            started = time.perf_counter()
            call_command("import_arrests", str(path), "--user", user.username, *extra, stdout=out)
            elapsed = time.perf_counter() - started
            print(f"{label}: {elapsed:.1f} s — {out.getvalue().strip().splitlines()[-1]}")
    print(f"detainees: {m.Detainee.objects.count()}, charges: {m.Charge.objects.count()}, "
          f"cases: {m.Case.objects.count()}")  # fmt: skip


if __name__ == "__main__":
    main()
