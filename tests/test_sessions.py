"""Sessions that end: signing out, a new sign-in, a new password, a deactivation or a lost role
makes every earlier session and remember cookie worthless; each sign-in starts a fresh
session (a new CSRF secret). Signing in costs one password check whether or not the e-mail
has an account."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash as real_check_password_hash

from nominations.models import User, db
from nominations.workflow import accounts
from tests import factories

REMEMBER = "remember_token"


def signed_in_as(client, name: str) -> bool:
    page = client.get("/").get_data(as_text=True)
    return name in page and "Sign out" in page


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found is not None else None


def sign_in_remembered(client, email: str):
    response = client.submit(
        "/login", {"email": email, "password": factories.PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    return cookie(client, REMEMBER)


def test_a_session_cookie_kept_from_before_sign_out_signs_nobody_in(make_client, staff):
    browser = make_client("staff@example.org")
    stolen = cookie(browser, "session")
    browser.submit("/logout", page="/")
    assert not signed_in_as(browser, "Sam Staff")

    thief = make_client()
    thief.set_cookie("session", stolen)
    assert not signed_in_as(thief, "Sam Staff")
    assert thief.get("/nominations/mine").status_code == 302


def test_each_sign_in_gets_its_own_remember_cookie_and_sign_out_ends_it(make_client, staff):
    browser = make_client()
    first = sign_in_remembered(browser, "staff@example.org")
    browser.submit("/logout", page="/")
    second = sign_in_remembered(browser, "staff@example.org")
    assert first and second and first != second

    # Only the remember cookie (no session): the latest one signs in...
    fresh = make_client()
    fresh.set_cookie(REMEMBER, second)
    assert signed_in_as(fresh, "Sam Staff")
    # ... the one from before is dead, and so is the latest after signing out.
    old = make_client()
    old.set_cookie(REMEMBER, first)
    assert not signed_in_as(old, "Sam Staff")
    browser.submit("/logout", page="/")
    after = make_client()
    after.set_cookie(REMEMBER, second)
    assert not signed_in_as(after, "Sam Staff")


def _edit_user(admin_client, user: User, **changes) -> None:
    fields = {
        "name": user.name,
        "department_id": "0",
        "is_staff": "y" if user.is_staff else "",
        "is_reviewer": "y" if user.is_reviewer else "",
        "is_admin": "y" if user.is_admin else "",
        "password": "",
        **changes,
    }
    fields = {key: value for key, value in fields.items() if value != ""}
    response = admin_client.submit(f"/admin/users/{user.id}", fields)
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.parametrize(
    "change",
    [
        {"password": "a brand new password"},
        {"is_reviewer": ""},
    ],
    # A deactivation (its own button): tests/test_account_activation.py.
    ids=["password changed", "reviewer role removed"],
)
def test_an_admin_change_that_takes_access_away_ends_the_users_sessions(make_client, admin, change):
    reviewer = factories.user("rita@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    browser = make_client()
    remember = sign_in_remembered(browser, "rita@example.org")
    assert signed_in_as(browser, "Rita Reviewer")

    _edit_user(make_client("admin@example.org"), reviewer, **change)

    assert not signed_in_as(browser, "Rita Reviewer")
    by_cookie = make_client()
    by_cookie.set_cookie(REMEMBER, remember)
    assert not signed_in_as(by_cookie, "Rita Reviewer")


def test_a_change_that_takes_nothing_away_keeps_the_session(make_client, admin):
    reviewer = factories.user("rita@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    browser = make_client("rita@example.org")
    _edit_user(make_client("admin@example.org"), reviewer, name="Rita R. Reviewer", is_admin="y")
    assert signed_in_as(browser, "Rita R. Reviewer")


def test_an_admin_who_changes_his_own_password_stays_signed_in_here_only(make_client, admin):
    here = make_client("admin@example.org")
    there = make_client()
    there.set_cookie("session", cookie(here, "session"))  # the same session, elsewhere
    _edit_user(here, admin, password="another long password")
    assert signed_in_as(here, "Ada Admin")
    assert not signed_in_as(there, "Ada Admin")
    db.session.refresh(admin)
    assert check_password_hash_of(admin, "another long password")


def check_password_hash_of(user: User, password: str) -> bool:
    return real_check_password_hash(user.password_hash, password)


def test_a_csrf_token_from_before_sign_in_is_refused_after_it(client, staff):
    before = client.csrf_token("/login")
    client.login("staff@example.org")
    refused = client.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400
    assert signed_in_as(client, "Sam Staff")


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """The hashes ``authenticate`` checks a password against, in order."""
    seen: list[str] = []

    def spy(stored: str, password: str) -> bool:
        seen.append(stored)
        return real_check_password_hash(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    return seen


def test_an_unknown_email_costs_one_check_of_the_configured_method_too(
    client, staff, app, password_checks
):
    method = app.config["PASSWORD_HASH_METHOD"]
    assert method == "pbkdf2:sha256:1000"  # the testing configuration: cheap, fast tests
    for email in ("staff@example.org", "nobody@example.org"):
        password_checks.clear()
        response = client.submit("/login", {"email": email, "password": "wrong password"})
        assert "is not right" in response.get_data(as_text=True)
        assert len(password_checks) == 1, email
        assert password_checks[0].startswith(method + "$"), email


def test_passwords_are_hashed_with_the_configured_method(app):
    user = factories.user("hashed@example.org")
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    other = factories.user("scrypt@example.org")
    assert other.password_hash.startswith("scrypt:")
    # A hash of the earlier method still signs its user in.
    assert accounts.authenticate("hashed@example.org", factories.PASSWORD) == user


def test_the_default_method_outside_the_tests_is_scrypt():
    from config import load_settings

    assert load_settings("development", {})["PASSWORD_HASH_METHOD"] == "scrypt"
    assert load_settings("production", {})["PASSWORD_HASH_METHOD"] == "scrypt"
    assert (
        load_settings("production", {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:600000"})[
            "PASSWORD_HASH_METHOD"
        ]
        == "pbkdf2:sha256:600000"
    )
