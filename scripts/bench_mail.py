"""Mail at institute scale, each figure beside a reference measured in the same run.

    .venv/bin/python scripts/bench_mail.py [--quick] [--skip-scheduler]

Rows (issue 16):
- close a call of N nominations and queue reminders for N staff (one due_work run), against
  inserting the same rows (same bodies) with one executemany;
- the outbox to a local SMTP server (aiosmtpd), back to back, against smtplib sending the same
  messages over one connection straight to the server;
- N queued messages delivered by a running `flask scheduler` process, against smtplib.

On PostgreSQL, in a database of its own (BENCH_MAIL_DATABASE_URL, default
postgresql://127.0.0.1:5432/bench_mail), created and dropped here. The functions
``measure_close``, ``measure_outbox`` and ``measure_scheduler`` are what `make bench` calls.
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nominations import create_app  # noqa: E402
from nominations.models import (  # noqa: E402
    AwardCategory,
    AwardRound,
    JobRun,
    Nomination,
    NominationStatus,
    OutboxMessage,
    OutboxStatus,
    Panel,
    PanelMember,
    ReminderKind,
    ReminderRule,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now  # noqa: E402
from tests.smtp import Sink, free_port  # noqa: E402

DEFAULT_URL = "postgresql://127.0.0.1:5432/bench_mail"


@dataclass
class Row:
    measure: str
    project: float
    reference: float
    unit: str
    goal: str
    passed: bool
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.project / self.reference if self.reference else float("nan")


class SinkProcess:
    """An aiosmtpd server in a process of its own (a real mail server does not share our GIL),
    counting the messages it accepted and the connections it was given."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self._messages = context.Value("i", 0)
        self._connections = context.Value("i", 0)
        self._stop = context.Event()
        self._ready = context.Event()
        self._process = context.Process(
            target=_serve,
            args=(self.port, self._messages, self._connections, self._ready, self._stop),
            daemon=True,
        )

    def __enter__(self) -> SinkProcess:
        self._process.start()
        if not self._ready.wait(60):
            raise RuntimeError("the SMTP sink did not start")
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._process.join(30)

    @property
    def messages(self) -> int:
        return self._messages.value

    @property
    def connections(self) -> int:
        return self._connections.value

    def reset(self) -> None:
        with self._messages.get_lock():
            self._messages.value = 0
        with self._connections.get_lock():
            self._connections.value = 0


def _serve(port, messages, connections, ready, stop) -> None:
    from aiosmtpd.controller import Controller

    class CountingSink(Sink):
        async def handle_DATA(self, server, session, envelope) -> str:
            with messages.get_lock():
                messages.value += 1
            return "250 Message accepted for delivery"

    class CountingController(Controller):
        def factory(self):
            with connections.get_lock():
                connections.value += 1
            return super().factory()

    controller = CountingController(CountingSink(), hostname="127.0.0.1", port=port)
    controller.start()
    with connections.get_lock():
        connections.value = 0
    ready.set()
    stop.wait()
    controller.stop()


@contextmanager
def bench_database(url: str | None = None) -> Iterator[str]:
    """A database of our own, created empty and dropped afterwards."""
    url = make_url(url or os.environ.get("BENCH_MAIL_DATABASE_URL") or DEFAULT_URL)
    url = url.set(drivername="postgresql+psycopg")
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        server.dispose()


def bench_app(url: str, smtp_port: int):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_LOG_MESSAGES": False,
            "BASE_URL": "https://awards.example.org",
        },
    )
    return app


def reset_schema() -> None:
    from flask_migrate import upgrade

    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(directory=str(ROOT / "migrations"))


# ---------------------------------------------------------------------------------------------
# Data


def _bulk(table, rows: list[dict]) -> None:
    if rows:
        db.session.execute(table.__table__.insert(), rows)


def seed_staff(staff: int) -> None:
    """Only people: the outbox measurements need no round (a round would queue mail)."""
    at = now()
    _bulk(
        User,
        [
            {
                "email": f"person{i:05d}@example.org",
                "name": f"Person {i:05d} Nordmann",
                "password_hash": "x",
                "created_at": at,
            }
            for i in range(staff)
        ],
    )
    db.session.commit()


