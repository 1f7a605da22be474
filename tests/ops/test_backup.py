"""Backups proven by restoring them: every public response byte for byte, and the history intact.

The round trip runs on the database the suite runs on: PostgreSQL (pg_dump and pg_restore) when
DATABASE_URL says so, as CI does, and SQLite's online backup otherwise. pg_dump reads from its own
connection and sees only committed rows, hence `transaction=True`.
"""

import json
import subprocess
import sys
import tarfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection

from cases import models as m
from cases import services
from cases.stats import CHART_NAMES
from ops import backups

ROOT = Path(__file__).resolve().parents[2]


def public_urls():
    """Every public page, export, API response and feed over the data, in each language."""
    urls = [
        "/", "/detainees/", "/detainees/?occupation=journalist&sort=-detained",
        "/detainees/?q=mammadova", "/cases/", "/echr/", "/stats/", "/about/methodology/",
        "/data/", "/az/", "/az/detainees/", "/ru/detainees/", "/ru/stats/",
        "/detainees/export.csv", "/detainees/export.csv?status=pre_trial",
        "/api/v1/detainees/", "/api/v1/detainees/?occupation=journalist", "/api/v1/cases/",
        "/api/v1/echr-applications/", "/api/v1/execution-groups/", "/api/v1/schema/",
        "/feeds/updates.atom",
        *[f"/stats/{chart}.csv" for chart in CHART_NAMES],
    ]  # fmt: skip
    # Unpublished entries too: their 404 must not change either.
    for slug in m.Detainee.objects.values_list("slug", flat=True):
        urls += [f"/detainees/{slug}/", f"/api/v1/detainees/{slug}/", f"/ru/detainees/{slug}/"]
    for slug in m.Case.objects.values_list("slug", flat=True):
        urls += [f"/cases/{slug}/", f"/api/v1/cases/{slug}/"]
    for slug in m.ExecutionGroup.objects.values_list("slug", flat=True):
        urls += [f"/echr/groups/{slug}/", f"/api/v1/execution-groups/{slug}/"]
    for number in m.EchrApplication.objects.values_list("number", flat=True):
        urls.append(f"/api/v1/echr-applications/{number}/")
    return urls


def fetch_all(client, urls):
    cache.clear()  # nothing served from a page cached before: every response is rendered afresh
    responses = {}
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        responses[url] = (response.status_code, response["Content-Type"], body)
    return responses


def history_state():
    """Every history table's row count, and each detainee's latest recorded change."""
    counts = {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("cases").get_models()
        if model.__name__.startswith("Historical")
    }
    latest = {
        detainee.pk: detainee.history.values_list(
            "history_id", "history_date", "history_type", "history_user_id",
            "history_change_reason", "name", "state", "version",
        ).first()
        for detainee in m.Detainee.objects.all()
    }  # fmt: skip
    return counts, latest


@contextmanager
def new_empty_database(tmp_path):
    """Point the default connection at a new, empty database, then back and drop it."""
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    connection.ensure_connection()
    test_connection = connection.connection
    if connection.vendor == "postgresql":
        name = f"{original}_restore"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
    else:
        name = str(tmp_path / "restored.sqlite3")
        # SQLite's test database lives in memory as long as its connection does: set the
        # connection aside rather than close it.
        connection.connection = None
    settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = original
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            connection.connection = test_connection


@pytest.fixture
def backup_dir(tmp_path):
    return tmp_path / "backups"


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_gives_byte_identical_public_responses(
    world, moderator, client, backup_dir, tmp_path
):
    services.publish(entry=world["in_review"], moderator=moderator)  # history with who and why
    urls = public_urls()
    before = fetch_all(client, urls)
    history_before = history_state()
    assert sum(status == 200 for status, _, _ in before.values()) > 30
    assert "Testname Aysel" in before["/detainees/export.csv"][2].decode()
    assert history_before[0]["HistoricalDetainee"] > len(world)

    call_command("backup", directory=str(backup_dir))
    [backup] = backup_dir.iterdir()
    with new_empty_database(tmp_path):
        assert connection.introspection.table_names() == []
        call_command("restore", str(backup))
        after = fetch_all(client, urls)
        history_after = history_state()

    assert [url for url in urls if before[url] != after[url]] == []
    assert history_after == history_before


@pytest.mark.django_db(transaction=True)
def test_backup_writes_a_manifest_with_each_files_checksum(world, backup_dir):
    call_command("backup", directory=str(backup_dir))
    [backup] = backup_dir.iterdir()
    manifest = json.loads((backup / "manifest.json").read_text())
    database_file = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}[connection.vendor]
    assert backup.name.startswith("tracker-")
    assert manifest["vendor"] == connection.vendor
    assert "cases.0001_initial" in manifest["migrations"]
    assert manifest["files"] == {database_file: backups._sha256(backup / database_file)}
    assert backup.stat().st_mode & 0o077 == 0  # staff-only data: readable by its owner only


