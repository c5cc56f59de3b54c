"""Backups that restore: the database, the keys and the uploaded files in one archive, consistent with each other.

The database is dumped first (pg_dump's snapshot, or SQLite's online backup), then the files are copied: every
file a dumped row names exists (files are written before their row commits), while a file written after the dump
is an orphan the nightly job removes. The archive holds the keys, so it is written readable by its owner only
and is to be kept as carefully as the keys themselves.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from minping.audit import anchors

FORMAT = 1
DATABASE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    pass


def _pg_env() -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "PGHOST": db["HOST"] or "localhost",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"] or "",
        "PGDATABASE": db["NAME"],
    }


def _program(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return str(found)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-500:]}")


def backup(path: Path) -> dict:
    """Write the archive to `path`; its manifest."""
    head = anchors.current()
    with tempfile.TemporaryDirectory(prefix="minping-backup-") as work:
        work = Path(work)
        database = work / DATABASE[connection.vendor]
        if connection.vendor == "postgresql":
            _run([_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={database}"])
        else:
            connection.ensure_connection()
            target = sqlite3.connect(database)
            connection.connection.backup(target)
            target.close()
        (work / "keys").mkdir()
        (work / "keys" / "secret_key").write_text(settings.SECRET_KEY)
        (work / "keys" / "pii_key").write_text(settings.PII_KEY)
        if settings.MEDIA_ROOT.is_dir():
            shutil.copytree(settings.MEDIA_ROOT, work / "media")
        if settings.AUDIT_ANCHOR_FILE.exists():
            shutil.copy(settings.AUDIT_ANCHOR_FILE, work / "audit-anchors.txt")
        manifest = {
            "format": FORMAT,
            "vendor": connection.vendor,
            "created_at": timezone.now().isoformat(),
            "audit_head": str(head) if head else "",
            "files": {str(p.relative_to(work)): _sha256(p) for p in sorted(work.rglob("*")) if p.is_file()},
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out, tarfile.open(fileobj=out, mode="w:gz") as archive:
            for item in sorted(work.iterdir()):
                archive.add(item, arcname=item.name)
    return manifest


def holds_data() -> bool:
    """Whether the database already has Minping's tables with anything in them."""
    tables = connection.introspection.table_names()
    if "django_migrations" not in tables:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM accounts_user) OR EXISTS (SELECT 1 FROM audit_auditevent)"
            if "accounts_user" in tables
            else "SELECT false"
        )
        return bool(cursor.fetchone()[0])


def restore(path: Path, *, force: bool = False) -> dict:
    """Restore the archive at `path` into this site's database and data directory; its manifest. Refused into a
    database that holds data unless `force`; refused when the archive is altered or from the other kind of
    database."""
    with tempfile.TemporaryDirectory(prefix="minping-restore-") as work:
        work = Path(work)
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(work, filter="data")  # no absolute paths, links out or devices
        manifest = json.loads((work / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        for name, digest in manifest["files"].items():
            if not (work / name).is_file() or _sha256(work / name) != digest:
                raise BackupError(f"the archive's {name} is missing or altered")
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"the backup is of a {manifest['vendor']} database; this site uses {connection.vendor}")
        if holds_data() and not force:
            raise BackupError("the database already holds data: restore into an empty one, or give --force to replace it")
        _restore_database(work / DATABASE[connection.vendor])
        manifest["notes"] = _restore_files(work)
    return manifest


def _restore_database(dump: Path) -> None:
    if connection.vendor == "postgresql":
        connection.close()
        _run(
            [
                _program("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ]
        )
        return
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    source.backup(connection.connection)
    source.close()


def _restore_files(work: Path) -> list[str]:
    """Keys, uploads and anchors into place; what the operator must still do, if anything."""
    notes = []
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    for key, variable, value in (
        ("secret_key", "MINPING_SECRET_KEY", settings.SECRET_KEY),
        ("pii_key", "MINPING_PII_KEY", settings.PII_KEY),
    ):
        saved = (work / "keys" / key).read_text()
        if saved == value:
            continue
        target = settings.DATA_DIR / key
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(saved)
        if os.environ.get(variable) or os.environ.get(f"{variable}_FILE"):
            notes.append(
                f"{variable} is set in the environment but differs from the backup's key, written to {target}: "
                f"point {variable}_FILE at it (or copy it there) before starting the site"
            )
    if (work / "media").is_dir():
        shutil.copytree(work / "media", settings.MEDIA_ROOT, dirs_exist_ok=True)
    if (work / "audit-anchors.txt").exists() and not settings.AUDIT_ANCHOR_FILE.exists():
        shutil.copy(work / "audit-anchors.txt", settings.AUDIT_ANCHOR_FILE)
    return notes


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
