"""Computed rankings kept in the web process's memory, a bounded LRU per app.

The key is the category, its version stamp as committed in the database
(``ranking_version``: new whenever anything the ranking reads changes), whether its call has
closed (the assignment rule depends on the clock) and the set of nominations left out for the
viewer (those he has a conflict with). So two viewers share an entry only when they see the
same nominations, and then every figure is the same for both: confidentiality by arithmetic
holds because the figures are computed without the hidden nominations, cache or not. Several
workers and hosts each keep their own cache and agree, the stamp coming from the database.

The cache is bounded by the number of reviews its rankings hold (``RANKING_CACHE_REVIEWS`` in
config.py, about 0.4 kB each), so a few large categories cannot grow a worker without limit;
the least recently used ranking goes first. ``RANKING_CACHE_REVIEWS = 0`` turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import Flask, current_app

from nominations.workflow import ranking_version

DEFAULT_REVIEWS = 50_000
EXTENSION = "ranking_cache"

T = TypeVar("T")


class BoundedCache(Generic[T]):
    """Least recently used first out, bounded by the total size of the entries."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0
        self.hits = self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[T, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> T | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: T, size: int) -> None:
        if size > self.capacity:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (value, size)
            self.size += size
            while self.size > self.capacity:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = BoundedCache(
        int(app.config.get("RANKING_CACHE_REVIEWS", DEFAULT_REVIEWS))
    )
    ranking_version.register()


def cache() -> BoundedCache | None:
    return current_app.extensions.get(EXTENSION)


def cached(
    category_id: int, hidden: frozenset[int], compute: Callable[[], T], size: Callable[[T], int]
) -> T:
    """The cached value for the category as committed and this hidden set, else ``compute()``
    (stored unless this transaction has uncommitted changes the ranking reads)."""
    store = cache()
    stamp = ranking_version.current(category_id)  # flushes first: pending changes are noted
    if store is None or stamp is None or ranking_version.uncommitted_changes():
        return compute()
    key = (category_id, stamp.version, stamp.call_closed, hidden)
    value = store.get(key)
    if value is None:
        value = compute()
        store.put(key, value, size(value))
    return value
