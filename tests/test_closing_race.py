"""Nominating at the very moment the call closes: what the multi-process test
(tests/test_multiprocess_path.py) met under load, pinned down here without real processes.

- A submission in the same request as the draft it saves, where the closing time passes between
  the two: the draft keeps what was typed, and the nominator is told exactly that.
- A submission checked a moment before the closing time but committed after the scheduler began
  closing the call: the close waits for it (PostgreSQL row lock) and counts it.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import text as sql

from nominations.models import (
    AuditEvent,
    Nomination,
    NominationStatus,
    OutboxMessage,
    RoundStatus,
    db,
)
from nominations.timeutil import format_local, now
from nominations.unit_of_work import transaction
from nominations.workflow.lifecycle import close_round_if_due
from nominations.workflow.nominations import commands
from nominations.workflow.nominations.details import NominationData
from nominations.workflow.nominations.rules import CallNotOpen
from tests import factories
from tests.nominating import errors, fields, pdf, text

SUBMIT = {"submit_nomination": "Submit nomination"}


@pytest.fixture
def dept(app):
    return factories.department("Department of Tumor Biology")


@pytest.fixture
def closing():
    return (now() + timedelta(days=3)).replace(microsecond=0)


@pytest.fixture
def category(app, closing):
    award_round = factories.award_round(
        "ICR Prizes",
        opens_at=closing - timedelta(days=30),
        closes_at=closing,
        review_deadline=closing + timedelta(days=30),
    )
    return factories.category(award_round, "Researcher of the Year", 100_000, requires_cv=False)


def test_the_call_closing_between_saving_and_submitting_keeps_the_draft_and_says_so(
    make_client, staff, dept, category, closing, monkeypatch
):
    from nominations.nominate import views

    real_submit = views.submit
    with time_machine.travel(closing - timedelta(minutes=5), tick=False) as clock:
        nominator = make_client("staff@example.org")

        def submit_a_second_too_late(nomination, *, actor):
            clock.move_to(closing + timedelta(seconds=1))  # the draft is saved by now
            return real_submit(nomination, actor=actor)

        monkeypatch.setattr(views, "submit", submit_a_second_too_late)
        response = nominator.submit(
            f"/calls/{category.id}/nominate",
            {**fields(dept, nominee_name="Late Lena"), "cv": pdf(), **SUBMIT},
        )

    assert response.status_code == 200
    shown = " ".join(errors(response))
    assert (
        f"The call closed at {format_local(closing)}. Your draft is saved with what you typed, "
        "but it was not submitted." in shown
    )
    assert "were not saved" not in shown  # it was saved: no contradiction
    page = text(response)
    assert 'value="Late Lena"' in page
    assert "Submit it before" not in page  # no invitation to do what is no longer possible
    db.session.expire_all()
    draft = db.session.execute(db.select(Nomination)).scalar_one()
    assert (draft.status, draft.nominee_name) == (NominationStatus.DRAFT, "Late Lena")
    assert [a.kind for a in draft.attachments] == ["cv"]
    assert draft.submitted_at is None
    queued = db.session.execute(db.select(OutboxMessage.dedupe_key)).scalars().all()
    assert not any(key.startswith("nomination-submitted:") for key in queued)


@pytest.mark.postgres
def test_a_submission_checked_before_the_closing_time_is_counted_by_the_close(
    app, admin, staff, dept, category, closing, monkeypatch
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks between sessions: PostgreSQL only (make test-postgres)")
    round_id = category.round_id
    with time_machine.travel(closing - timedelta(seconds=1), tick=False) as clock:
        draft = commands.save_draft(
            category,
            NominationData(
                nominee_name="Nora Nominee",
                nominee_email="nora@example.org",
                nominee_department_id=dept.id,
                nominee_position="Postdoctoral fellow",
                statement="Nora built the platform three groups rely on.",
            ),
            actor=staff,
        ).nomination
        db.session.commit()  # the test is the edge: the draft was a request of its own

        closer: dict = {}

        def close_elsewhere() -> None:  # the scheduler, with a connection of its own
            with app.app_context(), transaction():  # the job's edge commits
                closer["result"] = close_round_if_due(round_id, now())

        thread = threading.Thread(target=close_elsewhere)
        real_notify = commands.notify_nominator

        def notify_then_let_the_scheduler_close(nomination, event, occasion):
            # Checked open a moment ago, not committed yet: now the closing time passes and
            # the scheduler closes the call while this submission is still in flight.
            real_notify(nomination, event, occasion)
            clock.move_to(closing + timedelta(seconds=1))
            thread.start()
            with db.engine.connect() as watcher:
                deadline = time.monotonic() + 10
                while thread.is_alive() and time.monotonic() < deadline:
                    waiting = watcher.execute(
                        sql(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                    ).scalar()
                    if waiting:
                        break
                    time.sleep(0.02)
            assert thread.is_alive(), "the close waits for the submission in flight"

        monkeypatch.setattr(commands, "notify_nominator", notify_then_let_the_scheduler_close)
        commands.submit(draft, actor=staff)
        db.session.commit()  # the edge commits the submission; the close waits for it
        thread.join(timeout=10)
        assert not thread.is_alive()

    db.session.expire_all()
    assert closer["result"] is not None  # the close happened, after the submission
    assert db.session.get(Nomination, draft.id).status == NominationStatus.SUBMITTED
    assert db.session.get(Nomination, draft.id).submitted_at < closing
    close = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.close")
    ).scalar_one()
    assert close.after["status"] == RoundStatus.CLOSED
    assert close.after["counts"]["Researcher of the Year"]["submitted"] == 1
    summary = db.session.execute(
        db.select(OutboxMessage.subject).where(
            OutboxMessage.dedupe_key.startswith("lifecycle:close_summary:")
        )
    ).scalar_one()
    assert summary.endswith(", 1 nomination submitted")

    # And a change after the close waits for it, then finds the call closed.
    with (
        time_machine.travel(closing + timedelta(seconds=2), tick=False),
        pytest.raises(CallNotOpen, match="The call closed at"),
    ):
        commands.withdraw(db.session.get(Nomination, draft.id), actor=staff)
