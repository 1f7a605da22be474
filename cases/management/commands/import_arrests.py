"""Import arrests from a CSV or XLSX file: a dry run, or all rows as drafts.

    manage.py import_arrests FILE --user USERNAME [--dry-run]
        [--confirm-duplicates | --skip-duplicates]

Columns are those of `cases.imports.TEMPLATE_COLUMNS` (the template at /staff/import/template.csv).
Every row is checked first; with an error anywhere, or a possible duplicate without
--confirm-duplicates, nothing is written. Progress goes to stderr, the report to stdout.
"""

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cases import imports


def add_propose_terms(parser):
    """The --propose-terms option, the same for both imports."""
    parser.add_argument(
        "--propose-terms",
        action="store_true",
        help=(
            "Propose unknown vocabulary (no near match) for review instead of refusing the "
            "row; a moderator approves it when publishing the entry that uses it."
        ),
    )


def importer_and_file(username, path):
    """The importing staff user and the file's bytes, or a CommandError saying what is wrong.
    Shared by the import commands."""
    try:
        importer = get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No active user {username!r}.") from None
    if not importer.has_perm("cases.log_entries"):
        raise CommandError(f"{username} may not log entries.")
    try:
        return importer, Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from None


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream, label, width=30):
        self.stream, self.label, self.width = stream, label, width
        self.last = 0.0

    def __call__(self, done, total):
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class _SkipAll(dict):
    """Every possible duplicate's decision: the same person, skip the row."""

    def get(self, _row, default=None):
        return imports.Row.SAME_PERSON


class Command(BaseCommand):
    help = "Import arrests from a CSV or XLSX file as drafts (check with --dry-run first)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="The importing staff user's username.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        add_propose_terms(parser)
        decision = parser.add_mutually_exclusive_group()
        decision.add_argument(
            "--confirm-duplicates",
            action="store_true",
            help="Import rows flagged as possible duplicates as new people.",
        )
        decision.add_argument(
            "--skip-duplicates",
            action="store_true",
            help="Skip rows flagged as possible duplicates (the same people).",
        )

    def handle(
        self, *args, path, user, dry_run, confirm_duplicates, skip_duplicates, propose_terms,
        **options,
    ):  # fmt: skip
        importer, content = importer_and_file(user, path)
        started = time.monotonic()
        stderr = sys.stderr
        if dry_run:
            result = imports.check_file(
                content,
                user=importer,
                filename=path,
                progress=Progress(stderr, "Checking"),
                propose=propose_terms,
            )
        else:
            skip_all = _SkipAll() if skip_duplicates else None
            try:
                result = imports.apply(
                    content, user=importer, filename=path, confirm_duplicates=confirm_duplicates,
                    decisions=skip_all, progress=Progress(stderr, "Importing"),
                    propose=propose_terms,
                )  # fmt: skip
            except imports.ImportRefused as refused:
                self._report(refused.result)
                raise CommandError(str(refused)) from None
        self._report(result)
        elapsed = time.monotonic() - started
        counts = ", ".join(f"{n} {action}" for action, n in result.summary().items() if n)
        verb = "Checked (nothing written)" if dry_run else "Imported"
        self.stdout.write(f"{verb}: {len(result.rows)} rows ({counts}) in {elapsed:.1f} s.")
        if dry_run and (result.has_errors or result.has_duplicates):
            raise CommandError("The file needs attention before it can be imported.")

    def _report(self, result):
        for line in result.messages():
            self.stdout.write(line)