def seed_institute(staff: int, nominations: int, reviewers: int = 12) -> dict:
    """``staff`` active staff, two admins, ``reviewers`` on one panel; round A (call closes
    now) with ``nominations`` submitted nominations in four categories; round B (open, closes
    in 12 hours) whose "1 day before closing" reminder is due for every staff member."""
    at = now()
    users = [
        {
            "email": f"person{i:05d}@example.org",
            "name": f"Person {i:05d} Nordmann",
            "password_hash": "x",
            "is_staff": True,
            "is_reviewer": i < reviewers,
            "is_admin": i >= staff - 2,
            "active": True,
            "session_version": 0,
            "created_at": at,
        }
        for i in range(staff)
    ]
    _bulk(User, users)
    user_ids = list(db.session.execute(db.select(User.id).order_by(User.id)).scalars())
    round_a = AwardRound(
        name="OUH Research Awards",
        year=at.year,
        opens_at=at - timedelta(days=30),
        closes_at=at - timedelta(seconds=1),
        review_deadline=at + timedelta(days=30),
        status=RoundStatus.OPEN,
        opening_confirmed_at=at - timedelta(days=31),
    )
    round_b = AwardRound(
        name="ICR Prizes",
        year=at.year,
        opens_at=at - timedelta(days=3),
        closes_at=at + timedelta(hours=12),
        review_deadline=at + timedelta(days=40),
        status=RoundStatus.OPEN,
        opening_confirmed_at=at - timedelta(days=4),
    )
    db.session.add_all([round_a, round_b])
    db.session.flush()
    for award_round in (round_a, round_b):
        for position, (name, amount) in enumerate(
            [
                ("Excellent Researcher Award", 400_000),
                ("Early Career Award", 200_000),
                ("Researcher of the Year", 100_000),
                ("Employee of the Year", 50_000),
            ]
        ):
            db.session.add(
                AwardCategory(
                    round_id=award_round.id, position=position, name=name, prize_amount=amount
                )
            )
    db.session.add(ReminderRule(round_id=round_b.id, kind=ReminderKind.CALL_CLOSING, days_before=1))
    db.session.flush()
    category_ids = [c.id for c in round_a.categories]
    _bulk(
        Nomination,
        [
            {
                "category_id": category_ids[i % len(category_ids)],
                "nominator_id": user_ids[(i * 7 + 13) % staff],
                "nominee_name": f"Nominee {i:05d} Hansen-Berg",
                "nominee_email": f"nominee{i:05d}@example.org",
                "nominee_position": "Researcher",
                "statement": "An outstanding contribution to cancer research.",
                "status": NominationStatus.SUBMITTED,
                "submitted_at": at - timedelta(days=2),
                "created_at": at - timedelta(days=3),
                "updated_at": at - timedelta(days=2),
                "ineligible_reason": "",
            }
            for i in range(nominations)
        ],
    )
    panel = Panel(round_id=round_a.id, name="Leadership group")
    db.session.add(panel)
    db.session.flush()
    _bulk(
        PanelMember,
        [
            {"panel_id": panel.id, "user_id": user_ids[i], "role": "chair" if i == 0 else "member"}
            for i in range(reviewers)
        ],
    )
    db.session.commit()
    return {"round_a": round_a.id, "round_b": round_b.id}


def queue_plain(count: int, prefix: str = "bench") -> None:
    """``count`` pending messages, each a call-opened announcement of four categories (about
    3 KB, text and HTML), straight into the outbox."""
    from nominations.mail.outbox import render_email

    at = now()
    award_round = AwardRound(
        name="OUH Research Awards",
        year=at.year,
        organiser="Oslo University Hospital",
        opens_at=at,
        closes_at=at + timedelta(days=30),
        review_deadline=at + timedelta(days=60),
    )  # not stored: only rendered
    categories = [
        AwardCategory(name=name, prize_amount=amount, currency="NOK", prize_count=1, funder="")
        for name, amount in [
            ("Excellent Researcher Award", 400_000),
            ("Early Career Award", 200_000),
            ("Researcher of the Year", 100_000),
            ("Employee of the Year", 50_000),
        ]
    ]

    class Reader:
        name = "Person Nordmann"

    body, html = render_email(
        "call_opened",
        language="en",
        subject="Call",
        user=Reader(),
        award_round=award_round,
        categories=categories,
        at=at,
    )
    _bulk(
        OutboxMessage,
        [
            {
                "dedupe_key": f"{prefix}:{i}",
                "recipient": f"person{i:05d}@example.org",
                "subject": f"Call for nominations open: {award_round.name} ({i})",
                "body_text": body,
                "body_html": html,
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "last_error": "",
                "next_attempt_at": at,
                "created_at": at,
            }
            for i in range(count)
        ],
    )
    db.session.commit()


# ---------------------------------------------------------------------------------------------
# Measurements


