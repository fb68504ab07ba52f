"""Nominating with the habits people bring (issue 12, points 4 and 6), in a real browser:
pressing the button twice, reloading the answer to a refused submission, and sending the form
after the sign-in expired (sign in again in a new tab, come back, send)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from nominations.models import Nomination, OutboxMessage, User, db
from nominations.timeutil import now
from tests import factories
from tests.browser.support import sign_in

pytestmark = pytest.mark.browser

STATEMENT = "Kari built the imaging core that four groups now rely on, and trained its staff."


@pytest.fixture
def call(live_server, users) -> int:
    with live_server.app_context():
        factories.department("Department of Tumor Biology")
        closes = now() + timedelta(days=20)
        award_round = factories.award_round(
            "ICR Prizes", opens_at=closes - timedelta(days=30), closes_at=closes
        )
        return factories.category(
            award_round, "Researcher of the Year", 100_000, requires_cv=False
        ).id


def fill(page: Page, *, position: str = "Senior engineer") -> None:
    page.get_by_label("Nominee's name").fill("Kari Nordmann")
    page.get_by_label("Nominee's e-mail").fill("kari@example.org")
    page.get_by_label("Nominee's department").select_option(label="Department of Tumor Biology")
    page.get_by_label("Nominee's position").fill(position)
    page.get_by_label("Statement in support of the nominee").fill(STATEMENT)


def stored(live_server) -> tuple[list[tuple[str, str]], int]:
    """The nominations (name, status) and the confirmation e-mails queued."""
    with live_server.app_context():
        rows = db.session.execute(db.select(Nomination.nominee_name, Nomination.status)).all()
        confirmations = db.session.execute(
            db.select(db.func.count()).where(
                OutboxMessage.dedupe_key.startswith("nomination-submitted:")
            )
        ).scalar_one()
    return [tuple(row) for row in rows], confirmations


def test_a_double_click_and_a_reload_make_one_nomination(page, live_server, users, call, shot):
    sign_in(page, users["staff"])
    page.goto(f"/calls/{call}/nominate")
    fill(page, position="")  # the position is missing: the submission is refused
    page.get_by_role("button", name="Submit nomination").click()
    expect(page.get_by_text("Enter the nominee's position.").first).to_be_visible()
    shot("refused submission")
    page.reload()  # the habit: reload the answer (the browser sends the form again)
    expect(page.get_by_label("Nominee's name")).to_have_value("Kari Nordmann")
    assert stored(live_server) == ([("Kari Nordmann", "draft")], 0)

    page.get_by_label("Nominee's position").fill("Senior engineer")
    page.get_by_role("button", name="Submit nomination").dblclick()
    expect(page.get_by_role("alert").filter(has_text="Nomination submitted")).to_be_visible()
    shot("submitted")
    assert stored(live_server) == ([("Kari Nordmann", "submitted")], 1)

    page.goto(f"/calls/{call}/nominate")
    page.get_by_role("button", name="Save draft").click()  # nothing typed
    expect(page.locator("#nominee_name-error")).to_contain_text("Type the nominee's name first")
    assert stored(live_server) == ([("Kari Nordmann", "submitted")], 1)


def test_the_text_survives_an_expired_sign_in(page, context, live_server, users, call, shot):
    sign_in(page, users["staff"])
    page.goto(f"/calls/{call}/nominate")
    fill(page)
    with live_server.app_context():  # the sign-in expires while the person types
        db.session.execute(
            db.select(User).where(User.email == users["staff"])
        ).scalar_one().end_sessions()
        db.session.commit()

    page.get_by_role("button", name="Submit nomination").click()
    expect(page.get_by_text("Your sign-in has expired, so nothing was saved.")).to_be_visible()
    expect(page.get_by_label("Statement in support of the nominee")).to_have_value(STATEMENT)
    shot("kept after the sign-in expired")
    assert stored(live_server) == ([], 0)

    with context.expect_page() as opened:
        page.get_by_role("link", name="Sign in again (opens in a new tab)").click()
    tab = opened.value
    tab.get_by_label("E-mail").fill(users["staff"])
    tab.get_by_label("Password").fill(factories.PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("alert")).to_contain_text("Signed in as")
    tab.close()

    page.get_by_role("button", name="Submit nomination").click()
    # The new sign-in began a new session, so the page's token was the old session's: the
    # page comes back once more, signed in now, still with the text.
    expect(page.get_by_text("The form had expired, so nothing was saved yet.")).to_be_visible()
    expect(page.get_by_label("Statement in support of the nominee")).to_have_value(STATEMENT)
    assert stored(live_server) == ([], 0)
    page.get_by_role("button", name="Submit nomination").click()
    expect(page.get_by_role("alert").filter(has_text="Nomination submitted")).to_be_visible()
    shot("submitted after signing in again")
    assert stored(live_server) == ([("Kari Nordmann", "submitted")], 1)
    expect(page.get_by_label("Statement in support of the nominee")).to_have_value(STATEMENT)
