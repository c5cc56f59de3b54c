"""Login throttling in the shared cache, with growing delays instead of a lock anyone could trigger.

Failures are counted three ways. For one account from one client, the first LOGIN_FAILURE_LIMIT are free and
each further one doubles the wait before the next try (1, 2, 4 … seconds, at most LOGIN_FAILURE_WINDOW): a
guesser slows to a crawl. For one account from every client together, the allowance is four times larger and
the wait stops at ACCOUNT_MAX_DELAY, so a flood of wrong passwords from elsewhere costs the real user a short
wait, never the account. For one client over every account (credential stuffing), the allowance is ten times
larger, with the long wait. Counts are forgotten after a quiet LOGIN_FAILURE_WINDOW; a successful login clears
its account-and-client count. The client is REMOTE_ADDR as lib/clientaddr.py settles it behind proxies.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

ACCOUNT_FACTOR, CLIENT_FACTOR = 4, 10
ACCOUNT_MAX_DELAY = 60


def _account(username: str) -> str:
    # A digest: whatever was typed as a user name, the key stays short and plain (every cache backend takes it).
    return hashlib.sha256(username.lower().encode("utf-8", "replace")).hexdigest()[:32]


def _counters(username: str, client: str) -> list[tuple[str, int, int]]:
    """(cache key, failures allowed without delay, longest delay) for each way failures are counted."""
    free, window, account = settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_WINDOW, _account(username)
    return [
        (f"login:pair:{account}:{client}", free, window),
        (f"login:account:{account}", free * ACCOUNT_FACTOR, ACCOUNT_MAX_DELAY),
        (f"login:client:{client}", free * CLIENT_FACTOR, window),
    ]


def wait_seconds(username: str, client: str) -> int:
    """How long this account must wait before trying again from this client; 0 when it may try now."""
    now = time.time()
    waits = [(cache.get(key) or {}).get("until", 0) - now for key, _free, _cap in _counters(username, client)]
    return max(0, int(max(waits) + 0.999))


def record_failure(username: str, client: str) -> None:
    now = time.time()
    for key, free, cap in _counters(username, client):
        state = cache.get(key) or {"n": 0, "until": 0}
        state["n"] += 1
        if state["n"] > free:
            state["until"] = now + min(2 ** min(state["n"] - free - 1, 30), cap)
        cache.set(key, state, settings.LOGIN_FAILURE_WINDOW + cap)


def clear_failures(username: str, client: str) -> None:
    cache.delete(_counters(username, client)[0][0])
