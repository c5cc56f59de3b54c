"""Failed-login counting in the shared cache: per account and per address, in a sliding window."""

import hashlib

from django.conf import settings
from django.core.cache import cache

# An address may hold many legitimate users (one office, one NAT), so it gets a larger allowance.
ADDRESS_FACTOR = 10


def _user_key(username: str) -> str:
    # A digest: whatever was typed as a user name, the key stays short and plain (every cache backend takes it).
    return f"login-fail:user:{hashlib.sha256(username.lower().encode('utf-8', 'replace')).hexdigest()}"


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    limit = settings.LOGIN_FAILURE_LIMIT
    return [(_user_key(username), limit), (f"login-fail:addr:{address}", limit * ADDRESS_FACTOR)]


def is_blocked(username: str, address: str) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    for key, _limit in _keys(username, address):
        cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


def clear_failures(username: str) -> None:
    cache.delete(_user_key(username))