def measure_close(app, staff: int = 5000, nominations: int = 5000) -> Row:
    """One due_work run: closes round A (panel and admins told) and queues round B's reminder
    to every staff member. Reference: the same rows written with one executemany."""
    from nominations.scheduling.jobs import run_job

    with app.app_context():
        reset_schema()
        seed_institute(staff, nominations)
        started = time.perf_counter()
        run = run_job("due_work", holder="bench")
        project = time.perf_counter() - started
        assert run.outcome == "ok", run.detail
        rows = [
            dict(row._mapping)
            for row in db.session.execute(
                db.select(
                    OutboxMessage.dedupe_key,
                    OutboxMessage.recipient,
                    OutboxMessage.subject,
                    OutboxMessage.body_text,
                    OutboxMessage.body_html,
                    OutboxMessage.status,
                    OutboxMessage.attempts,
                    OutboxMessage.last_error,
                    OutboxMessage.next_attempt_at,
                    OutboxMessage.created_at,
                )
            )
        ]
        size = sum(len(r["body_text"]) + len(r["body_html"]) for r in rows)
        largest = max(len(r["body_text"]) + len(r["body_html"]) for r in rows)
        db.session.execute(text("CREATE TABLE bench_copy (LIKE outbox_messages INCLUDING ALL)"))
        db.session.commit()
        started = time.perf_counter()
        db.session.execute(
            text(
                "INSERT INTO bench_copy (dedupe_key, recipient, subject, body_text, body_html, "
                "status, attempts, last_error, next_attempt_at, created_at) VALUES (:dedupe_key, "
                ":recipient, :subject, :body_text, :body_html, :status, :attempts, :last_error, "
                ":next_attempt_at, :created_at)"
            ),
            rows,
        )
        db.session.commit()
        reference = time.perf_counter() - started
        db.session.execute(text("DROP TABLE bench_copy"))
        db.session.commit()
        note = (
            f"{len(rows)} messages, {size / 1e6:.1f} MB in all, largest {largest / 1e3:.0f} KB; "
            f"{run.detail[:160]}"
        )
    return Row(
        f"close a call of {nominations} nominations + remind {staff} staff",
        project,
        reference,
        "s",
        "<= 5 s",
        project <= 5,
        note,
    )


def _as_bytes(messages: list[OutboxMessage], sender: str) -> list[tuple[str, bytes]]:
    from flask_mail import Message

    return [
        (
            m.recipient,
            Message(
                subject=m.subject,
                recipients=[m.recipient],
                body=m.body_text,
                html=m.body_html or None,
                sender=sender,
            ).as_bytes(),
        )
        for m in messages
    ]


