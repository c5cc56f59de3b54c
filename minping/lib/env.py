"""Tiny helpers that read the environment. Every variable read here is listed in docs/configuration.md."""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Names read through these helpers, so the docs test can compare them with docs/configuration.md.
READ: set[str] = set()


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system tells it (Linux), else all of them."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def env(name: str, default: str = "") -> str:
    READ.add(name)
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "")
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name, "")
    return int(value) if value.strip() else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_secret(name: str, fallback_file: Path | None = None) -> str:
    """Read NAME, else the file named by NAME_FILE, else a key kept in fallback_file (created once)."""
    value = env(name)
    if value:
        return value
    path = env(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    if fallback_file is None:
        return ""
    if not fallback_file.exists():
        import secrets

        fallback_file.parent.mkdir(parents=True, exist_ok=True)
        fallback_file.write_text(secrets.token_urlsafe(50))
        fallback_file.chmod(0o600)
    return fallback_file.read_text().strip()


def database_from_url(url: str, sqlite_default: Path, *, prepared: bool = True) -> dict:
    """Turn DATABASE_URL (postgres://user:pass@host:port/name or sqlite:///path) into a DATABASES entry.

    `prepared`: PostgreSQL prepares a statement once per connection when it has run 5 times there, and then only
    binds and runs it. Django turns this off unless asked, for connection poolers in transaction mode."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_default),
            # IMMEDIATE: a transaction takes the write lock when it begins, so read-then-write sequences
            # (casting a ballot, closing a campaign) cannot interleave. secure_delete: a deleted row (a ballot
            # leaving the shuffle pool, a paper entry once counted) is overwritten in the file, not left behind.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
            # Kept open between requests, one per server thread: opening the file and running the pragmas took
            # two fifths of a voter's requests' time in a meeting (bench/meeting.py).
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return database_from_url("", Path(unquote(parts.path[1:])) if parts.path[1:] else sqlite_default)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (use postgres:// or sqlite:///)")
    return {
        "ENGINE": "minping.lib.postgres",  # Django's, with a health check that needs no round trip
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # Parameters bound by the server, and repeated statements prepared: parsing and planning the ballot's two
        # statements anew each time was half the database's work per ballot.
        "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5 if prepared else None},
    }
