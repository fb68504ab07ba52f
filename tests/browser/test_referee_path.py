"""A referee letter in a real browser, from the e-mailed link to the letter on the review page:
the nominator names a referee -> the referee opens the link of the e-mail (read from the
outbox) without an account and uploads his PDF -> the nominator sees "Received", never the
letter -> a panel member reads the letter on the review page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from nominations.models import OutboxMessage, User, db
from nominations.timeutil import now
from nominations.workflow.panels import create_panel
from tests import factories
from tests.browser.support import sign_in, write_pdf

pytestmark = pytest.mark.browser

LINK_RE = re.compile(r"https?://[^/\s]+(/referee/[A-Za-z0-9_\-]+)")


@pytest.fixture
def nomination_id(live_server, users) -> int:
    """A closed call (letters are due a week later) with a panel, and staff@'s nomination."""
    with live_server.app_context():
        people = {
            email: db.session.execute(db.select(User).where(User.email == email)).scalar_one()
            for email in users.values()
        }
        current = now()
        award_round = factories.award_round(
            "ICR Prizes",
            opens_at=current - timedelta(days=30),
            closes_at=current - timedelta(hours=1),
            review_deadline=current + timedelta(days=14),
        )
        category = factories.category(award_round, "Researcher of the Year", required_letters=1)
        admin = people[users["admin"]]
        create_panel(
            award_round, name="Leadership group", chair=people[users["reviewer"]], actor=admin
        )
        db.session.commit()
        nomination = factories.nomination(
            category, people[users["staff"]], "Tora Target", "tora@example.org"
        )
        return nomination.id


def emailed_link(live_server, address: str) -> str:
    with live_server.app_context():
        body = db.session.execute(
            db.select(OutboxMessage.body_text)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        ).scalar_one()
    return LINK_RE.search(body).group(1)


def test_from_the_emailed_link_to_the_letter_on_the_review_page(
    page, new_page, live_server, users, nomination_id, shot, tmp_path
):
    # --- The nominator names a referee ---------------------------------------------------
    sign_in(page, users["staff"])
    page.goto(f"/nominations/{nomination_id}")
    expect(page.locator("#referees-summary")).to_contain_text("0 of 1 letter received")
    page.get_by_role("link", name="Name referees and see their letters’ status").click()
    page.get_by_label("Referee's name").fill("Rolf Referee")
    page.get_by_label("Referee's e-mail").fill("rolf@example.org")
    page.get_by_label("Relation to the nominee").fill("Former supervisor")
    page.get_by_role("button", name="Name the referee and e-mail the link").click()
    expect(page.get_by_text("Rolf Referee is named as a referee")).to_be_visible()
    expect(page.locator("#referees")).to_contain_text("Pending")
    shot("referee named")

    # --- The referee opens the e-mailed link, no account, and uploads his letter ----------
    referee = new_page()
    referee.goto(emailed_link(live_server, "rolf@example.org"))
    expect(
        referee.get_by_role("heading", name="Letter of reference for Tora Target")
    ).to_be_visible()
    letter = write_pdf(tmp_path / "reference.pdf", "Tora is outstanding (REFEREE-LETTER).")
    referee.get_by_label("Your letter (PDF)").set_input_files(letter)
    referee.get_by_role("button", name="Upload the letter").click()
    expect(referee.get_by_text("Thank you: your letter has been received.")).to_be_visible()
    expect(referee.locator("#letter-status")).to_contain_text("We received your letter on")
    shot("letter uploaded", referee)

    # --- The nominator sees "Received", not the letter --------------------------------------
    page.reload()
    expect(page.locator("#referees")).to_contain_text("Received")
    expect(page.locator("body")).not_to_contain_text("reference.pdf")
    expect(page.get_by_role("link", name=re.compile("letter received"))).to_have_count(0)

    # --- A panel member reads it on the review page ---------------------------------------
    reviewer = new_page()
    sign_in(reviewer, users["reviewer"])
    reviewer.goto(f"/review/nominations/{nomination_id}")
    letters = reviewer.locator("#referee-letters")
    expect(letters).to_contain_text("Rolf Referee (Former supervisor)")
    shot("letter on the review page", reviewer)
    with reviewer.expect_download() as download:
        letters.get_by_role("link", name=re.compile("letter received")).click()
    downloaded = Path(download.value.path()).read_bytes()
    assert downloaded == (tmp_path / "reference.pdf").read_bytes()