def smtplib_reference(port: int, payloads: list[tuple[str, bytes]], sender: str) -> float:
    """Seconds for smtplib to send ``payloads`` over one connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for recipient, payload in payloads:
            connection.sendmail(sender, [recipient], payload)
    return time.perf_counter() - started


def _pending_payloads(app) -> list[tuple[str, bytes]]:
    statement = db.select(OutboxMessage).order_by(OutboxMessage.id)
    messages = list(db.session.execute(statement).scalars())
    return _as_bytes(messages, app.config["MAIL_DEFAULT_SENDER"])


def measure_outbox(app, smtp: SinkProcess, count: int = 2000, rounds: int = 3) -> Row:
    """Drain ``count`` queued messages back to back (deliver_due until nothing is left), and
    smtplib sending the same messages; ``rounds`` times in turn, the best of each (the machine
    is shared: the best run is the one least disturbed)."""
    from nominations.mail.delivery import deliver_due

    projects, references, connections = [], [], []
    with app.app_context():
        reset_schema()
        seed_staff(20)
        for turn in range(rounds):
            db.session.execute(db.delete(OutboxMessage))
            db.session.commit()
            queue_plain(count, prefix=f"outbox{turn}")
            payloads = _pending_payloads(app)
            smtp.reset()
            references.append(
                smtplib_reference(smtp.port, payloads, app.config["MAIL_DEFAULT_SENDER"])
            )
            assert smtp.messages == count and smtp.connections == 1
            smtp.reset()
            started = time.perf_counter()
            sent = 0
            while True:
                report = deliver_due()
                sent += report.sent
                if not report.sent:
                    break
            projects.append(time.perf_counter() - started)
            assert sent == count and smtp.messages == count, (sent, smtp.messages)
            connections.append(smtp.connections)
    project_rate, reference_rate = count / min(projects), count / min(references)
    return Row(
        f"outbox to local SMTP, back to back ({count} msgs)",
        project_rate,
        reference_rate,
        "msg/s",
        ">= 300 msg/s",
        project_rate >= 300,
        f"SMTP connections per run: {connections}; runs (s): project "
        f"{', '.join(f'{t:.2f}' for t in projects)}; reference "
        f"{', '.join(f'{t:.2f}' for t in references)}",
    )


def _scheduler_env(url: str, smtp_port: int, instance: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SCHEDULER_", "MAIL_", "FLASK_")) and k not in ("DATABASE_URL",)
    }
    env.update(
        NOMINATIONS_CONFIG="production",
        DATABASE_URL=url,
        SECRET_KEY="bench-mail-secret-key-0123456789abcdef",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_DEFAULT_SENDER="awards@example.org",
        BASE_URL="https://awards.example.org",
        INSTANCE_PATH=str(instance),
    )
    return env


def _wait(condition, timeout: float, what: str, interval: float = 0.1) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(interval)
    return time.perf_counter() - started


def _time_scheduled_delivery(smtp: SinkProcess, count: int, timeout: float) -> float:
    """Once the scheduler has run its outbox job, queue ``count`` messages: the seconds until
    the last one is sent."""

    def outbox_ran() -> bool:
        db.session.rollback()
        statement = db.select(JobRun.id).where(
            JobRun.job == "outbox", JobRun.finished_at.is_not(None)
        )
        return db.session.execute(statement).first() is not None

    def all_sent() -> bool:
        db.session.rollback()
        statement = db.select(db.func.count(OutboxMessage.id)).where(
            OutboxMessage.status == OutboxStatus.SENT
        )
        return db.session.execute(statement).scalar_one() == count

    _wait(outbox_ran, 120, "the scheduler's first outbox run")
    smtp.reset()
    queue_plain(count, prefix="scheduled")
    queued_at = time.perf_counter()
    _wait(all_sent, timeout, "every message sent", interval=0.2)
    elapsed = time.perf_counter() - queued_at
    assert smtp.messages == count, smtp.messages
    return elapsed


def measure_scheduler(app, url: str, smtp: SinkProcess, count: int = 2000, timeout=900) -> Row:
    """A `flask scheduler` process (production settings) runs; ``count`` messages are queued
    at once; the time until the last is sent."""
    import tempfile

    with app.app_context():
        reset_schema()
        seed_staff(20)
        instance = Path(tempfile.mkdtemp(prefix="bench-mail-"))
        with open(instance / "scheduler.log", "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "nominations", "scheduler"],
                env=_scheduler_env(url, smtp.port, instance),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                project = _time_scheduled_delivery(smtp, count, timeout)
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
        note = f"SMTP connections: {smtp.connections}; log {instance / 'scheduler.log'}"
        payloads = _pending_payloads(app)
        smtp.reset()
        reference = smtplib_reference(smtp.port, payloads, app.config["MAIL_DEFAULT_SENDER"])
    return Row(
        f"{count} queued messages delivered by the running scheduler",
        project,
        reference,
        "s",
        "<= 30 s",
        project <= 30,
        note,
    )


def print_table(rows: list[Row]) -> None:
    print(f"\n{'measure':<62} {'project':>10} {'reference':>10} {'ratio':>7}  goal          pass")
    for row in rows:
        print(
            f"{row.measure:<62} {row.project:>8.2f}{row.unit[:2]:>2} {row.reference:>8.2f}"
            f"{row.unit[:2]:>2} {row.ratio:>7.2f}  {row.goal:<13} "
            f"{'pass' if row.passed else 'FAIL'}"
        )
        if row.note:
            print(f"    {row.note}")


def main() -> None:
    # A SIGTERM (a stopped job) unwinds like Ctrl-C, so the scheduler started here stops too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes (CI)")
    parser.add_argument("--skip-scheduler", action="store_true")
    parser.add_argument("--only", choices=["close", "outbox", "scheduler"])
    args = parser.parse_args()
    size = 200 if args.quick else 5000
    messages = 100 if args.quick else 2000
    rows = []
    with bench_database() as url, SinkProcess() as smtp:
        app = bench_app(url, smtp.port)
        if args.only in (None, "close"):
            rows.append(measure_close(app, staff=size, nominations=size))
        if args.only in (None, "outbox"):
            rows.append(measure_outbox(app, smtp, messages))
        if args.only in (None, "scheduler") and not args.skip_scheduler:
            rows.append(measure_scheduler(app, url, smtp, messages))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print_table(rows)


if __name__ == "__main__":
    main()
