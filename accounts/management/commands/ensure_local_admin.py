import os
import secrets
import shlex

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.urls import reverse

# Commands printed for the user to run as written, from the project's folder (`make run` uses the
# project's own virtual environment, not whatever `python` the shell finds).
MANAGE = ".venv/bin/python manage.py"


def sign_in_url(host, port):
    """The address a browser reaches the server on: a wildcard bind answers on the loopback."""
    if host in {"0.0.0.0", "", "::", "[::]"}:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{reverse('login')}"


class Command(BaseCommand):
    help = (
        "On the local SQLite database only: create an 'admin' superuser with a generated password "
        "and print it once. Does nothing on any other database or when the account exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--host", default="127.0.0.1", help="where runserver listens")
        parser.add_argument("--port", default="8000", help="where runserver listens")

    def handle(self, *args, username, host, port, **options):
        url = sign_in_url(host, port)
        if connection.vendor != "sqlite":
            database = os.environ.get("DATABASE_URL", "")
            prefix = f"DATABASE_URL={shlex.quote(database)} " if database else ""
            self.stdout.write(
                "Not the local SQLite database: no account created. Create one with:\n"
                f"  {prefix}{MANAGE} createsuperuser\n"
                f"then sign in at {url}"
            )
            return
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Sign in at {url} as '{username}' (its password was printed when the account was "
                f"created; set a new one with: {MANAGE} changepassword {shlex.quote(username)})"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the local admin account.\n"
                f"  Sign in at {url} as '{username}' with password: {password}\n"
                "  (shown this once; the first sign-in sets up two-factor sign-in with an "
                "authenticator app)"
            )
        )
