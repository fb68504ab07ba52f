"""A real Redis for the tests of the shared sign-in limit: 127.0.0.1:6379 (REDIS_TEST_URL to
use another), started by `make test` and `.ci/run` when it does not answer
(scripts/ensure-redis.sh).

``redis_store()`` yields the URL and a key prefix of the caller's own, so that parallel runs
(xdist workers, other worktrees, CI jobs) never add to each other's counts; the keys under the
prefix are deleted afterwards. It skips, with the reason, only when Redis does not answer.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import redis

DEFAULT_URL = "redis://127.0.0.1:6379/0"


@dataclass
class RedisStore:
    url: str
    prefix: str  # RATELIMIT_KEY_PREFIX: Flask-Limiter puts it in every key it writes
    client: redis.Redis

    @property
    def settings(self) -> dict[str, str]:
        return {"RATELIMIT_STORAGE_URI": self.url, "RATELIMIT_KEY_PREFIX": self.prefix}

    def written(self) -> list[str]:
        """The keys written under our prefix (e.g. ``LIMITS:LIMITER/<prefix>/<address>/...``)."""
        return sorted(key.decode() for key in self.client.scan_iter(match=f"*{self.prefix}*"))


@contextmanager
def redis_store() -> Iterator[RedisStore]:
    url = os.environ.get("REDIS_TEST_URL") or DEFAULT_URL
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        pytest.skip(
            f"Redis does not answer at {url} (`make test` starts it with "
            f"scripts/ensure-redis.sh): {error}"
        )
    store = RedisStore(url, f"test-{uuid.uuid4().hex}", client)
    try:
        yield store
    finally:
        for key in store.written():
            client.delete(key)
        client.close()
