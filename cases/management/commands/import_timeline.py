"""Import people's timelines from a CSV or XLSX file: one row per procedural event.

    manage.py import_timeline FILE --user USERNAME [--dry-run]
    manage.py import_timeline --template        # the template, with an example, on stdout

Columns are those of `cases.timelines.COLUMNS` (`--template` prints them with an example person;
`--columns` describes each). Every row is checked first; with an error anywhere nothing is
written. Rows for a published person become one pending change per person.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from cases import imports, timelines
from cases.management.commands.import_arrests import add_propose_terms, importer_and_file


class Command(BaseCommand):
    help = "Import timelines (one row per event) from a CSV or XLSX file (--dry-run first)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?")
        parser.add_argument("--user", help="The importing staff user's username.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--template", action="store_true", help="Print the template with an example."
        )
        parser.add_argument("--columns", action="store_true", help="Describe every column.")
        add_propose_terms(parser)

    def handle(self, *args, path, user, dry_run, template, columns, propose_terms, **options):
        if template:
            self.stdout.write(timelines.template_csv(), ending="")
            return
        if columns:
            for column in timelines.COLUMNS:
                required = " (required)" if column in timelines.REQUIRED else ""
                self.stdout.write(f"{column}{required}: {timelines.COLUMN_HELP[column]}")
            return
        if not path or not user:
            raise CommandError("Give the file and --user (or --template, or --columns).")
        importer, content = importer_and_file(user, path)
        started = time.monotonic()
        if dry_run:
            result, _people = timelines.check_file(
                content, user=importer, filename=path, propose=propose_terms
            )
        else:
            try:
                result = timelines.apply(
                    content, user=importer, filename=path, propose=propose_terms
                )
            except imports.ImportRefused as refused:
                if refused.result is not None:
                    self._report(refused.result)
                raise CommandError(str(refused)) from None
        self._report(result)
        elapsed = time.monotonic() - started
        counts = ", ".join(f"{n} {action}" for action, n in result.summary().items() if n)
        verb = "Checked (nothing written)" if dry_run else "Imported"
        self.stdout.write(f"{verb}: {len(result.rows)} rows ({counts}) in {elapsed:.1f} s.")
        if dry_run and result.has_errors:
            raise CommandError("The file needs attention before it can be imported.")

    def _report(self, result):
        for line in result.messages():
            self.stdout.write(line)
