"""Single sign-on in a real browser: through the OpenID Connect provider's own pages (the npm
oidc-provider of tests/oidc_support.py), then a nomination, then signing out at both ends.

This module has a live server of its own, configured for the provider. The provider must
know the app's redirect address when it starts, but the live server's port is only known once
its app exists (and the app needs the provider's address when it is created). So the provider
registers the client ``nominations-any-port`` as a native client: like any provider following
RFC 8252 (section 7.3), it then accepts the registered loopback redirect on any port.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from nominations.models import Nomination, NominationStatus, User, db
from tests import factories
from tests.browser.support import LiveServer, confirming, sign_in
from tests.oidc_support import Provider, start_provider

pytestmark = pytest.mark.browser

PROVIDER_NAME = "Test Hospital ID"
AWARD = "Early Career Award"
TUMOUR = "Department of Tumor Biology"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    running = start_provider(
        [], [], any_port=(["http://127.0.0.1/auth/oidc/callback"], ["http://127.0.0.1/"])
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def live_server(provider, tmp_path_factory) -> Iterator[LiveServer]:
    """The app with single sign-on through the provider (this module's own live server: the
    browser fixtures of tests/browser/conftest.py use it here)."""
    server = LiveServer(
        tmp_path_factory.mktemp("live-oidc"), **provider.settings("nominations-any-port")
    ).start()
    yield server
    server.stop()


@pytest.fixture
def open_call(live_server) -> None:
    with live_server.app_context():
        factories.department(TUMOUR)
        award_round = factories.award_round("ICR Prizes")  # open for three weeks more
        factories.category(award_round, AWARD, prize_amount=200_000, requires_cv=False)


def test_a_person_signs_in_through_the_provider_and_nominates(page, live_server, open_call, shot):
    issuer = live_server.app.config["OIDC_ISSUER"]
    page.goto("/login")
    shot("our sign-in page leads with the provider")
    page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()

    # The provider's own pages (its development sign-in: any password does).
    expect(page).to_have_url(re.compile(re.escape(issuer)))
    page.locator("input[name=login]").fill("kari")
    page.locator("input[name=password]").fill("any password")
    shot("the provider's sign-in page")
    page.get_by_role("button", name="Sign-in").click()
    # A native client: the provider asks the person to allow the site once.
    expect(page).to_have_url(re.compile(re.escape(issuer)))
    shot("the provider's consent page")
    page.get_by_role("button", name="Continue").click()

    # Back at the site, signed in as the person the provider vouched for: a new staff member.
    expect(page).to_have_url(re.compile(re.escape(live_server.url)))
    expect(page.get_by_role("alert")).to_contain_text("Signed in as Kari Nordmann")
    shot("signed in through the provider")

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Open calls", exact=True
    ).click()
    page.get_by_role("link", name=f"Nominate for {AWARD}").click()
    page.get_by_label("Nominee's name").fill("Ingrid Hansen")
    page.get_by_label("Nominee's e-mail").fill("ingrid.hansen@example.org")
    page.get_by_label("Nominee's department").select_option(label=TUMOUR)
    page.get_by_label("Nominee's position").fill("Postdoctoral fellow")
    page.get_by_label("Statement in support of the nominee").fill(
        "Ingrid built the single-cell platform that three groups rely on."
    )
    page.get_by_role("button", name="Submit nomination").click()
    expect(page.get_by_role("alert").filter(has_text="Nomination submitted")).to_be_visible()
    shot("nominated")

    with live_server.app_context():
        nomination = db.session.execute(db.select(Nomination)).scalar_one()
        nominator = db.session.get(User, nomination.nominator_id)
        assert nomination.status == NominationStatus.SUBMITTED
        assert nominator.oidc_subject == "kari" and nominator.roles == ["staff"]

    # Signing out here signs out at the provider too (it asks first, then sends us home).
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(issuer)))
    shot("the provider asks to sign out")
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/(\?state=.*)?$"))
    expect(page.get_by_role("alert")).to_contain_text("You are signed out")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    # The next sign-in asks for the password at the provider again.
    page.goto("/login")
    page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def sign_in_through_the_provider(page: Page, issuer: str, login: str | None) -> None:
    """From our sign-in page through the provider's; ``login`` None: still signed in there
    (signing out of this site alone leaves the provider's session), so only its consent."""
    page.goto("/login")
    page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
    expect(page).to_have_url(re.compile(re.escape(issuer)))
    if login is not None:
        page.locator("input[name=login]").fill(login)
        page.locator("input[name=password]").fill("any password")
        page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_an_admin_deactivates_and_reactivates_a_person_signed_in_by_the_provider(
    page, new_page, live_server, users, shot
):
    issuer = live_server.app.config["OIDC_ISSUER"]
    kari = new_page()
    sign_in_through_the_provider(kari, issuer, "kari")
    expect(kari.get_by_role("alert")).to_contain_text("Signed in as Kari Nordmann")

    sign_in(page, users["admin"])
    page.goto("/admin/users")
    page.get_by_role("link", name="Kari Nordmann").click()
    with confirming(page, "Deactivate Kari Nordmann?"):
        page.get_by_role("button", name="Deactivate Kari Nordmann").click()
    expect(page.get_by_role("alert").filter(has_text="deactivated and signed out")).to_be_visible()
    shot("deactivated")

    kari.reload()  # signed out at once
    expect(kari.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    sign_in_through_the_provider(kari, issuer, None)
    expect(kari.get_by_role("heading", level=1)).to_have_text("You cannot sign in here")
    expect(kari.get_by_role("alert")).to_contain_text("Your account on this site is deactivated")
    shot("the provider signed her in, this site refuses her", kari)

    with confirming(page, "Reactivate Kari Nordmann?"):
        page.get_by_role("button", name="Reactivate Kari Nordmann").click()
    expect(page.get_by_role("alert").filter(has_text="active again")).to_be_visible()
    sign_in_through_the_provider(kari, issuer, None)
    expect(kari.get_by_role("alert")).to_contain_text("Signed in as Kari Nordmann")
