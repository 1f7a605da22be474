import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_local_admin_is_created_once_on_sqlite_only(capsys):
    call_command("ensure_local_admin")
    first = capsys.readouterr().out
    call_command("ensure_local_admin")
    second = capsys.readouterr().out
    User = get_user_model()
    if connection.vendor == "sqlite":
        admin = User.objects.get(username="admin")
        password = first.split("password: ")[1].split()[0]
        assert admin.is_superuser and admin.check_password(password)
        assert password not in second
        assert User.objects.count() == 1
    else:
        assert not User.objects.exists()
        assert "no account created" in first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", "8103", "http://127.0.0.1:8103/accounts/login/"),
        ("0.0.0.0", "9000", "http://127.0.0.1:9000/accounts/login/"),
        ("::1", "8000", "http://[::1]:8000/accounts/login/"),
    ],
)
def test_the_sign_in_line_names_the_address_runserver_listens_on(capsys, host, port, url):
    call_command("ensure_local_admin", host=host, port=port)
    first = capsys.readouterr().out
    call_command("ensure_local_admin", host=host, port=port)
    again = capsys.readouterr().out
    if connection.vendor == "sqlite":
        assert f"Sign in at {url} as 'admin' with password: " in first
        # The hint for a lost password runs as written from the project's folder.
        assert f"Sign in at {url} as 'admin'" in again
        assert ".venv/bin/python manage.py changepassword admin" in again
    else:
        assert ".venv/bin/python manage.py createsuperuser" in first
        assert f"then sign in at {url}" in first
