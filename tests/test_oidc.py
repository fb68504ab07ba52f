"""OpenID Connect sign-in against a real provider (npm oidc-provider, tests/oidc_support.py):
the app talks to it over HTTP (discovery, keys, token endpoint) and the person's browser goes
through the provider's own sign-in page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest

from nominations.models import AuditEvent, User, db
from tests import factories
from tests.oidc_support import ProviderBrowser, start_provider

APP = "http://localhost"
CALLBACK = f"{APP}/auth/oidc/callback"


@pytest.fixture(scope="module")
def provider():
    running = start_provider([CALLBACK], [f"{APP}/"])
    yield running
    running.stop()


@pytest.fixture
def client_id() -> str:
    return "nominations"


@pytest.fixture
def app_overrides(provider, client_id):
    return provider.settings(client_id)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _authorization_url(client) -> str:
    response = client.get("/login/oidc")
    assert response.status_code == 302
    return response.headers["Location"]


def _sign_in(client, login: str, browser: ProviderBrowser | None = None):
    """The whole way: the app sends us to the provider, we sign in there, it sends us back."""
    browser = browser or ProviderBrowser(APP)
    callback = browser.sign_in(_authorization_url(client), login)
    assert callback.startswith(CALLBACK)
    return client.get(_path(callback))


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def _signed_in_as(client) -> str | None:
    page = client.get("/").get_data(as_text=True)
    return page if "Sign out" in page else None


def _assert_refused(client, response, text: str) -> None:
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/refused")
    page = client.get("/login/refused")
    assert page.status_code == 403
    assert text in page.get_data(as_text=True)
    assert _signed_in_as(client) is None


def test_the_sign_in_page_leads_with_the_provider(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Test Hospital ID" in page
    assert page.index("Sign in with Test Hospital ID") < page.index('name="password"')
    url = _authorization_url(client)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"] and query["redirect_uri"] == [CALLBACK]


def test_first_sign_in_creates_a_staff_member(client):
    response = _sign_in(client, "kari")
    assert response.status_code == 302
    page = _signed_in_as(client)
    assert page is not None and "Kari Nordmann" in page
    user = _user("kari.nordmann@hospital.example")
    assert user.oidc_subject == "kari"
    assert user.roles == ["staff"] and user.active
    created = _events("user.create")
    assert created[0].after["source"] == "oidc" and created[0].object_id == user.id
    assert [e.after for e in _events("user.sign_in")] == [{"method": "oidc"}]
    # The next sign-in finds the same person by the subject, even with a changed address.
    user.email = "kari@hospital.example"
    db.session.commit()
    client.submit("/logout", page="/")
    _sign_in(client, "kari")
    assert _signed_in_as(client) is not None
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 1


def test_an_existing_account_is_linked_by_a_verified_email(client, staff):
    _sign_in(client, "sam")
    assert "Sam Staff" in _signed_in_as(client)
    assert _user("staff@example.org").oidc_subject == "sam"
    assert _events("user.oidc_link")[0].object_id == staff.id


def test_an_unverified_email_does_not_take_over_an_account(client, staff):
    response = _sign_in(client, "unverified")
    _assert_refused(client, response, "does not confirm that the address is yours")
    assert _user("staff@example.org").oidc_subject is None
    assert _events("user.sign_in_refused")[0].after["reason"] == "e-mail not verified"


def test_a_deactivated_person_is_refused_with_a_clear_page(client):
    factories.user("gone@example.org", "Gone Person", active=False)
    response = _sign_in(client, "gone")
    _assert_refused(client, response, "Your account on this site is deactivated")
    refused = _events("user.sign_in_refused")
    assert refused[0].after["reason"] == "deactivated"
    assert _events("user.sign_in") == []


def test_a_wrong_state_is_refused(client):
    callback = ProviderBrowser(APP).sign_in(_authorization_url(client), "kari")
    wrong = callback.replace("state=", "state=x")
    response = client.get(_path(wrong))
    _assert_refused(client, response, "did not succeed")
    assert _user("kari.nordmann@hospital.example") is None
    assert _events("user.sign_in_refused")[0].after["reason"].startswith("protocol:")


def test_a_callback_works_once(client, make_client):
    callback = ProviderBrowser(APP).sign_in(_authorization_url(client), "kari")
    assert client.get(_path(callback)).status_code == 302
    assert _signed_in_as(client) is not None
    # The same answer again (a copied URL, another browser): the state was used up.
    for again in (client, make_client()):
        if again is client:
            client.submit("/logout", page="/")
        _assert_refused(again, again.get(_path(callback)), "did not succeed")


@pytest.mark.parametrize(
    ("client_id", "why"),
    [
        ("nominations-expired", "an ID token that expired an hour ago"),
        ("nominations-forged", "an ID token signed with a key that is not the provider's"),
    ],
)
def test_a_bad_id_token_is_refused(client, client_id, why):
    response = _sign_in(client, "kari")
    _assert_refused(client, response, "did not succeed")
    assert _user("kari.nordmann@hospital.example") is None, why


@pytest.mark.parametrize("client_id", ["nominations-replay"])
def test_a_replayed_id_token_with_an_old_nonce_is_refused(client, make_client, client_id):
    # The first sign-in gets an honest token; the provider then sends that same token again.
    _sign_in(client, "kari")
    assert _signed_in_as(client) is not None
    other = make_client()
    response = _sign_in(other, "kari")
    _assert_refused(other, response, "did not succeed")
    assert "InvalidClaimError" in _events("user.sign_in_refused")[0].after["reason"]


@pytest.fixture
def role_settings(app):
    app.config.update(
        OIDC_ROLE_CLAIM="groups",
        OIDC_REVIEWER_VALUES=["award-panel"],
        OIDC_ADMIN_VALUES=["award-admins"],
        OIDC_DEPARTMENT_CLAIM="department",
    )


def test_roles_and_department_follow_the_provider(client, role_settings):
    # A reviewer made admin by hand here loses the admin role: the provider's groups decide.
    chief = factories.user("chief@hospital.example", "Chief", roles=("staff", "admin"))
    assert chief.is_admin
    _sign_in(client, "chief")
    user = _user("chief@hospital.example")
    assert user.is_reviewer and not user.is_admin and user.is_staff
    assert user.department.name == "Department of Tumor Biology"
    update = _events("user.update")[0]
    assert update.after["is_admin"] is False and update.after["source"] == "oidc"
    assert client.get("/review/").status_code == 200
    assert client.get("/admin/").status_code == 403


def test_sign_out_ends_the_session_at_the_provider_too(client):
    browser = ProviderBrowser(APP)
    _sign_in(client, "kari", browser)
    response = client.submit("/logout", page="/")
    assert response.status_code == 302
    end_session = response.headers["Location"]
    assert end_session.startswith(client.application.config["OIDC_ISSUER"])
    query = parse_qs(urlsplit(end_session).query)
    assert query["id_token_hint"] and query["post_logout_redirect_uri"] == [f"{APP}/"]
    assert _signed_in_as(client) is None
    # The provider asks to confirm, then sends the person back to our home page.
    page = browser.open(end_session)
    assert "sign-out" in page.text.lower()
    back = browser.submit_form(page, {"logout": "yes"})
    assert isinstance(back, str) and back.startswith(f"{APP}/")
    # Signed out there too: the next sign-in asks for the password again.
    page = browser.open(_authorization_url(client))
    assert not isinstance(page, str) and 'name="login"' in page.text


def test_local_sign_in_can_be_switched_off(client, staff, app):
    token = client.csrf_token("/login")  # a form still open in some tab
    app.config["LOCAL_LOGIN_ENABLED"] = False
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Test Hospital ID" in page and 'name="password"' not in page
    assert "Forgot your password?" not in page
    response = client.post(
        "/login",
        data={"email": "staff@example.org", "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 404
    assert client.get("/password/forgot").status_code == 404


def test_deactivated_through_the_user_page_the_provider_no_longer_lets_one_in(
    client, make_client, admin
):
    _sign_in(client, "kari")
    kari = _user("kari.nordmann@hospital.example")
    chief = make_client("admin@example.org")
    user_page = f"/admin/users/{kari.id}"
    chief.submit(f"{user_page}/deactivate", {"confirmed": "1"}, page=user_page)
    assert _signed_in_as(client) is None  # signed out at once

    # The provider still vouches for her, but this site refuses her with the clear page.
    response = _sign_in(client, "kari")
    _assert_refused(client, response, "Your account on this site is deactivated")
    assert _events("user.sign_in_refused")[0].object_id == kari.id

    chief.submit(f"{user_page}/reactivate", {"confirmed": "1"}, page=user_page)
    response = _sign_in(client, "kari")
    assert response.status_code == 302 and not response.headers["Location"].endswith("/refused")
    assert "Kari Nordmann" in _signed_in_as(client)
    assert [e.object_id for e in _events("user.deactivate") + _events("user.reactivate")] == [
        kari.id,
        kari.id,
    ]
