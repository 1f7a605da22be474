"""Write the whole published dataset as open data: CSV files, one JSON file, a data dictionary.

    manage.py dump_open_data [--output DIR] [--base-url URL]

Writes detainees.csv (the columns of /detainees/export.csv), events.csv, charges.csv, cases.csv,
echr_applications.csv, execution_groups.csv, dataset.json (the same tables as JSON, values
unchanged) and data_dictionary.md (every column explained), in English. Published entries and
public fields only, as every public surface. Rows come in a fixed order and are read a chunk at a
time, so two runs on the same day over the same data write byte-identical files, in memory that
does not grow with the data. Each file is written beside its final name and then moved into
place, so a reader never sees half a file.
"""

import os
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from cases import exports


def data_dictionary(as_of):
    lines = [
        "# Data dictionary",
        "",
        f"Open data from the political prisoner case tracker, as of {as_of.isoformat()}.",
        "",
        *[f"- {note}" for note in exports.NOTES],
        "- `dataset.json` holds the same tables as the CSV files: "
        '`{"as_of": ..., "tables": {"detainees": [...], ...}}`, one object per row, keyed by '
        "the column names below, with lists as arrays and empty cells as null.",
        "",
    ]
    for table in exports.TABLES:
        lines += [f"## {table.filename}", "", str(table.description), ""]
        lines += ["| column | meaning |", "|---|---|"]
        lines += [
            f"| `{name}` | {str(description).replace('|', '\\|')} |"
            for name, description in table.columns.items()
        ]
        lines.append("")
    return "\n".join(lines)


@contextmanager
def _replacing(path):
    """A file written beside `path` and moved into place once complete."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _also_as_json(records, out):
    """Pass the records on, writing each to the JSON file too: one reading serves both files."""
    for n, record in enumerate(records):
        out.write(f"{',' if n else ''}\n{exports.json_line(record)}")
        yield record


class Command(BaseCommand):
    help = "Write every published entry as CSV and JSON open-data files with a data dictionary."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default="open-data", help="Directory to write to (default: open-data)."
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="The site's address, for the page links in the files "
            "(default: http://127.0.0.1:8000).",
        )

    def handle(self, *args, output, base_url, **options):
        directory = Path(output)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create {directory}: {error}") from error
        base_url = base_url.rstrip("/")
        as_of = timezone.localdate()
        started = time.perf_counter()
        with translation.override("en"), _replacing(directory / "dataset.json") as json_out:
            # dataset.json: one row per line, so that a diff between two dumps reads well.
            json_out.write(f'{{"as_of": "{as_of.isoformat()}", "tables": {{')
            for n, table in enumerate(exports.TABLES):
                json_out.write(f'{"," if n else ""}\n"{table.name}": [')
                records = exports.table_records(table, base_url=base_url, today=as_of)
                lines = exports.csv_lines(list(table.columns), _also_as_json(records, json_out))
                with _replacing(directory / table.filename) as out:
                    out.writelines(lines)
                json_out.write("\n]")
                size = (directory / table.filename).stat().st_size
                self.stdout.write(f"{table.filename}: {size:,} bytes")
            json_out.write("\n}}\n")
        with _replacing(directory / "data_dictionary.md") as out:
            out.write(data_dictionary(as_of))
        self.stdout.write(
            f"Wrote the open data to {directory} in {time.perf_counter() - started:.1f}s."
        )
