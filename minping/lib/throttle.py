"""Fixed-window counters in the shared cache (Redis in production), keyed by whatever a throttle limits: a client
address (as lib/clientaddr.py finds it behind trusted proxies), an account, a campaign. Each key is its own
window, so one client's count never holds back another."""

from django.core.cache import cache


def count(key: str, window: int) -> int:
    """Add one event under `key` and return the events counted in its current window of `window` seconds."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def counted(key: str) -> int:
    return cache.get(key) or 0
