"""The production path under load: two gunicorn servers (two workers each) and two
`flask --app nominations scheduler` processes on one PostgreSQL database, a real SMTP server,
and a dozen people nominating through both servers at once, right up to and past the closing
time of the call (the real clock: these processes cannot be time-travelled).

Nothing depends on how fast the machine is: the call opens once both servers and a scheduler
run, the people start once the scheduler has opened it, and the test closes the call (a closing
time two seconds ahead) only once every person has had nominations submitted (one saved as a
draft first); every wait is "until this happened", with an overall timeout that only a hung
test reaches.

Then, from the database and from what the SMTP server received:

- every nomination a person was told was submitted is stored once, as submitted before the
  closing time, and confirmed once by e-mail;
- every refused one was told "The call closed at ..." and is not submitted: not stored when
  they were told nothing was saved, a draft (with the right text) when they were told so;
- the call was closed once (one ``round.close`` audit event, one summary to the admin, and the
  summary's counts are the final ones), and each reminder went out once.

The servers run as in production (README "Running in production"): gunicorn.conf.py,
NOMINATIONS_CONFIG=production with a real SECRET_KEY, behind a load balancer that terminates
HTTPS (the browsers send ``X-Forwarded-Proto: https`` and their own ``X-Forwarded-For``;
TRUSTED_PROXY_COUNT=1), uploads on storage both "hosts" share.

The database comes from MULTIPROC_DATABASE_URL (default
postgresql://127.0.0.1:5432/test_multiproc; created when missing, its schema rebuilt with the
migrations, an advisory lock makes parallel runs take turns). The test skips only when
PostgreSQL does not answer on that host and port.

It runs once per CI run, in ``make test`` (``make test-postgres`` leaves the ``multiprocess``
tests out: they bring their own PostgreSQL database either way).
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from nominations.models import (
    AuditEvent,
    AwardRound,
    JobRun,
    Nomination,
    NominationStatus,
    OutboxMessage,
    OutboxStatus,
    ReminderKind,
    RoundStatus,
    db,
)
from nominations.scheduling import lease
from nominations.timeutil import format_local, now, shift_local
from tests import factories
from tests.multiprocess_support import (
    Browser,
    Page,
    Processes,
    clean_environment,
    free_ports,
    migrated_app,
    own_database,
    wait_for,
)
from tests.nominating import PDF
from tests.scheduler_support import only_rules, panel

pytestmark = [pytest.mark.multiprocess, pytest.mark.postgres]  # and slow (tests/conftest.py)

DEFAULT_URL = "postgresql://127.0.0.1:5432/test_multiproc"
SECRET_KEY = "multiprocess-path-test-4f1b9c2e7d8a6f30"
PUBLIC_HOST = "awards.example.org"
NOMINATORS = 12  # people (browsers), each their own staff account
CLOSE_AHEAD_SECONDS = 2  # once everybody submitted once, the call closes this far ahead
HUNG = 180  # seconds: a wait this long means the test is stuck, not that the machine is slow
LEASE_SECONDS = 5
CATEGORY = "Researcher of the Year"


@pytest.fixture(scope="module")
def pg_url():
    with own_database("MULTIPROC_DATABASE_URL", DEFAULT_URL) as url:
        yield url


@pytest.fixture
def pg_app(pg_url):
    with migrated_app(pg_url) as app:
        yield app


@pytest.fixture
def processes():
    """Every process the test starts; all of them are stopped (process groups) even when the
    test fails."""
    started = Processes()
    yield started
    started.stop_all()


def _environment(pg_url: str, smtp_port: int, tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_environment(
        NOMINATIONS_CONFIG="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=pg_url,
        BASE_URL=f"https://{PUBLIC_HOST}",
        TRUSTED_PROXY_COUNT="1",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),  # shared by both servers
        INSTANCE_PATH=str(tmp_path / "instance"),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_DEFAULT_SENDER="awards@example.org",
        SCHEDULER_TICK_SECONDS="1",
        SCHEDULER_OUTBOX_SECONDS="1",
        SCHEDULER_HEARTBEAT_SECONDS="1",
        SCHEDULER_LEASE_SECONDS=str(LEASE_SECONDS),
        **extra,
    )


# ---------------------------------------------------------------------------------------------
# One person nominating


@dataclass
class Attempt:
    """One nomination a person tried, and what they were told."""

    nominator: str
    nominee: str
    two_step: bool  # saved as a draft first, then submitted from its own page
    statement: str = ""  # the text sent with the (last) submission
    outcome: str = ""  # submitted, not_saved, draft, or unexpected
    kept_statement: str = ""  # for a draft: the text it must hold
    nomination_id: int | None = None
    told: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    submit_port: int = 0  # the server that answered the submission
    finished: float = 0.0


@dataclass
class Person:
    email: str
    browser: Browser
    attempts: list[Attempt] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    signed_in: bool = False
    form_refusals: list[Page] = field(default_factory=list)  # the form itself said closed


class Nominating:
    """What every person does once signed in: nominate again and again until the form says
    the call is closed. Each nomination goes like a browser: GET the form (its CSRF token),
    POST it with a PDF, follow the redirect and read the message; every third one is saved as
    a draft first and submitted from its own page. Once the form says the call is closed, the
    person sends the form they still have open (a stale page, as after a long pause) and stops.
    """

    def __init__(self, category_id: int, department_id: int) -> None:
        self.category_id = category_id
        self.department_id = department_id
        self.closed_text = ""  # "The call closed at <local time>.", set when it closes
        self.give_up_at = time.time() + HUNG  # epoch seconds: a browser still nominating fails

    def fields(self, attempt: Attempt, statement: str, token: str, button: str) -> dict:
        slug = attempt.nominee.lower().replace(" ", "-")
        return {
            "csrf_token": token,
            "nominee_name": attempt.nominee,
            "nominee_email": f"{slug}@example.org",
            "nominee_department_id": str(self.department_id),
            "nominee_position": "Group leader",
            "statement": statement,
            button: "1",
        }

    def _record(self, attempt: Attempt, page: Page) -> None:
        attempt.statuses.append(page.status)
        attempt.ports.append(page.port)
        attempt.told.extend(page.messages)

    def _after_submit(self, person: Person, attempt: Attempt, page: Page, before: str) -> None:
        """Read the answer to a submission (``before``: the text stored before it, if any)."""
        self._record(attempt, page)
        attempt.submit_port = page.port
        told = " ".join(page.messages)
        if page.status == 302 and re.fullmatch(r"/nominations/\d+", page.location):
            shown = person.browser.follow(page)
            self._record(attempt, shown)
            confirmed = f"Nomination submitted. A confirmation is on its way to {person.email}."
            if shown.status == 200 and any(m.startswith(confirmed) for m in shown.messages):
                attempt.outcome = "submitted"
                attempt.nomination_id = int(page.location.rsplit("/", 1)[1])
                return
        elif page.status == 200 and self.closed_text and self.closed_text in told:
            # Whatever was typed is still in the form: nothing the person wrote is lost.
            if f'value="{attempt.nominee}"' not in page.text:
                attempt.outcome = "unexpected"
                return
            if "Nothing was saved" in told:
                attempt.outcome = "not_saved"
                return
            if "Your draft is saved" in told and "were not saved" not in told:
                attempt.outcome, attempt.kept_statement = "draft", attempt.statement
                return
            if "Your nomination is kept as it was saved" in told and before:
                attempt.outcome, attempt.kept_statement = "draft", before
                return
        attempt.outcome = "unexpected"

    def one(self, person: Person, attempt: Attempt, token: str) -> None:
        browser = person.browser
        new = f"/calls/{self.category_id}/nominate"
        cv = {"cv": ("cv.pdf", PDF, "application/pdf")}
        if not attempt.two_step:
            attempt.statement = f"{attempt.nominee} leads the work the whole institute uses."
            page = browser.post(
                new, self.fields(attempt, attempt.statement, token, "submit_nomination"), cv
            )
            self._after_submit(person, attempt, page, before="")
            return
        draft = f"Draft: {attempt.nominee} deserves it."
        page = browser.post(new, self.fields(attempt, draft, token, "save_draft"), cv)
        self._record(attempt, page)
        if page.status != 302:
            attempt.statement = draft
            self._after_submit(person, attempt, page, before="")
            return
        edit = page.location
        shown = browser.follow(page)
        self._record(attempt, shown)
        # The page of a draft has the form while the call is open; after it closed the
        # person sends the form they had open before (the session's token is the same).
        token = shown.csrf_token or token
        attempt.statement = f"{attempt.nominee} leads the work the whole institute uses (final)."
        page = browser.post(
            edit, self.fields(attempt, attempt.statement, token, "submit_nomination")
        )
        self._after_submit(person, attempt, page, before=draft)

    def run(self, person: Person, index: int, start: threading.Event) -> None:
        browser = person.browser
        try:
            start.wait(timeout=HUNG)
            token = ""
            count = 0
            while True:
                if time.time() > self.give_up_at:
                    raise AssertionError("the form still takes nominations")
                count += 1
                attempt = Attempt(
                    nominator=person.email,
                    nominee=f"Nominee {index:02d}-{count:03d}",
                    two_step=count % 3 == 0,
                )
                form = browser.get(f"/calls/{self.category_id}/nominate")
                if form.status == 302:  # the call is closed: the form says so
                    person.form_refusals.append(browser.follow(form))
                    if token:  # send the page still open in another tab, once
                        attempt.two_step = False
                        person.attempts.append(attempt)
                        self.one(person, attempt, token)
                        attempt.finished = time.time()
                    return
                assert form.status == 200 and form.csrf_token, (form.status, form.messages)
                token = form.csrf_token
                person.attempts.append(attempt)
                self.one(person, attempt, token)
                attempt.finished = time.time()
        except Exception as error:  # reported by the test, with the person
            person.errors.append(f"{type(error).__name__}: {error}")


# ---------------------------------------------------------------------------------------------
# Reading the results


def _sent_counts() -> tuple[int, int]:
    """(messages sent, messages in the outbox)."""
    counts = dict(
        db.session.execute(
            db.select(OutboxMessage.status, db.func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )
    return counts.get(OutboxStatus.SENT, 0), sum(counts.values())


def _audit_count(action: str, round_id: int | None = None) -> int:
    statement = db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == action)
    if round_id is not None:
        statement = statement.where(AuditEvent.object_id == round_id)
    return db.session.execute(statement).scalar()


def _job_runs_after(run_id: int) -> Counter:
    return Counter(
        db.session.execute(
            db.select(JobRun.job).where(JobRun.id > run_id, JobRun.finished_at.is_not(None))
        ).scalars()
    )


def _last_job_run() -> int:
    return db.session.execute(db.select(db.func.max(JobRun.id))).scalar() or 0


def _subject_kind(subject: str) -> str:
    starts = {
        "Nomination received: ": "confirmation",
        "Call for nominations open: ": "call_opened",
        "Nominations for ": "call_closing",
        "Your nomination ": "draft_pending",
        "Reviewing is open: ": "reviewing_open",
        "Call closed: ": "close_summary",
    }
    for start, kind in starts.items():
        if subject.startswith(start):
            return kind
    if re.match(r"\d+ reviews? still to do for ", subject):
        return "review_due"
    return "other"


def test_nominating_through_two_servers_across_the_closing_time(
    pg_app, pg_url, smtp_server, processes, tmp_path
):
    timings: dict[str, float] = {"start": time.monotonic()}

    # --- two web servers and two schedulers (they start while the data is seeded) -----------
    ports = free_ports(2)
    smtp = smtp_server
    for number, port in enumerate(ports, 1):
        processes.start(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            _environment(
                pg_url,
                smtp.port,
                tmp_path,
                BIND=f"127.0.0.1:{port}",
                WEB_CONCURRENCY="2",
                GUNICORN_GRACEFUL_TIMEOUT="5",
                GUNICORN_ACCESS_LOG="-",
            ),
            tmp_path / f"web-{number}.log",
        )
    schedulers = [
        processes.start(
            [sys.executable, "-m", "flask", "--app", "nominations", "scheduler"],
            _environment(pg_url, smtp.port, tmp_path),
            tmp_path / f"scheduler-{number}.log",
        )
        for number in (1, 2)
    ]
    scheduler_pids = {process.pid for process in schedulers}

    # --- the people and the round (the call opens and closes once everything runs) ------------
    department = factories.department("Department of Radiation Biology")
    admin = factories.user("admin@example.org", "Ada Admin", roles=("staff", "admin"))
    rita = factories.user("rita@example.org", "Rita Reviewer", roles=("reviewer",))
    nominators = [
        factories.user(f"staff{i:02d}@example.org", f"Staff Member {i:02d}")
        for i in range(1, NOMINATORS + 1)
    ]
    staff_emails = {admin.email} | {user.email for user in nominators}
    later = now() + timedelta(days=30)
    award_round = factories.award_round(
        "Institute Prizes",
        opens_at=later,
        closes_at=later + timedelta(days=10),
        review_deadline=later + timedelta(days=40),
    )
    # Call opened; call closes in 1 day (already due when the call opens); drafts not
    # submitted, 1 day before (due too: its recipients are whoever has a draft at a tick);
    # reviews due in 1 day (due a few seconds after the close).
    only_rules(
        award_round,
        (ReminderKind.CALL_OPENED, None),
        (ReminderKind.CALL_CLOSING, 1),
        (ReminderKind.DRAFT_PENDING, 1),
        (ReminderKind.REVIEW_DUE, 1),
    )
    category = factories.category(award_round, CATEGORY, 100_000)
    panel(award_round, [rita])
    round_id, category_id = award_round.id, category.id

    def servers_ready() -> bool:
        for port in ports:
            probe = Browser([port], address="10.0.0.254", host=PUBLIC_HOST, timeout=5)
            try:
                if probe.get("/healthz").status != 200:
                    return False
            except OSError:  # not listening yet
                return False
        return all(
            log.read_text().count("Booting worker") >= 2
            for log in processes.logs
            if log.name.startswith("web-")
        )

    wait_for(servers_ready, HUNG, "both servers (2 workers each) to answer", processes, 0.5)
    wait_for(
        lambda: lease.holder_pid(getattr(lease.current(), "holder", None)) in scheduler_pids,
        30,
        "a scheduler to lead",
        processes,
    )
    timings["processes up"] = time.monotonic()

    # --- everybody signs in (through both servers) ------------------------------------------
    people = [
        Person(
            user.email,
            Browser(ports, first=i, address=f"10.0.1.{i + 1}", host=PUBLIC_HOST),
        )
        for i, user in enumerate(nominators)
    ]

    def sign_in(person: Person) -> None:
        try:
            person.browser.login(person.email, factories.PASSWORD)
            person.signed_in = True
        except Exception as error:
            person.errors.append(f"sign-in: {type(error).__name__}: {error}")

    signing_in = [threading.Thread(target=sign_in, args=(person,)) for person in people]
    for thread in signing_in:
        thread.start()
    for thread in signing_in:
        thread.join(timeout=HUNG)
    assert [person.errors for person in people if not person.signed_in] == []

    # --- the call opens (it was due 10 days ago); people nominate once the scheduler opened it
    award_round = db.session.get(AwardRound, round_id)
    award_round.opens_at = now() - timedelta(days=10)
    award_round.closes_at = now() + timedelta(hours=1)  # until the test closes it
    db.session.commit()
    wait_for(
        lambda: db.session.get(AwardRound, round_id).status == RoundStatus.OPEN,
        HUNG,
        "the scheduler to open the call",
        processes,
    )
    timings["call open"] = time.monotonic()
    nominating = Nominating(category_id, department.id)
    start = threading.Event()
    threads = [
        threading.Thread(target=nominating.run, args=(person, i + 1, start), daemon=True)
        for i, person in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    start.set()

    # --- once every person has had a nomination submitted, one of them saved as a draft first
    # (and so is in full flow, both kinds), the call closes CLOSE_AHEAD_SECONDS ahead -----------
    def everybody_submitted_or_failed() -> bool:
        return all(
            person.errors or any(a.outcome == "submitted" and a.two_step for a in person.attempts)
            for person in people
        )

    wait_for(everybody_submitted_or_failed, HUNG, "a submission from every person", processes)
    assert [error for person in people for error in person.errors] == []
    closes_at = (now() + timedelta(seconds=CLOSE_AHEAD_SECONDS + 1)).replace(microsecond=0)
    # The browsers learn the text before the server can say it; then the database moves.
    nominating.closed_text = f"The call closed at {format_local(closes_at)}."
    nominating.give_up_at = closes_at.timestamp() + HUNG
    award_round = db.session.get(AwardRound, round_id)
    award_round.closes_at = closes_at
    # Reviews due in a day and 4 s: the "1 day before" reminder is due 4 s after the close.
    award_round.review_deadline = shift_local(closes_at + timedelta(seconds=4), days=1)
    db.session.commit()
    closed_text = nominating.closed_text
    timings["closing time set"] = time.monotonic()

    for thread in threads:
        thread.join(timeout=HUNG)
    assert not any(thread.is_alive() for thread in threads), "every browser finished"
    timings["nominating done"] = time.monotonic()

    # --- what the people were told ------------------------------------------------------------
    attempts = [attempt for person in people for attempt in person.attempts]
    assert [error for person in people for error in person.errors] == []
    unexpected = [a for a in attempts if a.outcome == "unexpected"]
    assert unexpected == [], [(a.nominee, a.two_step, a.statuses, a.told) for a in unexpected]
    assert not any(status >= 500 for a in attempts for status in a.statuses)
    by_outcome = Counter(attempt.outcome for attempt in attempts)
    submitted = [a for a in attempts if a.outcome == "submitted"]
    refused = [a for a in attempts if a.outcome in ("not_saved", "draft")]
    assert {a.nominator for a in submitted} == {p.email for p in people}, by_outcome
    assert len(refused) >= NOMINATORS, by_outcome  # each person at least once
    assert all(a.finished >= closes_at.timestamp() for a in refused)
    # Both servers took submissions.
    assert {a.submit_port for a in submitted} == set(ports)
    # The form itself tells anyone opening it after the closing time.
    for person in people:
        assert [closed_text in page.messages for page in person.form_refusals] == [True]

    # --- the call closes once; every message goes out -------------------------------------------
    def all_delivered():
        db.session.expire_all()
        if db.session.get(AwardRound, round_id).status != RoundStatus.CLOSED:
            return False
        review_due = db.session.execute(
            db.select(OutboxMessage.id).where(
                OutboxMessage.dedupe_key.startswith("reminder:review_due:")
            )
        ).first()
        sent, total = _sent_counts()
        return review_due is not None and sent == total and len(smtp.sink.messages) >= total

    wait_for(all_delivered, HUNG, "the close, the review reminder and every message", processes)
    # A few more ticks on both schedulers: nothing more is queued or sent.
    last_run = _last_job_run()
    wait_for(
        lambda: all(n >= 2 for n in (_job_runs_after(last_run)[j] for j in ("due_work", "outbox"))),
        HUNG,
        "two more ticks of each job",
        processes,
    )
    timings["mail delivered"] = time.monotonic()
    db.session.expire_all()
    assert all(process.poll() is None for process in schedulers), "both schedulers run on"

    # --- stored once, as each person was told ----------------------------------------------------
    rows = db.session.execute(db.select(Nomination).order_by(Nomination.id)).scalars().all()
    stored = Counter(row.nominee_name for row in rows)
    assert [name for name, count in stored.items() if count > 1] == [], "no nomination twice"
    by_name = {row.nominee_name: row for row in rows}
    attempted = {a.nominee for a in attempts}
    assert set(by_name) <= attempted, "nothing stored that nobody sent"
    for attempt in submitted:
        row = by_name.get(attempt.nominee)
        assert row is not None and row.id == attempt.nomination_id, attempt
        assert row.status == NominationStatus.SUBMITTED, attempt
        assert row.submitted_at < closes_at, (attempt, row.submitted_at)
        assert row.statement == attempt.statement, attempt
        assert len(row.attachments) == 1, attempt
    for attempt in refused:
        row = by_name.get(attempt.nominee)
        if attempt.outcome == "not_saved":
            assert row is None, attempt
        else:
            assert row is not None and row.status == NominationStatus.DRAFT, attempt
            assert row.statement == attempt.kept_statement, attempt
    statuses = Counter(row.status for row in rows)
    assert statuses[NominationStatus.SUBMITTED] == len(submitted)
    drafts = statuses[NominationStatus.DRAFT]
    assert drafts == sum(1 for a in attempts if a.outcome == "draft")
    assert set(statuses) <= {NominationStatus.SUBMITTED, NominationStatus.DRAFT}
    assert _audit_count("nomination.submit") == len(submitted)

    # --- the call closed once, and the summary counts what is stored --------------------------
    assert _audit_count("round.open", round_id) == 1
    assert _audit_count("round.close", round_id) == 1
    close_event = db.session.execute(
        db.select(AuditEvent).where(
            AuditEvent.action == "round.close", AuditEvent.object_id == round_id
        )
    ).scalar_one()
    timings["closed (seconds after the closing time)"] = (
        close_event.created_at - closes_at
    ).total_seconds()
    assert close_event.after["counts"][CATEGORY] == {
        "submitted": len(submitted),
        "drafts": drafts,
        "withdrawn": 0,
        "ineligible": 0,
    }

    # --- every message once -------------------------------------------------------------------
    received = [(m["To"], m["Subject"].strip()) for m in smtp.sink.messages]
    assert len(received) == len(set(received)), [
        item for item, n in Counter(received).items() if n > 1
    ]
    kinds: dict[str, Counter] = {}
    for to, subject in received:
        kinds.setdefault(_subject_kind(subject), Counter())[to] += 1
    title = award_round.title
    assert kinds.pop("confirmation") == Counter(a.nominator for a in submitted)
    confirmations = {
        (m["To"], m["Subject"].strip())
        for m in smtp.sink.messages
        if _subject_kind(m["Subject"].strip()) == "confirmation"
    }
    assert confirmations == {
        (a.nominator, f"Nomination received: {a.nominee} for {CATEGORY}") for a in submitted
    }
    assert kinds.pop("call_opened") == Counter(staff_emails)
    assert kinds.pop("call_closing") == Counter(staff_emails)
    # Drafts pending: whoever had a draft at some tick, once at most.
    pending = kinds.pop("draft_pending", Counter())
    assert set(pending) <= {p.email for p in people} and max(pending.values(), default=1) == 1
    assert kinds.pop("reviewing_open") == Counter({rita.email: 1})
    assert kinds.pop("close_summary") == Counter({admin.email: 1})
    assert kinds.pop("review_due") == Counter({rita.email: 1})
    assert kinds == {}, kinds
    summary = next(m for m in smtp.sink.messages if m["Subject"].startswith("Call closed: "))
    noun = "nomination" if len(submitted) == 1 else "nominations"
    assert summary["Subject"].strip() == f"Call closed: {title}, {len(submitted)} {noun} submitted"
    reminder = next(m for m in smtp.sink.messages if "still to do for" in m["Subject"])
    assert reminder["Subject"].startswith(f"{len(submitted)} reviews still to do for {title}")
    sent, total = _sent_counts()
    assert sent == total == len(received)

    # --- nothing went wrong on the way ----------------------------------------------------------
    errors = db.session.execute(
        db.select(JobRun.job, JobRun.detail).where(JobRun.outcome == "error")
    ).all()
    assert errors == []
    for log in processes.logs:
        assert "Traceback" not in log.read_text(), processes.log_tails()

    timings["end"] = time.monotonic()
    print(
        f"\n{len(attempts)} nominations tried by {NOMINATORS} people through 2 servers: "
        f"{dict(by_outcome)}; {len(received)} e-mails; "
        + ", ".join(
            f"{name} {value:.1f} s"
            if name.startswith("closed")
            else f"{name} at {value - timings['start']:.1f} s"
            for name, value in timings.items()
            if name != "start"
        )
    )
