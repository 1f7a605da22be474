"""Write a consistent, timestamped backup of the database and the uploaded files.

    manage.py backup [--dir DIR] [--keep N]

PostgreSQL is dumped with pg_dump's custom format, SQLite with its online backup; both run
while the site keeps serving. See ops/backups.py for what a backup holds.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops import backups


class Command(BaseCommand):
    help = "Back up the database and uploaded files into a new timestamped directory."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="directory",
            default=settings.BACKUP_DIR,
            help="Where backups are kept (default: BACKUP_DIR, %(default)s).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            help="Then delete all but the newest N backups in that directory.",
        )
        parser.add_argument("--database", default="default", help="The database to back up.")

    def handle(self, *args, directory, keep, database, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        path = backups.create(directory, database=database)
        self.stdout.write(f"Backup written to {path}")
        if keep is not None:
            for old in backups.prune(directory, keep):
                self.stdout.write(f"Deleted {old}")
