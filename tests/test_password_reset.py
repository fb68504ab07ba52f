"""Password reset by an e-mailed link (one hour, once), and what a new password must be."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from nominations.models import AuditEvent, OutboxMessage, db
from nominations.timeutil import now
from tests import factories

SENT = "If an active account has this e-mail address, a link to set a new password is on its way"
LINK = re.compile(r"http://localhost(/password/reset/[^\s]+)")


def _ask(client, email: str):
    response = client.submit("/password/forgot", {"email": email}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _link() -> str:
    messages = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert len(messages) == 1 and messages[0].subject == "Reset your password"
    return LINK.search(messages[0].body_text).group(1)


def _set(client, link: str, password: str, confirm: str | None = None):
    data = {"password": password, "confirm": confirm or password}
    return client.submit(link, data, page="/login")


def _actions() -> list[str]:
    return list(db.session.execute(db.select(AuditEvent.action).order_by(AuditEvent.id)).scalars())


def test_reset_by_link_once(client, make_client, staff):
    elsewhere = make_client("staff@example.org")
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)
    assert SENT in _ask(client, "Staff@Example.org")
    link = _link()
    assert db.session.execute(db.select(OutboxMessage)).scalar().recipient == "staff@example.org"
    response = _set(client, link, "a new and long passphrase")
    assert response.status_code == 302
    # The new password signs in, the old one does not, and other sessions ended.
    client.login("staff@example.org", "a new and long passphrase")
    assert "Sign out" not in elsewhere.get("/").get_data(as_text=True)
    other = make_client()
    response = other.submit(
        "/login", {"email": "staff@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 200
    # The link worked once.
    again = client.get(link)
    assert again.status_code == 410 and "does not work any more" in again.get_data(as_text=True)
    assert "user.password_reset_requested" in _actions() and "user.password_reset" in _actions()


def test_the_same_answer_whether_or_not_the_address_has_an_account(client, staff):
    factories.user("gone@example.org", active=False)
    for email in ("nobody@example.org", "gone@example.org"):
        assert SENT in _ask(client, email)
    assert db.session.execute(db.select(OutboxMessage)).first() is None
    assert _actions().count("user.password_reset_requested") == 0


def test_a_link_expires_after_an_hour(client, staff):
    _ask(client, "staff@example.org")
    link = _link()
    with time_machine.travel(now() + timedelta(minutes=61)):
        assert client.get(link).status_code == 410
        assert _set(client, link, "a new and long passphrase").status_code == 410
    with time_machine.travel(now() + timedelta(minutes=59)):
        assert client.get(link).status_code == 200


def test_a_link_dies_when_the_password_changes_another_way(client, staff, admin):
    _ask(client, "staff@example.org")
    link = _link()
    staff.set_password("changed by hand now", "pbkdf2:sha256:1000")
    db.session.commit()
    assert client.get(link).status_code == 410


def test_weak_passwords_are_refused(client, staff):
    _ask(client, "staff@example.org")
    link = _link()
    for password, message in [
        ("short", "at least 8 characters"),
        ("Password123", "one of the most common"),
        ("sommer2025", "one of the most common"),
        ("staff@example.org", "your e-mail address or name"),
    ]:
        page = _set(client, link, password).get_data(as_text=True)
        assert message in page, password
    page = _set(client, link, "a new and long passphrase", "something else").get_data(as_text=True)
    assert "The two passwords are not the same." in page
    # Still usable after the refusals.
    assert _set(client, link, "a new and long passphrase").status_code == 302


def test_admins_cannot_set_a_common_password_either(client, admin):
    client.login("admin@example.org")
    page = client.submit(
        "/admin/users/new",
        {
            "email": "new@example.org",
            "name": "New Person",
            "password": "qwertyuiop",
            "is_staff": "y",
        },
    ).get_data(as_text=True)
    assert "one of the most common" in page
