"""Restore a backup written by `manage.py backup` into the configured database.

    manage.py restore PATH [--force]

Checks the backup's checksums and database vendor first and refuses a database that is not
empty unless --force is given. Stop the app servers first: the cache is cleared afterwards, so
no page cached before the restore is served after it.
"""

from django.core.cache import cache
from django.core.management.base import BaseCommand

from ops import backups


class Command(BaseCommand):
    help = "Restore a backup directory into the configured (empty) database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A backup directory (tracker-YYYYMMDDTHHMMSSZ).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database is not empty, replacing what the backup holds.",
        )
        parser.add_argument("--database", default="default", help="The database to restore into.")

    def handle(self, *args, path, force, database, **options):
        notes = backups.restore(path, database=database, force=force)
        # A restored database can carry an older data version than pages cached since.
        cache.clear()
        self.stdout.write(f"Restored {path}")
        for note in notes:
            self.stderr.write(note)
