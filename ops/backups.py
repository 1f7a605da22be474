"""Backups of the database and the uploaded files, and restoring them.

A backup is one directory, `tracker-YYYYMMDDTHHMMSSZ` (UTC), holding:

- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite's
  online backup): both are consistent snapshots taken while the site keeps running;
- `media.tar`, when MEDIA_ROOT holds any uploaded files (temporary import files excepted);
- `manifest.json`: the database vendor, the applied migrations, the time and each file's SHA-256.

It is written under a hidden temporary name and renamed once complete, so a backup directory
that exists is whole. Backups hold staff-only data (relatives' and lawyers' contacts): the
directory is readable by its owner only.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from contextlib import closing
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

PREFIX = "tracker-"
MANIFEST = "manifest.json"
MEDIA = "media.tar"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
SESSION_TABLE = "django_session"
# Files waiting between an import's preview and its confirmation: not worth restoring.
MEDIA_SKIPPED = {"tmp"}


def create(directory, *, database="default"):
    """Write a backup into `directory` and return its path."""
    connection = connections[database]
    if connection.vendor not in DATABASE_FILES:
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    directory = Path(directory)
    final = directory / f"{PREFIX}{now:%Y%m%dT%H%M%SZ}"
    if final.exists():
        raise CommandError(f"{final} exists already: wait a second and run the backup again.")
    partial = directory / f".{final.name}.partial"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial.mkdir(mode=0o700)
    except OSError as error:
        raise CommandError(f"Cannot create {partial}: {error}") from error
    try:
        database_file = partial / DATABASE_FILES[connection.vendor]
        if connection.vendor == "postgresql":
            _run(
                _pg_tool("pg_dump"),
                "--format=custom",
                f"--file={database_file}",
                # Live sessions are sign-ins: a copy of the backup must not be one.
                f"--exclude-table-data={SESSION_TABLE}",
                env=_pg_env(connection),
            )
        else:
            connection.ensure_connection()
            with closing(sqlite3.connect(database_file)) as target:
                connection.connection.backup(target)
                # secure_delete: the deleted rows are overwritten in the file, not just unlinked.
                target.execute("PRAGMA secure_delete = ON")
                target.execute(f"DELETE FROM {SESSION_TABLE}")
                target.commit()
        media = _media_files()
        if media:
            with tarfile.open(partial / MEDIA, "w") as tar:
                for path in media:
                    tar.add(path, arcname=path.relative_to(settings.MEDIA_ROOT), recursive=False)
        manifest = {
            "format": 1,
            "created_at": now.isoformat(),
            "vendor": connection.vendor,
            "django": django.get_version(),
            "migrations": sorted(
                f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
            ),
            "files": {p.name: _sha256(p) for p in sorted(partial.iterdir())},
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        partial.rename(final)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return final


def prune(directory, keep):
    """Delete all but the newest `keep` backups in `directory`; return the deleted paths."""
    backups = sorted(p for p in Path(directory).glob(f"{PREFIX}*") if (p / MANIFEST).is_file())
    old = backups[:-keep]
    for path in old:
        shutil.rmtree(path)
    return old


def restore(path, *, database="default", force=False):
    """Restore the backup at `path` into the database (which must be empty unless `force`).

    Everything is checked before anything is written: the manifest, each file's SHA-256, the
    database vendor, that the database is empty, and that uploaded files have somewhere to go.
    Returns the messages to show (migrations the backup and the code disagree about).
    """
    path = Path(path)
    connection = connections[database]
    manifest = _read_manifest(path)
    if manifest["vendor"] != connection.vendor:
        raise CommandError(
            f"This backup is of a {manifest['vendor']} database but the configured database is "
            f"{connection.vendor}: restore it into a {manifest['vendor']} database (DATABASE_URL)."
        )
    for name, checksum in manifest["files"].items():
        if not (path / name).is_file():
            raise CommandError(f"The backup is incomplete: {name} is missing.")
        if _sha256(path / name) != checksum:
            raise CommandError(f"The backup is damaged: {name} does not match its SHA-256.")
    database_file = path / DATABASE_FILES[connection.vendor]
    if database_file.name not in manifest["files"]:
        raise CommandError(f"The backup is incomplete: {database_file.name} is missing.")
    tables = connection.introspection.table_names()
    if tables and not force:
        raise CommandError(
            f"The database is not empty ({len(tables)} tables). Restore into an empty database, "
            "or add --force to replace what the backup holds."
        )
    if MEDIA in manifest["files"] and not settings.MEDIA_ROOT:
        raise CommandError("The backup holds uploaded files but MEDIA_ROOT is not set.")

    if connection.vendor == "postgresql":
        connection.close()
        _run(
            _pg_tool("pg_restore"),
            # --single-transaction: a restore that fails changes nothing.
            "--clean", "--if-exists", "--no-owner", "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}", str(database_file),
            env=_pg_env(connection),
        )  # fmt: skip
    else:
        connection.ensure_connection()
        with closing(sqlite3.connect(database_file)) as source:
            source.backup(connection.connection)
        connection.close()
    if MEDIA in manifest["files"]:
        with tarfile.open(path / MEDIA) as tar:
            tar.extractall(settings.MEDIA_ROOT, filter="data")  # no path leaves MEDIA_ROOT
    return _migration_notes(connection, manifest)


def _read_manifest(path):
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CommandError(f"{path} is not a backup: it has no {MANIFEST}.") from error
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read {path / MANIFEST}: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != 1:
        raise CommandError(f"{path / MANIFEST} is not a manifest this version can read.")
    if manifest.get("vendor") not in DATABASE_FILES or not isinstance(manifest.get("files"), dict):
        raise CommandError(f"{path / MANIFEST} is not a manifest this version can read.")
    return manifest


def _migration_notes(connection, manifest):
    executor = MigrationExecutor(connection)
    notes = []
    unknown = set(manifest["migrations"]) - {
        f"{app}.{name}" for app, name in executor.loader.disk_migrations
    }
    if unknown:
        notes.append(
            f"The backup was made by newer code ({len(unknown)} migrations this code does not "
            "have): deploy that version before serving this database."
        )
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        notes.append("The code has migrations the backup lacks: run `manage.py migrate`.")
    return notes


def _media_files():
    root = Path(settings.MEDIA_ROOT) if settings.MEDIA_ROOT else None
    if root is None or not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in MEDIA_SKIPPED
    )


def _sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_tool(name):
    """pg_dump or pg_restore: on the PATH, else the newest in Debian's /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise CommandError(f"{name} was not found: install PostgreSQL's client programs.")
    return str(candidates[-1])


def _pg_env(connection):
    """The connection as libpq environment variables, so no password shows in a process list."""
    env = dict(os.environ)
    settings_dict = connection.settings_dict
    for variable, key in [
        ("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME"),
    ]:  # fmt: skip
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    if sslmode := settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def _run(program, *arguments, env):
    # --no-password: fail at once rather than wait for a password nobody will type.
    result = subprocess.run(
        [program, "--no-password", *arguments], env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise CommandError(f"{Path(program).name} failed: {result.stderr.strip()}")
