"""Rounds open and close on the clock: once, on time, late when the scheduler was down."""

import sqlite3
import threading
from datetime import date, time, timedelta

import pytest

from nominations.models import (
    AuditEvent,
    AwardRound,
    NominationStatus,
    ReminderKind,
    RoundStatus,
    db,
)
from nominations.timeutil import from_local
from nominations.unit_of_work import transaction
from nominations.workflow.calls import accepts_nominations
from nominations.workflow.lifecycle import close_due_rounds, open_due_rounds
from nominations.workflow.rounds import RoundData, update_round
from tests import factories
from tests.factories import nomination
from tests.scheduler_support import only_rules, outbox, panel, recipients, tick

OPENS = from_local(date(2027, 2, 1), time(9, 0))
CLOSES = from_local(date(2027, 3, 7))  # 23:59:59 CET
REVIEW = from_local(date(2027, 4, 15))


@pytest.fixture
def people(app, admin, staff):
    return {
        "admin": admin,
        "staff": staff,
        "inactive": factories.user("gone@example.org", "Gone Person", active=False),
        "external": factories.user("guest@example.org", "Guest Reviewer", roles=("reviewer",)),
        "rita": factories.user("rita@example.org", "Rita Reviewer", roles=("staff", "reviewer")),
    }


@pytest.fixture
def award_round(people):
    award_round = factories.award_round(
        "OUH Research Awards", 2027, opens_at=OPENS, closes_at=CLOSES, review_deadline=REVIEW
    )
    factories.category(award_round, "Excellent Researcher Award", 400_000)
    factories.category(award_round, "Early Career Award", 200_000, prize_count=2)
    return award_round


def _actions(action: str) -> int:
    return db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == action)
    ).scalar()


def test_round_opens_at_its_time_and_tells_active_staff_once(award_round, people):
    tick(OPENS - timedelta(seconds=1))
    db.session.refresh(award_round)
    assert award_round.status == RoundStatus.DRAFT
    assert outbox("reminder:call_opened") == []

    tick(OPENS)
    tick(OPENS + timedelta(minutes=1))
    db.session.refresh(award_round)
    assert award_round.status == RoundStatus.OPEN
    # Active staff only: not the inactive account, not the reviewer who is not staff.
    assert recipients("reminder:call_opened") == {
        "admin@example.org": 1,
        "staff@example.org": 1,
        "rita@example.org": 1,
    }
    [message] = [m for m in outbox("reminder:call_opened") if m.recipient == "staff@example.org"]
    assert message.subject == "Call for nominations open: OUH Research Awards 2027"
    assert "Hello Sam Staff," in message.body_text
    assert "Excellent Researcher Award: NOK 400,000" in message.body_text
    assert "Early Career Award: NOK 200,000 (2 prizes)" in message.body_text
    assert "Nominations close 7 March 2027, 23:59:59 CET." in message.body_text
    assert "http://localhost/calls" in message.body_text
    assert (
        "NOK 400,000" in message.body_html and 'href="http://localhost/calls"' in message.body_html
    )
    assert _actions("round.open") == 1


def test_a_disabled_call_opened_rule_opens_the_round_silently(award_round):
    only_rules(award_round, (ReminderKind.CALL_CLOSING, 7))
    tick(OPENS)
    db.session.refresh(award_round)
    assert award_round.status == RoundStatus.OPEN
    assert outbox() == []


def test_call_closes_at_its_time_and_stays_closed(award_round, people):
    category = award_round.categories[0]
    nomination(category, people["staff"], "Nina Nominee")
    tick(OPENS)

    tick(CLOSES - timedelta(seconds=1))
    db.session.refresh(award_round)
    assert award_round.status == RoundStatus.OPEN
    assert accepts_nominations(award_round, CLOSES - timedelta(seconds=1))

    tick(CLOSES)
    db.session.refresh(award_round)
    assert award_round.status == RoundStatus.CLOSED
    assert not accepts_nominations(award_round, CLOSES)

    # Later ticks, and an admin moving the closing date later, do not reopen it.
    tick(CLOSES + timedelta(days=1))
    update_round(
        award_round,
        RoundData(
            name=award_round.name,
            year=2027,
            opens_at=OPENS,
            closes_at=CLOSES + timedelta(days=5),
            review_deadline=REVIEW,
        ),
        actor=people["admin"],
    )
    tick(CLOSES + timedelta(days=2))
    db.session.refresh(award_round)
    assert award_round.status == RoundStatus.CLOSED
    assert not accepts_nominations(award_round, CLOSES + timedelta(days=2))
    assert _actions("round.close") == 1
    assert recipients("lifecycle:close_summary") == {"admin@example.org": 1}


