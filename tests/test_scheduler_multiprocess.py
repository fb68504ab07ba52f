"""Two real `flask --app nominations scheduler` processes against PostgreSQL and a real SMTP
server: one leads, every message is delivered once, each call is closed once, and after the
leader is killed with SIGKILL the stand-by takes over and runs the jobs.

The database comes from SCHEDULER_TEST_DATABASE_URL (default
postgresql://127.0.0.1:5432/test_scheduler; created when missing, its schema rebuilt with the
migrations). The test skips only when PostgreSQL does not answer on that host and port.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from nominations import PROJECT_ROOT
from nominations.models import (
    AuditEvent,
    AwardRound,
    JobRun,
    NominationStatus,
    OutboxMessage,
    OutboxStatus,
    ReminderKind,
    ReminderRule,
    RoundStatus,
    db,
)
from nominations.scheduling import lease
from nominations.timeutil import now, shift_local
from tests import factories
from tests.multiprocess_support import migrated_app, own_database
from tests.scheduler_support import nomination, only_rules, panel
from tests.smtp import SMTPServer

pytestmark = [pytest.mark.multiprocess, pytest.mark.postgres]

DEFAULT_URL = "postgresql://127.0.0.1:5432/test_scheduler"
LEASE_SECONDS = 5


@pytest.fixture(scope="module")
def pg_url():
    with own_database("SCHEDULER_TEST_DATABASE_URL", DEFAULT_URL) as url:
        yield url


@pytest.fixture
def pg_app(pg_url):
    with migrated_app(pg_url) as app:
        yield app


def _start(pg_url: str, smtp_port: int, log: Path) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SCHEDULER_", "MAIL_", "FLASK_")) and key != "WERKZEUG_RUN_MAIN"
    }
    env.update(
        NOMINATIONS_CONFIG="production",
        DATABASE_URL=pg_url,
        SECRET_KEY="multiprocess-test-secret-key-0123456789",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_DEFAULT_SENDER="awards@example.org",
        BASE_URL="https://awards.example.org",
        SCHEDULER_TICK_SECONDS="1",
        SCHEDULER_OUTBOX_SECONDS="1",
        SCHEDULER_HEARTBEAT_SECONDS="1",
        SCHEDULER_LEASE_SECONDS=str(LEASE_SECONDS),
        INSTANCE_PATH=str(log.parent / "instance"),
        PYTHONPATH=str(PROJECT_ROOT),
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "nominations", "scheduler"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition, timeout: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh snapshot of what the schedulers wrote
        if condition():
            return
        time.sleep(0.2)
    output = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
    raise AssertionError(f"timed out waiting for {what}\n{output}")


def _sent() -> int:
    return db.session.execute(
        db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.SENT)
    ).scalar()


def _all_sent(expected: int):
    def check() -> bool:
        counts = dict(
            db.session.execute(
                db.select(OutboxMessage.status, db.func.count(OutboxMessage.id)).group_by(
                    OutboxMessage.status
                )
            ).all()
        )
        return counts.get(OutboxStatus.SENT, 0) == expected and sum(counts.values()) == expected

    return check


def _received(smtp: SMTPServer, expected: Counter) -> Counter:
    """The messages the SMTP server got, as (recipient, expected subject start) when known."""
    result: Counter = Counter()
    for message in smtp.sink.messages:
        key = next(
            (
                (to, start)
                for to, start in expected
                if to == message["To"] and message["Subject"].strip().startswith(start)
            ),
            (message["To"], message["Subject"].strip()),
        )
        result[key] += 1
    return result


def _status(round_id: int) -> str:
    return db.session.execute(
        db.select(AwardRound.status).where(AwardRound.id == round_id)
    ).scalar()


def _closes(round_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "round.close", AuditEvent.object_id == round_id
        )
    ).scalar()


def test_two_schedulers_one_leads_each_message_once_and_the_stand_by_takes_over(
    pg_app, pg_url, tmp_path
):
    started = time.monotonic()
    admin = factories.user("admin@example.org", "Ada Admin", roles=("staff", "admin"))
    sam = factories.user("sam@example.org", "Sam Staff")
    nina = factories.user("nina@example.org", "Nina Nominator")
    rita = factories.user("rita@example.org", "Rita Reviewer", roles=("reviewer",))
    assert admin.id

    # Round A closes 12 s from now; its review deadline is a day after that plus 3 s, with a
    # "1 day before" review reminder: due 3 s after the close.
    closes_a = now() + timedelta(seconds=12)
    round_a = factories.award_round(
        "OUH Research Awards",
        opens_at=now() - timedelta(days=10),
        closes_at=closes_a,
        review_deadline=shift_local(closes_a + timedelta(seconds=3), days=1),
    )
    db.session.add(ReminderRule(round_id=round_a.id, kind=ReminderKind.REVIEW_DUE, days_before=1))
    db.session.commit()
    excellent = factories.category(round_a, "Excellent Researcher Award", 400_000)
    nomination(excellent, sam, "Draft Person", status=NominationStatus.DRAFT)
    nomination(excellent, nina, "Grace Hopper")
    panel(round_a, [rita])
    round_a_id = round_a.id

    # Call opened (3 staff), closes in 1 day (3 staff; the 14- and 7-day ones are covered or
    # fall before the opening), draft not submitted (Sam), reviewing open (Rita), the close
    # summary (admin), reviews due (Rita).
    expected_a = Counter(
        {
            ("admin@example.org", "Call for nominations open"): 1,
            ("sam@example.org", "Call for nominations open"): 1,
            ("nina@example.org", "Call for nominations open"): 1,
            ("admin@example.org", "Nominations for"): 1,
            ("sam@example.org", "Nominations for"): 1,
            ("nina@example.org", "Nominations for"): 1,
            ("sam@example.org", "Your nomination"): 1,
            ("rita@example.org", "Reviewing is open"): 1,
            ("admin@example.org", "Call closed"): 1,
            ("rita@example.org", "1 review still to do"): 1,
        }
    )

    logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
    with SMTPServer() as smtp:
        processes = [_start(pg_url, smtp.port, log) for log in logs]
        by_pid = {p.pid: p for p in processes}
        try:
            _wait_for(
                lambda: lease.holder_pid(getattr(lease.current(), "holder", None)) in by_pid,
                20,
                "a scheduler to lead",
                logs,
            )
            _wait_for(
                lambda: (
                    _status(round_a_id) == RoundStatus.CLOSED
                    and _all_sent(sum(expected_a.values()))()
                ),
                40,
                "round A closed and its messages delivered",
                logs,
            )
            time.sleep(2)  # a few more ticks on both processes: nothing more goes out
            assert all(p.poll() is None for p in processes), "both schedulers keep running"

            assert _received(smtp, expected_a) == expected_a
            assert _closes(round_a_id) == 1
            leader_holder = lease.current().holder
            runs = db.session.execute(db.select(JobRun.holder).distinct()).scalars().all()
            assert runs == [leader_holder], "only the leader ran jobs"
            details = " | ".join(
                db.session.execute(db.select(JobRun.detail).order_by(JobRun.id)).scalars()
            )
            assert "opened OUH Research Awards" in details
            assert "call_closing 1d OUH Research Awards" in details
            assert "closed OUH Research Awards" in details
            review_due = next(
                m for m in smtp.sink.messages if m["Subject"].strip().startswith("1 review")
            )
            body = smtp.sink.text(review_due)
            assert "- Grace Hopper: Excellent Researcher Award, NOK 400 000" in body
            assert "https://awards.example.org/review/" in body

            # Kill the leader: no clean stop, its lease simply stops being renewed.
            leader = by_pid[lease.holder_pid(leader_holder)]
            standby = next(p for p in processes if p is not leader)
            killed_at = time.monotonic()
            os.kill(leader.pid, signal.SIGKILL)
            leader.wait(timeout=10)

            # A second round, closing after the kill, is closed by the stand-by.
            round_b = factories.award_round(
                "ICR Prizes",
                opens_at=now() - timedelta(days=10),
                closes_at=now() + timedelta(seconds=3),
                review_deadline=now() + timedelta(days=30),
            )
            only_rules(round_b)
            factories.category(round_b, "Researcher of the Year", 100_000)
            panel(round_b, [rita])
            round_b_id = round_b.id

            _wait_for(
                lambda: lease.holder_pid(lease.current().holder) == standby.pid,
                LEASE_SECONDS + 15,
                "the stand-by to take over",
                logs,
            )
            takeover = time.monotonic() - killed_at
            assert takeover < 60
            _wait_for(
                lambda: (
                    _status(round_b_id) == RoundStatus.CLOSED
                    and _all_sent(sum(expected_a.values()) + 2)()
                ),
                30,
                "round B closed by the stand-by and its messages delivered",
                logs,
            )
            time.sleep(2)
            assert _closes(round_b_id) == 1
            assert _closes(round_a_id) == 1
            closer = db.session.execute(
                db.select(JobRun.holder).where(JobRun.detail.like("%closed ICR Prizes%"))
            ).scalar_one()
            assert lease.holder_pid(closer) == standby.pid
            subjects = Counter((m["To"], m["Subject"].strip()) for m in smtp.sink.messages)
            assert all(count == 1 for count in subjects.values()), subjects
            assert len(smtp.sink.messages) == sum(expected_a.values()) + 2
            round_b_title = round_b.title
            assert (
                subjects[
                    ("admin@example.org", f"Call closed: {round_b_title}, 0 nominations submitted")
                ]
                == 1
            )
            assert subjects[("rita@example.org", f"Reviewing is open: {round_b_title}")] == 1
            assert standby.poll() is None
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    # The stand-by stopped cleanly: it handed the lease back.
    db.session.rollback()
    assert lease.current().expires_at <= now()
    assert time.monotonic() - started < 60
