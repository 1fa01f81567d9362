"""Backups of the database and uploads, and restoring one (`frukost backup`, `frukost restore`).

SQLite is copied with its online backup API (a consistent snapshot while the site keeps
writing; a plain copy of the file would miss what is still in the -wal file), PostgreSQL with
pg_dump. Anything that goes wrong raises BackupError: a backup that fails must fail loudly.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

SQLITE_SUFFIX = ".sqlite3"
DUMP_SUFFIX = ".dump"
BUSY_TIMEOUT_SECONDS = 20


class BackupError(Exception):
    """The backup or the restore did not happen; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    files: list[Path]
    removed: list[Path]


def _engine(alias: str = "default") -> tuple[str, dict]:
    settings_dict = connections[alias].settings_dict
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite", settings_dict
    if engine.endswith("postgresql"):
        return "postgresql", settings_dict
    raise BackupError(f"cannot back up a database with the engine {engine}")


def _postgres_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's variables for Django's connection: the password never appears on a command line."""
    environment = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = settings_dict.get(key)
        if value:
            environment[variable] = str(value)
    options = settings_dict.get("OPTIONS", {})
    if options.get("sslmode"):
        environment["PGSSLMODE"] = str(options["sslmode"])
    return environment


def _run(command: list[str], *, environment: dict[str, str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} not found: install the PostgreSQL client (apt install postgresql-client)"
        )
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit status {result.returncode}): {result.stderr.strip()}")


def _private_file(path: Path) -> None:
    path.chmod(0o600)


def _check_sqlite(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        answer = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable SQLite database: {exc}") from exc
    finally:
        connection.close()
    if answer != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {answer}")


def _backup_sqlite(source_path: Path, target: Path) -> None:
    if not source_path.is_file():
        # Never let sqlite3.connect create an empty database here and call it a backup.
        raise BackupError(
            f"the database file {source_path} does not exist (is FRUKOST_DATA_DIR right? "
            "is DATABASE_URL meant to be set?)"
        )
    source = sqlite3.connect(f"file:{source_path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # One self-contained file: the copy inherits WAL mode, which would leave -wal/-shm beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"copying {source_path} failed: {exc}") from exc
    finally:
        copy.close()
        source.close()
    _check_sqlite(target)


def _backup_postgres(settings_dict: dict, target: Path) -> None:
    environment = _postgres_environment(settings_dict)
    _run(["pg_dump", "--format=custom", f"--file={target}"], environment=environment, what="pg_dump")
    # A dump pg_restore cannot read is no backup.
    _run(["pg_restore", "--list", str(target)], environment=environment, what="reading the dump back")


def _remove_old(destination: Path, *, keep_days: int, now: dt.datetime) -> list[Path]:
    limit = (now - dt.timedelta(days=keep_days)).timestamp()
    removed = []
    for pattern in (f"frukost-*{SQLITE_SUFFIX}", f"frukost-*{DUMP_SUFFIX}", "uploads-*.tar.gz"):
        for path in sorted(destination.glob(pattern)):
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed.append(path)
    return removed


def back_up(*, destination: Path, keep_days: int, now: dt.datetime | None = None) -> BackupResult:
    """Copy the database (and the uploads, if any) into DESTINATION with a time stamp in the name;
    remove this command's copies older than KEEP_DAYS days. Raises BackupError."""
    now = now or dt.datetime.now().astimezone()
    stamp = now.strftime("%Y-%m-%d-%H%M%S")
    try:
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create {destination}: {exc.strerror}") from exc
    engine, settings_dict = _engine()
    target = destination / f"frukost-{stamp}{SQLITE_SUFFIX if engine == 'sqlite' else DUMP_SUFFIX}"
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if engine == "sqlite":
            _backup_sqlite(Path(settings_dict["NAME"]), partial)
        else:
            _backup_postgres(settings_dict, partial)
        _private_file(partial)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    files = [target]
    uploads = Path(settings.MEDIA_ROOT)
    if uploads.is_dir():
        archive = destination / f"uploads-{stamp}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(uploads, arcname="uploads")
        _private_file(archive)
        files.append(archive)
    removed = _remove_old(destination, keep_days=keep_days, now=now)
    return BackupResult(files=files, removed=[path for path in removed if path not in files])


def restore(*, backup: Path) -> None:
    """Replace the database's contents with BACKUP (a file `back_up` wrote). Stop the web server
    and the worker first. Raises BackupError, and then the database is as it was."""
    if not backup.is_file():
        raise BackupError(f"{backup} does not exist")
    engine, settings_dict = _engine()
    connections["default"].close()
    if engine == "sqlite":
        if backup.suffix != SQLITE_SUFFIX:
            raise BackupError(f"{backup} is not a SQLite backup (frukost-….sqlite3); this site uses SQLite")
        _check_sqlite(backup)
        live = Path(settings_dict["NAME"])
        # Through SQLite's backup API into the live file: its -wal file stays consistent, and a
        # reader sees the old or the new database, never half of each.
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        target = sqlite3.connect(live, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            source.backup(target)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"restoring into {live} failed: {exc}") from exc
        finally:
            target.close()
            source.close()
        _check_sqlite(live)
        return
    if backup.suffix != DUMP_SUFFIX:
        raise BackupError(f"{backup} is not a pg_dump backup (frukost-….dump); this site uses PostgreSQL")
    environment = _postgres_environment(settings_dict)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={environment.get('PGDATABASE', '')}",
            str(backup),
        ],
        environment=environment,
        what="pg_restore",
    )