@pytest.mark.django_db(transaction=True)
def test_uploaded_files_are_backed_up_and_restored(make_detainee, backup_dir, tmp_path, settings):
    make_detainee()
    media = tmp_path / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "portrait.jpg").write_bytes(b"fictional image")
    (media / "tmp" / "imports").mkdir(parents=True)
    (media / "tmp" / "imports" / "preview.csv").write_text("waiting for confirmation")
    settings.MEDIA_ROOT = str(media)
    call_command("backup", directory=str(backup_dir))
    [backup] = backup_dir.iterdir()
    with tarfile.open(backup / "media.tar") as tar:
        assert tar.getnames() == ["photos/portrait.jpg"]

    settings.MEDIA_ROOT = str(tmp_path / "restored-media")
    with new_empty_database(tmp_path):
        call_command("restore", str(backup))
    assert (tmp_path / "restored-media/photos/portrait.jpg").read_bytes() == b"fictional image"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_backup(make_detainee, backup_dir):
    make_detainee("Testname Kept")
    call_command("backup", directory=str(backup_dir))
    [backup] = backup_dir.iterdir()
    database_file = next(backup.glob("database.*"))
    damaged = bytearray(database_file.read_bytes())
    damaged[-1] ^= 0xFF
    database_file.write_bytes(damaged)
    m.Detainee.objects.update(name="Testname Changed since")
    with pytest.raises(CommandError, match=r"damaged: database\.\w+ does not match its SHA-256"):
        call_command("restore", str(backup), force=True)
    assert list(m.Detainee.objects.values_list("name", flat=True)) == ["Testname Changed since"]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_of_another_database_vendor(make_detainee, backup_dir):
    make_detainee()
    call_command("backup", directory=str(backup_dir))
    [backup] = backup_dir.iterdir()
    manifest = json.loads((backup / "manifest.json").read_text())
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    manifest["vendor"] = other
    (backup / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match=f"This backup is of a {other} database"):
        call_command("restore", str(backup), force=True)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(make_detainee, backup_dir):
    make_detainee()
    call_command("backup", directory=str(backup_dir))
    [backup] = backup_dir.iterdir()
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(backup))


@pytest.mark.django_db(transaction=True)
def test_restore_with_force_replaces_a_database_that_is_not_empty(make_detainee, backup_dir):
    make_detainee("Testname Backed up")
    call_command("backup", directory=str(backup_dir))
    [backup] = backup_dir.iterdir()
    m.Detainee.objects.update(name="Testname Changed since")
    call_command("restore", str(backup), force=True)
    assert list(m.Detainee.objects.values_list("name", flat=True)) == ["Testname Backed up"]


def test_restore_of_a_directory_that_is_no_backup_exits_with_a_clear_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"{tmp_path} is not a backup: it has no manifest.json." in result.stderr


@pytest.mark.django_db(transaction=True)
def test_keep_deletes_all_but_the_newest_backups(make_detainee, backup_dir):
    make_detainee()
    for name in ["tracker-20250101T000000Z", "tracker-20250102T000000Z"]:
        (backup_dir / name).mkdir(parents=True)
        (backup_dir / name / "manifest.json").write_text("{}")
    (backup_dir / "notes").mkdir()
    call_command("backup", directory=str(backup_dir), keep=2)
    remaining = sorted(p.name for p in backup_dir.iterdir())
    assert remaining[0] == "notes"
    assert remaining[1] == "tracker-20250102T000000Z"
    assert len(remaining) == 3


def test_the_database_password_never_reaches_a_command_line(monkeypatch):
    calls = []

    def run(args, **kwargs):
        calls.append((args, kwargs["env"]))
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(subprocess, "run", run)

    class Connection:
        settings_dict = {"NAME": "tracker", "USER": "app", "PASSWORD": "s3cret", "HOST": "db"}

    backups._run("pg_dump", "--format=custom", env=backups._pg_env(Connection()))
    [(args, env)] = calls
    assert "s3cret" not in " ".join(args)
    assert (env["PGPASSWORD"], env["PGUSER"], env["PGHOST"]) == ("s3cret", "app", "db")
    assert env["PGDATABASE"] == "tracker"


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_no_live_session(client_for, moderator, make_detainee, backup_dir, tmp_path):
    from django.contrib.sessions.models import Session

    make_detainee("Testname Backed up")
    client_for(moderator).get("/staff/")
    assert Session.objects.exists()
    call_command("backup", directory=str(backup_dir))
    [backup] = backup_dir.iterdir()
    with new_empty_database(tmp_path):
        call_command("restore", str(backup))
        assert not Session.objects.exists()
        assert m.Detainee.objects.filter(name="Testname Backed up").exists()
