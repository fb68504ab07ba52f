"""An administrator's habits with rounds, in a real browser: pressing save to be sure changes
nothing, and opening a round is a step the administrator takes on purpose."""

from __future__ import annotations

from datetime import date, time

import pytest
from playwright.sync_api import expect
from sqlalchemy import inspect

from nominations.models import AuditEvent, AwardRound, db
from nominations.timeutil import from_local
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
    expect(page.locator("dl")).to_contain_text("7 March 2031 23:59:59 CET")
    page.get_by_role("link", name="Edit round").click()
    expect(page.get_by_label("Closing time")).to_have_value("23:59:59")
    shot("edit form as opened")
    page.get_by_role("button", name="Save round").click()
    expect(page.get_by_role("alert")).to_contain_text("Saved OUH Research Awards 2031")
    expect(page.locator("dl")).to_contain_text("7 March 2031 23:59:59 CET")
    expect(page.locator("dl")).to_contain_text("2 April 2031 12:00:30 CEST")
    shot("saved unchanged")
    assert _stored_round(live_server, round_id) == before
    assert _audit_actions(live_server) == actions
