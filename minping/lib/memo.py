"""A process's short memory of things that may change, but rarely: each value kept for a few seconds, and everything
forgotten at once when too many are held. A dictionary's single reads and writes are safe between threads."""

import time


class Expiring:
    def __init__(self, seconds: float, size: int):
        self.seconds, self.size = seconds, size
        self._entries: dict = {}

    def get(self, key):
        """The value kept under `key`, or None once its time is up."""
        entry = self._entries.get(key)
        return entry[1] if entry and entry[0] > time.monotonic() else None

    def put(self, key, value) -> None:
        if len(self._entries) > self.size:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.seconds, value)