def test_close_tells_the_panel_and_sends_admins_counts_per_category_once(award_round, people):
    excellent, early = award_round.categories
    staff, rita = people["staff"], people["rita"]
    second_admin = factories.user("boss@example.org", "Bo Boss", roles=("admin",))
    factories.user("old-admin@example.org", "Old Admin", roles=("admin",), active=False)
    nomination(excellent, staff, "Ada Lovelace")
    nomination(excellent, rita, "Grace Hopper")
    nomination(excellent, staff, "Draft Person", status=NominationStatus.DRAFT)
    nomination(excellent, staff, "Withdrawn Person", status=NominationStatus.WITHDRAWN)
    nomination(early, staff, "Young Researcher")
    panel(award_round, [rita, second_admin], name="Leadership group")
    panel(award_round, [people["external"]], category=early, name="Early career panel")
    tick(OPENS)

    at = CLOSES + timedelta(hours=3)
    assert close_due_rounds(at).done == [
        "closed OUH Research Awards 2027 (3 to the panel, 2 summaries to admins)"
    ]
    assert close_due_rounds(at).done == []  # the conditional update lets one run win
    tick(at)
    tick(at + timedelta(minutes=1))

    assert recipients("lifecycle:close_summary") == {
        "admin@example.org": 1,
        "boss@example.org": 1,
    }
    summary = outbox("lifecycle:close_summary")[0]
    assert summary.subject == "Call closed: OUH Research Awards 2027, 3 nominations submitted"
    text = summary.body_text
    assert "closed 7 March 2027, 23:59:59 CET" in text
    assert (
        "Excellent Researcher Award (NOK 400,000): 2 submitted, 1 draft not submitted, 1 withdrawn"
        in text
    )
    assert "Early Career Award (NOK 200,000): 1 submitted, 0 drafts not submitted, 0 withdrawn" in (
        text
    )
    assert f"http://localhost/admin/rounds/{award_round.id}" in text
    assert "<td" in summary.body_html and "Excellent Researcher Award" in summary.body_html

    assert recipients("lifecycle:reviewing_open") == {
        "rita@example.org": 1,
        "boss@example.org": 1,
        "guest@example.org": 1,
    }
    messages = outbox("lifecycle:reviewing_open")
    by_person = {m.recipient: m.body_text for m in messages}
    # Rita nominated Grace Hopper herself: not hers to review.
    assert "Hello Rita Reviewer," in by_person["rita@example.org"]
    assert "You have 2 nominations to review" in by_person["rita@example.org"]
    assert "You have 1 nomination to review" in by_person["guest@example.org"]
    assert "reviews are due 15 April 2027, 23:59:59 CEST" in by_person["guest@example.org"].replace(
        "Reviews", "reviews"
    )
    # The e-mail links to the reviewer's list and names no nominee (5 000 names made it 685 KB).
    link = f"http://localhost/review/#round-{award_round.id}"
    for message in messages:
        assert link in message.body_text and f'href="{link}"' in message.body_html
        for name in ("Ada Lovelace", "Grace Hopper", "Young Researcher", "Draft Person"):
            assert name not in message.body_text + message.body_html
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.close")
    ).scalar_one()
    assert event.after["counts"]["Excellent Researcher Award"]["drafts"] == 1
    assert event.before == {"status": "open"}


def test_a_round_whose_whole_call_was_missed_is_closed_without_an_opening_message(award_round):
    at = CLOSES + timedelta(days=3)
    assert open_due_rounds(at).done == []
    tick(at)
    db.session.refresh(award_round)
    assert award_round.status == RoundStatus.CLOSED
    assert outbox("reminder:") == []
    assert recipients("lifecycle:close_summary") == {"admin@example.org": 1}
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.close")
    ).scalar_one()
    assert event.before == {"status": "draft"}


def test_closing_waits_its_turn_behind_another_writer_on_sqlite(award_round):
    """The outbox job may be writing when the closing job runs: the close waits for it (the
    busy timeout) instead of failing with 'database is locked'. SQLite waits only when the
    transaction's first statement is the write; a read before it inside the savepoint made
    the close fail at once."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's file locks")
    round_id = award_round.id
    db.session.commit()  # the test's own connection holds no lock
    path = db.engine.url.database
    locked, release = threading.Event(), threading.Event()

    def another_writer() -> None:
        connection = sqlite3.connect(path)
        connection.execute("BEGIN IMMEDIATE")  # holds the write lock, as a job mid-commit does
        locked.set()
        release.wait(5)
        connection.commit()
        connection.close()

    writer = threading.Thread(target=another_writer)
    writer.start()
    try:
        assert locked.wait(5)
        threading.Timer(0.5, release.set).start()
        with transaction():
            report = close_due_rounds(CLOSES + timedelta(hours=1))
    finally:
        release.set()
        writer.join()
    assert report.errors == []
    assert report.done == [
        "closed OUH Research Awards 2027 (0 to the panel, 1 summaries to admins)"
    ]
    assert db.session.get(AwardRound, round_id).status == RoundStatus.CLOSED
