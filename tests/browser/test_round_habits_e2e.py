"""An administrator's habits with rounds, in a real browser: pressing save to be sure changes
nothing, and opening a round is a step the administrator takes on purpose."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import inspect

from nominations.models import AuditEvent, AwardRound, OutboxMessage, db
from nominations.timeutil import from_local, now, to_local
from tests import factories
from tests.browser.support import sign_in

pytestmark = pytest.mark.browser


def _stored_round(live_server, round_id: int) -> dict:
    with live_server.app_context():
        row = db.session.get(AwardRound, round_id)
        return {
            attr.key: getattr(row, attr.key)
            for attr in inspect(AwardRound).column_attrs
            if attr.key != "updated_at"
        }


def _audit_actions(live_server) -> list[str]:
    with live_server.app_context():
        return list(
            db.session.execute(
                db.select(AuditEvent.action).where(AuditEvent.action.like("round.%"))
            ).scalars()
        )


def test_saving_a_round_unchanged_in_the_browser_keeps_every_second(page, live_server, users, shot):
    with live_server.app_context():
        round_id = factories.award_round(
            name="OUH Research Awards",
            year=2031,
            organiser="Oslo University Hospital",
            description="First line.\nSecond line.",
            opens_at=from_local(date(2031, 1, 6), time(8, 30)),
            closes_at=from_local(date(2031, 3, 7)),  # the end of the day: 23:59:59
            review_deadline=from_local(date(2031, 4, 2), time(12, 0, 30)),
            ceremony_on=date(2031, 5, 20),
        ).id
    before = _stored_round(live_server, round_id)
    actions = _audit_actions(live_server)
    sign_in(page, users["admin"])
    page.goto(f"/admin/rounds/{round_id}")
    expect(page.locator("dl")).to_contain_text("7 March 2031, 23:59:59 CET")
    page.get_by_role("link", name="Edit round").click()
    expect(page.get_by_label("Closing time")).to_have_value("23:59:59")
    shot("edit form as opened")
    page.get_by_role("button", name="Save round").click()
    expect(page.get_by_role("alert")).to_contain_text("Saved OUH Research Awards 2031")
    expect(page.locator("dl")).to_contain_text("7 March 2031, 23:59:59 CET")
    expect(page.locator("dl")).to_contain_text("2 April 2031, 12:00:30 CEST")
    shot("saved unchanged")
    assert _stored_round(live_server, round_id) == before
    assert _audit_actions(live_server) == actions


def _outbox_keys(live_server) -> list[str]:
    with live_server.app_context():
        return list(db.session.execute(db.select(OutboxMessage.dedupe_key)).scalars())


def test_opening_a_round_is_a_step_the_admin_takes(page, live_server, users, inputs, shot):
    today = to_local(now()).date()
    sign_in(page, users["admin"])
    page.goto("/admin/rounds/new")
    page.get_by_label("Name (English)", exact=True).fill("ICR Prizes")
    page.get_by_label("Year", exact=True).fill(str(today.year))
    inputs.type_date(page.get_by_label("Opens on"), today)
    inputs.type_date(page.get_by_label("Closes on"), today + timedelta(days=30))
    inputs.type_date(page.get_by_label("Review deadline", exact=True), today + timedelta(days=60))
    page.get_by_role("button", name="Save round").click()
    expect(page.get_by_role("alert").filter(has_text="created")).to_contain_text(
        "it opens only when you confirm its announcement, and nothing is sent before"
    )
    # Its opening time has come, but it is not open and nobody was told.
    opening = page.get_by_role("region", name="Opening")
    expect(opening).to_contain_text("Not open: nobody has been told")
    expect(opening).to_contain_text("Add at least one category with its prize.")
    expect(page.locator("#round-not-opened")).to_contain_text("did not open at its opening time")
    shot("created, not open")
    assert _outbox_keys(live_server) == []

    page.get_by_role("link", name="Add category").click()
    page.get_by_label("Name (English)", exact=True).fill("Researcher of the Year")
    page.get_by_label("Prize amount", exact=True).fill("100000")
    page.get_by_role("button", name="Save category").click()
    expect(page.get_by_role("alert").filter(has_text="added")).to_be_visible()
    page.get_by_role("link", name="Review the announcement and open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Open ICR Prizes {today.year}")
    expect(page.locator("#announcement-recipients")).to_contain_text("3 staff members")
    expect(page.locator("#announcement-text")).to_contain_text(
        "Researcher of the Year: NOK 100,000"
    )
    expect(page.locator("#opening-when")).to_contain_text("confirming opens the call now")
    shot("the announcement before confirming")
    assert _outbox_keys(live_server) == []
    page.get_by_role("button", name="Confirm the opening").click()
    expect(page.get_by_role("alert").filter(has_text="is open")).to_contain_text(
        f"ICR Prizes {today.year} is open for nominations; "
        "the announcement goes to 3 staff members."
    )
    expect(page.locator("#round-not-opened")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("open")
    shot("open, announced")
    # Back and confirm again, as people do: nothing doubles.
    page.go_back()
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("This round is open")
    keys = _outbox_keys(live_server)
    assert len(keys) == 3 and all(k.startswith("reminder:call_opened:") for k in keys)
    page.goto("/calls")
    expect(page.get_by_role("link", name="Nominate for Researcher of the Year")).to_be_visible()
