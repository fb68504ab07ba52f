"""The login form is rate limited per client address (Flask-Limiter): 10 attempts a minute."""

from datetime import timedelta

import pytest
import time_machine

from nominations.timeutil import now
from tests import factories


@pytest.fixture
def app_overrides() -> dict:
    return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "10 per minute"}


def _attempt(client, password="wrong password", **kwargs):
    return client.submit("/login", {"email": "staff@example.org", "password": password}, **kwargs)


def test_the_eleventh_attempt_in_a_minute_is_refused_with_a_clear_page(client, staff):
    for _ in range(10):
        response = _attempt(client)
        assert response.status_code == 200
        assert "password is not right" in response.get_data(as_text=True)
    response = _attempt(client, password=factories.PASSWORD)  # even the right password
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many requests" in page and "Wait a minute and try again." in page
    assert "Traceback" not in page and "/static/css/app.css" in page
    assert int(response.headers["Retry-After"]) <= 60
    # Still signed out; reading the sign-in page is not limited.
    assert client.get("/admin/").status_code == 302
    assert client.get("/login").status_code == 200


def test_the_limit_lifts_after_a_minute(client, staff):
    with time_machine.travel(now(), tick=False) as traveller:
        for _ in range(10):
            _attempt(client)
        assert _attempt(client).status_code == 429
        traveller.shift(timedelta(seconds=61))
        response = _attempt(client, password=factories.PASSWORD)
    assert response.status_code == 302


def test_each_client_address_has_its_own_count(client, make_client, staff):
    for _ in range(11):
        response = _attempt(client, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 429
    other = make_client()
    response = other.submit(
        "/login",
        {"email": "staff@example.org", "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.8"},
    )
    assert response.status_code == 302
