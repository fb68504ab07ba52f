"""Reminders: due at the same local clock time N days before, sent once, moved with the dates,
to the right people with the right content."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from nominations.models import (
    AuditEvent,
    Nomination,
    NominationStatus,
    OutboxMessage,
    ReminderKind,
    ReminderRule,
    ReminderSend,
    Review,
    ReviewStatus,
    User,
    db,
)
from nominations.timeutil import from_local, shift_local
from nominations.workflow.reminders import sending
from nominations.workflow.reminders.overview import reminder_overview
from nominations.workflow.reminders.sending import send_due_reminders
from nominations.workflow.rounds import RoundData, update_round
from tests import factories
from tests.factories import nomination
from tests.scheduler_support import (
    conflict,
    only_rules,
    outbox,
    panel,
    recipients,
    review,
    tick,
)

OPENS = from_local(date(2027, 2, 1), time(9, 0))
CLOSES = from_local(date(2027, 3, 7))  # 23:59:59 CET
REVIEW = from_local(date(2027, 4, 15))  # 23:59:59 CEST


def before(deadline: datetime, days: int) -> datetime:
    return shift_local(deadline, days=-days)


@pytest.fixture
def award_round(app, admin, staff):
    award_round = factories.award_round(
        "OUH Research Awards", 2027, opens_at=OPENS, closes_at=CLOSES, review_deadline=REVIEW
    )
    factories.category(award_round, "Excellent Researcher Award", 400_000)
    factories.category(award_round, "Early Career Award", 200_000, prize_count=2)
    return award_round


def _move(award_round, admin, closes_at=None, review_deadline=None):
    update_round(
        award_round,
        RoundData(
            name=award_round.name,
            year=award_round.year,
            opens_at=award_round.opens_at,
            closes_at=closes_at or award_round.closes_at,
            review_deadline=review_deadline or award_round.review_deadline,
        ),
        actor=admin,
    )


def test_a_job_run_twice_sends_nothing_twice(award_round, staff):
    nomination(award_round.categories[0], staff, "Nina Nominee", status=NominationStatus.DRAFT)
    moments = [OPENS, before(CLOSES, 14), before(CLOSES, 7), before(CLOSES, 1)]
    for at in moments:
        for _ in range(2):
            tick(at)
            tick(at + timedelta(minutes=5))
    keys = [m.dedupe_key for m in outbox()]
    assert len(keys) == len(set(keys))
    # call opened + 3 closing reminders to each of the two staff, 3 draft reminders to Sam.
    assert recipients("reminder:call_opened") == {"admin@example.org": 1, "staff@example.org": 1}
    assert recipients("reminder:call_closing") == {"admin@example.org": 3, "staff@example.org": 3}
    assert recipients("reminder:draft_pending") == {"staff@example.org": 3}
    [seven] = [m for m in outbox("reminder:call_closing") if ":d7:u" in m.dedupe_key][:1]
    assert (
        seven.subject == "Nominations for OUH Research Awards 2027 close 7 March 2027, 23:59:59 CET"
    )
    assert "(7 days left)" in seven.body_text
    assert "Excellent Researcher Award: NOK 400,000" in seven.body_text
    assert "http://localhost/calls" in seven.body_text and seven.body_html


def test_seven_days_before_is_the_same_local_clock_time_across_daylight_saving(app, admin):
    # Closing 12:00 on 2 April 2027 (CEST, UTC+2); 7 days earlier is 26 March, 12:00 CET
    # (UTC+1): 6 days 23 hours earlier in UTC.
    closes = from_local(date(2027, 4, 2), time(12, 0))
    award_round = factories.award_round(
        "ICR Prizes", 2027, opens_at=OPENS, closes_at=closes, review_deadline=REVIEW
    )
    only_rules(award_round, (ReminderKind.CALL_CLOSING, 7))
    due = datetime(2027, 3, 26, 11, 0, tzinfo=UTC)
    assert before(closes, 7) == due
    assert closes - due == timedelta(days=6, hours=23)
    tick(due - timedelta(seconds=1))
    assert outbox("reminder:") == []
    tick(due)
    assert recipients("reminder:call_closing") == {"admin@example.org": 1}


def test_a_new_closing_date_moves_the_reminders(award_round, admin, staff):
    only_rules(award_round, (ReminderKind.CALL_CLOSING, 7))
    old_due = before(CLOSES, 7)
    tick(OPENS)
    # Before the reminder is due, the admin extends the call by two weeks.
    later = CLOSES + timedelta(days=14)
    _move(award_round, admin, closes_at=later, review_deadline=REVIEW + timedelta(days=14))
    tick(old_due)
    tick(old_due + timedelta(days=1))
    assert outbox("reminder:call_closing") == []
    new_due = before(later, 7)
    tick(new_due - timedelta(seconds=1))
    assert outbox("reminder:call_closing") == []
    tick(new_due)
    assert recipients("reminder:call_closing") == {"admin@example.org": 1, "staff@example.org": 1}
    assert "close 21 March 2027, 23:59:59 CET" in outbox("reminder:call_closing")[0].subject

    # Moved by one more day after it went out (less than the rule's 7 days): no repeat.
    _move(award_round, admin, closes_at=shift_local(later, days=1))
    tick(new_due + timedelta(hours=1))
    tick(before(shift_local(later, days=1), 7))
    assert len(outbox("reminder:call_closing")) == 2

    # Moved two more weeks: "7 days before" the new date is a new occasion, sent once then.
    latest = shift_local(later, days=15)
    _move(award_round, admin, closes_at=latest)
    tick(new_due + timedelta(days=2))
    assert len(outbox("reminder:call_closing")) == 2
    tick(before(latest, 7))
    tick(before(latest, 7) + timedelta(hours=2))
    assert recipients("reminder:call_closing") == {"admin@example.org": 2, "staff@example.org": 2}
    assert "close 5 April 2027, 23:59:59 CEST" in outbox("reminder:call_closing")[-1].subject


def test_a_closing_date_moved_earlier_sends_the_reminder_at_once(award_round):
    only_rules(award_round, (ReminderKind.CALL_CLOSING, 7))
    at = datetime(2027, 2, 10, 10, 0, tzinfo=UTC)
    tick(at)
    assert outbox("reminder:") == []
    award_round.closes_at = at + timedelta(days=3)
    db.session.commit()
    tick(at + timedelta(minutes=1))
    assert recipients("reminder:call_closing") == {"admin@example.org": 1, "staff@example.org": 1}


def test_a_scheduler_down_across_several_reminders_sends_only_the_latest(award_round):
    only_rules(
        award_round,
        (ReminderKind.CALL_CLOSING, 14),
        (ReminderKind.CALL_CLOSING, 7),
        (ReminderKind.CALL_CLOSING, 1),
    )
    tick(before(CLOSES, 7) + timedelta(hours=5))
    messages = outbox("reminder:call_closing")
    assert {m.dedupe_key.split(":")[3] for m in messages} == {"d7"}
    assert recipients("reminder:call_closing") == {"admin@example.org": 1, "staff@example.org": 1}
    tick(before(CLOSES, 1))
    assert recipients("reminder:call_closing") == {"admin@example.org": 2, "staff@example.org": 2}
    # Nothing once the call has closed.
    tick(CLOSES + timedelta(seconds=1))
    assert len(outbox("reminder:call_closing")) == 4


def test_no_closing_reminder_falls_before_the_call_opened(app, admin):
    # Open for ten days: the 14-day reminder would come before the opening; it is skipped.
    opens = from_local(date(2027, 2, 25), time(9, 0))
    award_round = factories.award_round(
        "Short call", 2027, opens_at=opens, closes_at=CLOSES, review_deadline=REVIEW
    )
    factories.category(award_round)  # a round opens only with something to nominate for
    tick(opens)
    tick(opens + timedelta(hours=1))
    assert recipients("reminder:call_opened") == {"admin@example.org": 1}
    assert outbox("reminder:call_closing") == []
    tick(before(CLOSES, 7))
    assert [m.dedupe_key.split(":")[3] for m in outbox("reminder:call_closing")] == ["d7"]
    states = {
        (row.rule.kind, row.rule.days_before): row.state for row in reminder_overview(award_round)
    }
    assert states[(ReminderKind.CALL_CLOSING, 14)] == "skipped"


def test_draft_reminders_reach_only_nominators_with_drafts(award_round, staff):
    excellent, early = award_round.categories
    submitted_only = factories.user("sub@example.org", "Sue Submitted")
    withdrawn_only = factories.user("wd@example.org", "Walt Withdrawn")
    elsewhere = factories.user("else@example.org", "Elle Elsewhere")
    gone = factories.user("gone@example.org", "Gone Person")
    nomination(excellent, staff, "Ada Lovelace", status=NominationStatus.DRAFT)
    nomination(early, staff, "", status=NominationStatus.DRAFT)
    nomination(excellent, staff, "Submitted One")
    nomination(excellent, submitted_only, "Grace Hopper")
    nomination(early, withdrawn_only, "Alan Turing", status=NominationStatus.WITHDRAWN)
    nomination(excellent, gone, "Inactive Draft", status=NominationStatus.DRAFT)
    gone.active = False
    db.session.commit()
    other = factories.award_round(
        "ICR Prizes",
        2027,
        opens_at=OPENS,
        closes_at=CLOSES + timedelta(days=60),
        review_deadline=REVIEW + timedelta(days=60),
    )
    other_category = factories.category(other, "Researcher of the Year", 100_000)
    nomination(other_category, elsewhere, "Other Round", status=NominationStatus.DRAFT)

    tick(before(CLOSES, 7))
    assert recipients("reminder:draft_pending") == {"staff@example.org": 1}
    [message] = outbox("reminder:draft_pending")
    assert message.subject == (
        "Your nomination 2 drafts are not submitted yet (OUH Research Awards 2027)"
    )
    text = message.body_text
    assert "- Ada Lovelace: Excellent Researcher Award, NOK 400,000" in text
    assert "- (nominee not named yet): Early Career Award, NOK 200,000" in text
    assert "Submitted One" not in text and "Other Round" not in text
    assert "closes 7 March 2027, 23:59:59 CET" in text
    assert "http://localhost/nominations/mine" in text
    # Everyone active on the staff got the general reminder, drafts or not.
    assert set(recipients("reminder:call_closing")) == {
        "admin@example.org",
        "staff@example.org",
        "sub@example.org",
        "wd@example.org",
        "else@example.org",
    }


def test_reviewer_reminders_list_only_the_reviews_still_missing(award_round, admin, staff):
    excellent, early = award_round.categories
    rita = factories.user("rita@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    done = factories.user("done@example.org", "Dan Done", roles=("reviewer",))
    factories.user("out@example.org", "Otto Outsider", roles=("reviewer",))  # on no panel
    reviewed = nomination(excellent, staff, "Already Reviewed")
    drafted = nomination(excellent, staff, "Review In Draft")
    conflicted = nomination(excellent, staff, "Conflicted Person")
    cleared = nomination(excellent, staff, "Conflict Cleared")
    nomination(excellent, staff, "Still Missing")
    nomination(excellent, staff, "Not Submitted", status=NominationStatus.DRAFT)
    nomination(excellent, staff, "Withdrawn Person", status=NominationStatus.WITHDRAWN)
    nomination(excellent, rita, "Her Own Nomination")
    nomination(excellent, staff, "Rita Herself", nominee_email="rita@example.org")
    early_one = nomination(early, staff, "Other Category")
    panel(award_round, [rita], category=excellent, name="Excellence panel")
    panel(award_round, [done], name="Whole round panel")
    review(reviewed, rita)
    review(drafted, rita, status=ReviewStatus.DRAFT)
    conflict(conflicted, rita)
    conflict(cleared, rita, cleared=True)
    for item in (reviewed, drafted, conflicted, cleared, early_one):
        review(item, done)
    for name in ("Still Missing", "Her Own Nomination", "Rita Herself"):
        item = db.session.execute(
            db.select(Nomination).where(Nomination.nominee_name == name)
        ).scalar_one()
        review(item, done)

    tick(CLOSES)
    tick(before(REVIEW, 7))
    tick(before(REVIEW, 7) + timedelta(minutes=1))
    assert recipients("reminder:review_due") == {"rita@example.org": 1}
    [message] = outbox("reminder:review_due")
    assert message.subject == (
        "3 reviews still to do for OUH Research Awards 2027, due 15 April 2027, 23:59:59 CEST"
    )
    listed = [line[2:].split(":")[0] for line in message.body_text.splitlines() if line[:2] == "- "]
    assert listed == ["Review In Draft", "Conflict Cleared", "Still Missing"]
    assert "http://localhost/review/" in message.body_text
    assert "Still Missing" in message.body_html

    # She submits two of them; two days before, the reminder lists the one left.
    db.session.execute(
        db.update(Review)
        .where(Review.nomination_id == drafted.id, Review.reviewer_id == rita.id)
        .values(status=ReviewStatus.SUBMITTED)
    )
    db.session.commit()
    review(cleared, rita)
    tick(before(REVIEW, 2))
    latest = outbox("reminder:review_due")[-1]
    assert latest.subject.startswith("1 review still to do")
    assert "- Still Missing: Excellent Researcher Award" in latest.body_text
    assert "Conflict Cleared" not in latest.body_text


def test_review_reminders_wait_for_the_close_and_stop_at_the_deadline(award_round, staff):
    rita = factories.user("rita@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    nomination(award_round.categories[0], staff, "Still Missing")
    panel(award_round, [rita])
    # The review deadline moved to five days after the close: "7 days before" would fall
    # before the close, so it is skipped; "2 days before" is sent.
    award_round.review_deadline = CLOSES + timedelta(days=5)
    db.session.commit()
    tick(CLOSES - timedelta(hours=1))
    assert outbox("reminder:review_due") == []
    tick(CLOSES)
    assert outbox("reminder:review_due") == []
    tick(before(award_round.review_deadline, 2))
    assert [m.dedupe_key.split(":")[3] for m in outbox("reminder:review_due")] == ["d2"]
    assert send_due_reminders(award_round.review_deadline).queued == 0


def test_admin_changes_the_reminder_rules_of_a_round(award_round, admin, client, staff):
    client.login("admin@example.org")
    page = client.get(f"/admin/rounds/{award_round.id}").get_data(as_text=True)
    assert "Call closes soon, 7 days before" in page
    assert "28 February 2027, 23:59:59 CET" in page  # due time of "7 days before", local time
    url = f"/admin/rounds/{award_round.id}/reminders/new"
    response = client.submit(
        url, {"kind": "call_closing", "days_before": "3"}, follow_redirects=True
    )
    assert "Reminder “Call closes soon”, 3 days before added." in response.get_data(as_text=True)
    duplicate = client.submit(url, {"kind": "call_closing", "days_before": "3"})
    assert "already has the reminder" in duplicate.get_data(as_text=True)
    missing = client.submit(url, {"kind": "review_due", "days_before": ""})
    assert "Enter how many days before the deadline." in missing.get_data(as_text=True)

    rules = {
        (r.kind, r.days_before): r
        for r in db.session.execute(
            db.select(ReminderRule).where(ReminderRule.round_id == award_round.id)
        ).scalars()
    }
    seven = rules[(ReminderKind.CALL_CLOSING, 7)]
    fourteen = rules[(ReminderKind.CALL_CLOSING, 14)]
    response = client.submit(
        f"/admin/reminders/{seven.id}/disable",
        page=f"/admin/rounds/{award_round.id}",
        follow_redirects=True,
    )
    assert "disabled." in response.get_data(as_text=True)
    client.submit(
        f"/admin/reminders/{fourteen.id}/delete",
        {"confirmed": "1"},
        page=f"/admin/rounds/{award_round.id}",
    )
    assert db.session.get(ReminderRule, fourteen.id) is None
    actions = db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.action.like("reminder.%"))
    ).scalars()
    assert sorted(actions) == ["reminder.add", "reminder.disable", "reminder.remove"]

    for at in (before(CLOSES, 14), before(CLOSES, 7), before(CLOSES, 3)):
        tick(at)
    days = sorted(m.dedupe_key.split(":")[3] for m in outbox("reminder:call_closing"))
    assert days == ["d3", "d3"]  # no 14 (removed), no 7 (disabled): 3 days, to both staff


def test_reminder_pages_are_for_admins_only(award_round, make_client, staff):
    rule = db.session.execute(db.select(ReminderRule)).scalars().first()
    browser = make_client("staff@example.org")
    assert browser.get(f"/admin/rounds/{award_round.id}/reminders/new").status_code == 403
    token = browser.csrf_token("/")
    response = browser.post(f"/admin/reminders/{rule.id}/disable", data={"csrf_token": token})
    assert response.status_code == 403
    db.session.refresh(rule)
    assert rule.enabled


def test_every_reminder_sent_is_recorded_once_with_its_message(award_round, admin, staff):
    for at in (OPENS, before(CLOSES, 7)):
        tick(at)
        tick(at + timedelta(minutes=5))
    sends = db.session.execute(
        db.select(ReminderSend).where(ReminderSend.user_id == staff.id).order_by(ReminderSend.id)
    ).scalars()
    recorded = [(s.kind, s.days_before, s.due_for, s.queued_at) for s in sends]
    assert recorded == [
        ("call_opened", 0, OPENS, OPENS),
        ("call_closing", 7, CLOSES, before(CLOSES, 7)),
    ]
    for send in db.session.execute(db.select(ReminderSend)).scalars():
        message = db.session.get(OutboxMessage, send.outbox_message_id)
        assert message.recipient == db.session.get(User, send.user_id).email
    rows = {(r.rule.kind, r.rule.days_before): r.sent for r in reminder_overview(award_round)}
    assert rows[(ReminderKind.CALL_OPENED, None)] == 2
    assert rows[(ReminderKind.CALL_CLOSING, 7)] == 2
    assert rows[(ReminderKind.CALL_CLOSING, 14)] == 0

    # Exactly once is the database's rule, not only the scheduler's.
    db.session.add(
        ReminderSend(
            round_id=award_round.id,
            kind=ReminderKind.CALL_CLOSING,
            user_id=staff.id,
            days_before=7,
            due_for=CLOSES,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_one_failing_round_does_not_undo_the_others(award_round, admin, staff, monkeypatch):
    other = factories.award_round(
        "ICR Prizes", 2027, opens_at=OPENS, closes_at=CLOSES, review_deadline=REVIEW
    )
    factories.category(other, "Researcher of the Year", 100_000)
    nomination(other.categories[0], staff, "Nina Nominee", status=NominationStatus.DRAFT)
    db.session.commit()
    tick(OPENS)
    real_subject = sending._subject

    def subject(kind, round_, items):
        # The other round's draft reminders break after its closing reminders were queued.
        if round_.id == other.id and kind == ReminderKind.DRAFT_PENDING:
            raise RuntimeError("the template went away")
        return real_subject(kind, round_, items)

    monkeypatch.setattr(sending, "_subject", subject)
    run = tick(before(CLOSES, 7))
    assert run.outcome == "error"
    assert f"round {other.id}: RuntimeError: the template went away" in run.detail
    kept = Counter(
        db.session.execute(
            db.select(ReminderSend.round_id).where(ReminderSend.kind != ReminderKind.CALL_OPENED)
        ).scalars()
    )
    assert kept == {award_round.id: 2}  # the other round's closing reminders were undone too
    assert len(outbox(f"reminder:call_closing:r{award_round.id}:")) == 2
    assert outbox(f"reminder:call_closing:r{other.id}:") == []

    monkeypatch.setattr(sending, "_subject", real_subject)
    assert tick(before(CLOSES, 7) + timedelta(minutes=5)).outcome == "ok"
    assert len(outbox(f"reminder:call_closing:r{other.id}:")) == 2
    assert recipients(f"reminder:draft_pending:r{other.id}:") == {"staff@example.org": 1}
