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
