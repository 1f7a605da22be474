import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = (
        "On the local SQLite database only: create an 'admin' superuser with a generated password "
        "and print it once. Does nothing on any other database or when the account exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if connection.vendor != "sqlite":
            self.stdout.write("Not the local SQLite database: no account created.")
            return
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Local admin account '{username}' exists (its password was printed when it was "
                "created; reset it with: manage.py changepassword admin)."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the local admin account.\n"
                f"  Sign in at http://127.0.0.1:8000/admin/ as '{username}' "
                f"with password: {password}\n  (shown this once)"
            )
        )
