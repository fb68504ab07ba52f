"""The sign-in limit with several hosts (issue 20).

Every app counts sign-in attempts in the store ``RATELIMIT_STORAGE_URI`` names (a limiter per
app, nominations/rate_limits.py). Two app instances on one Redis, as two hosts behind a load
balancer, count a client's attempts once: the attempt over the limit is refused, with
Retry-After, by whichever host it reaches. With ``memory://`` each instance counts alone, which
is why several hosts need Redis (and shows that the instances here share nothing but the
store). While Redis does not answer, each process counts in memory: nobody is locked out and
the limit still holds per process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from nominations.models import db
from tests import factories
from tests.conftest import make_test_app
from tests.redis_support import RedisStore, redis_store
from tests.smtp import free_port

LIMIT = 10  # LOGIN_RATE_LIMIT below: attempts a minute per client address
ADDRESS = "198.51.100.20"
WRONG = "not the password"


@pytest.fixture
def store() -> Iterator[RedisStore]:
    with redis_store() as found:
        yield found


@pytest.fixture
def make_hosts(app, database_url, tmp_path):
    """``make_hosts(**settings)``: two app instances on the test database, each with uploads of
    its own, the sign-in limit on; their database connections are closed afterwards."""
    built: list[Flask] = []

    def make(**settings) -> list[Flask]:
        for name in ("a", "b"):
            host = make_test_app(
                database_url,
                tmp_path / f"uploads-{name}",
                RATELIMIT_ENABLED=True,
                LOGIN_RATE_LIMIT=f"{LIMIT} per minute",
                **settings,
            )
            built.append(host)
        return built[-2:]

    yield make
    for host in built:
        with host.app_context():
            db.engine.dispose()


def _attempt(host: Flask, password: str = WRONG, address: str = ADDRESS):
    client = host.test_client()
    return client.submit(
        "/login",
        {"email": "staff@example.org", "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_attempts_spread_over_two_hosts_are_counted_once(make_hosts, store, staff):
    hosts = make_hosts(**store.settings)
    for number in range(LIMIT):
        response = _attempt(hosts[number % 2])
        assert response.status_code == 200, number
        assert "password is not right" in response.get_data(as_text=True)
    # The attempt over the limit, on either host, even with the right password.
    for host in hosts:
        response = _attempt(host, password=factories.PASSWORD)
        assert response.status_code == 429
        assert "Too many requests" in response.get_data(as_text=True)
        assert 0 < int(response.headers["Retry-After"]) <= 60
    # The count is in Redis, under this run's prefix, per client address.
    assert [key for key in store.written() if ADDRESS in key and "auth.login" in key]
    # Another client signs in on either host.
    assert _attempt(hosts[1], factories.PASSWORD, address="198.51.100.21").status_code == 302


def test_with_memory_storage_each_host_counts_alone(make_hosts, staff):
    hosts = make_hosts(RATELIMIT_STORAGE_URI="memory://")
    statuses = [_attempt(hosts[number % 2]).status_code for number in range(LIMIT + 2)]
    assert statuses == [200] * (LIMIT + 2)  # six on each host: neither is over the limit
    assert _attempt(hosts[0]).status_code == 200  # the seventh on host a
    for _ in range(LIMIT - 7):
        _attempt(hosts[0])
    assert _attempt(hosts[0]).status_code == 429  # its eleventh


def test_while_redis_does_not_answer_each_process_counts_in_memory(make_hosts, staff):
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    host, _ = make_hosts(RATELIMIT_STORAGE_URI=nothing_listens)
    for number in range(LIMIT):
        response = _attempt(host)
        assert response.status_code == 200, number  # not a server error: sign-in still works
    assert _attempt(host, password=factories.PASSWORD).status_code == 429
    assert _attempt(host, factories.PASSWORD, address="198.51.100.21").status_code == 302
