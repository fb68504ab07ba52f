"""The scheduler process: leadership lease, APScheduler set-up, catching up after downtime,
where it starts, its CLI command and the admin page."""

import time
from datetime import UTC, datetime, timedelta

import click
import pytest
import time_machine

from nominations.models import AuditEvent, JobRun, RoundStatus, SchedulerLease, db
from nominations.scheduling import embedded, lease
from nominations.scheduling.service import SchedulerService
from nominations.timeutil import now
from tests import factories
from tests.scheduler_support import outbox, recipients, tick

T0 = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def test_lease_one_holder_at_a_time_taken_over_after_expiry(app):
    with time_machine.travel(T0, tick=False):
        assert lease.acquire("a", 45)
        assert not lease.acquire("b", 45)
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert lease.acquire("a", 45)  # renewed
        assert not lease.acquire("b", 45)
    with time_machine.travel(T0 + timedelta(seconds=76), tick=False):
        assert lease.acquire("b", 45)  # a stopped renewing: b takes over
        assert not lease.acquire("a", 45)
        row = lease.current()
        assert row.holder == "b" and row.heartbeat_at == T0 + timedelta(seconds=76)
        assert lease.release("b")
        assert not lease.release("a")
        assert lease.acquire("a", 45)  # released: no need to wait for the expiry
    assert db.session.execute(db.select(db.func.count()).select_from(SchedulerLease)).scalar() == 1


def _wait_for(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        if condition():
            return
        time.sleep(0.1)
    db.session.rollback()
    runs = [(r.job, r.outcome, r.detail) for r in db.session.execute(db.select(JobRun)).scalars()]
    raise AssertionError(f"timed out waiting for the scheduler; runs: {runs}")


def _runs(job: str = "due_work") -> list[JobRun]:
    return list(
        db.session.execute(
            db.select(JobRun).where(JobRun.job == job, JobRun.outcome != "running")
        ).scalars()
    )


def test_scheduler_started_after_a_missed_closing_time_closes_the_call_and_reports_once(
    app, admin, staff
):
    # The scheduler was down when this call closed an hour ago.
    award_round = factories.award_round(
        "ICR Prizes",
        opens_at=now() - timedelta(days=20),
        closes_at=now() - timedelta(hours=1),
        review_deadline=now() + timedelta(days=20),
    )
    factories.category(award_round, "Researcher of the Year", 100_000)
    award_round.status = RoundStatus.OPEN
    db.session.commit()

    for attempt in range(2):  # started, stopped, started again (a restart)
        service = SchedulerService(app, holder=f"test-{attempt}").start()
        try:
            _wait_for(lambda n=attempt: len(_runs()) > n and len(_runs("outbox")) > n)
        finally:
            service.stop()
        assert lease.current().expires_at <= now()  # a clean stop hands the lease over

    db.session.refresh(award_round)
    assert award_round.status == RoundStatus.CLOSED
    assert recipients("lifecycle:close_summary") == {"admin@example.org": 1}
    closes = db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "round.close")
    ).scalar()
    assert closes == 1
    first, second = sorted(_runs(), key=lambda run: run.id)
    assert first.outcome == "ok" and "closed ICR Prizes" in first.detail
    assert first.holder == "test-0" and second.holder == "test-1"
    assert second.outcome == "idle"


def test_a_stand_by_runs_no_job_while_the_leader_holds_the_lease(app):
    with app.app_context():
        assert lease.acquire("the-leader", 3600)
    service = SchedulerService(app, holder="stand-by").start()
    try:
        time.sleep(1.0)
        assert not service.is_leader
        assert _runs() == [] and _runs("outbox") == []
    finally:
        service.stop()
    assert lease.current().holder == "the-leader"


def test_a_stand_by_takes_a_released_lease_at_its_next_poll_not_its_heartbeat(app):
    # Heartbeat and jobs once an hour: only the stand-by poll can notice the release.
    app.config.update(
        SCHEDULER_HEARTBEAT_SECONDS=3600,
        SCHEDULER_TICK_SECONDS=3600,
        SCHEDULER_OUTBOX_SECONDS=3600,
        SCHEDULER_STANDBY_POLL_SECONDS=1,
    )
    with app.app_context():
        assert lease.acquire("the-leader", 3600)
    service = SchedulerService(app, holder="stand-by").start()
    try:
        _wait_for(lambda: service._announced)  # its first try at the start: it stands by
        assert not service.is_leader
        with app.app_context():
            assert not lease.is_free()
            assert lease.release("the-leader")  # the leader stopped cleanly
        _wait_for(lambda: service.is_leader)
    finally:
        service.stop()
    assert lease.is_free()  # and handed it on in turn


def test_mail_queued_while_the_scheduler_runs_goes_at_once_not_at_the_outbox_interval(app):
    from nominations.mail import queue_email
    from nominations.models import OutboxMessage, OutboxStatus

    # The outbox job's own interval is an hour: only the leader's look for waiting mail can
    # explain a delivery within seconds.
    app.config.update(
        SCHEDULER_HEARTBEAT_SECONDS=3600,
        SCHEDULER_TICK_SECONDS=3600,
        SCHEDULER_OUTBOX_SECONDS=3600,
        SCHEDULER_OUTBOX_POLL_SECONDS=1,
    )
    service = SchedulerService(app, holder="leader").start()
    try:
        _wait_for(lambda: len(_runs("outbox")) == 1)  # its first run, at the start: idle
        queue_email(
            dedupe_key="test:poll",
            recipient="person@example.org",
            subject="Hello",
            template="test_message",
            language="en",
            name="Person",
        )
        db.session.commit()
        _wait_for(
            lambda: (
                db.session.execute(db.select(OutboxMessage.status)).scalar() == OutboxStatus.SENT
            )
        )
    finally:
        service.stop()
    assert [run.detail for run in _runs("outbox")] == [
        "sent 0, retrying 0, failed 0",
        "sent 1, retrying 0, failed 0",
    ]


def test_a_failing_job_is_recorded_with_its_error(app, monkeypatch):
    def broken(at):
        raise RuntimeError("the database went away")

    from nominations.scheduling import jobs

    monkeypatch.setattr(jobs, "JOBS_BY_ID", {"due_work": jobs.JobSpec("due_work", "x", "", broken)})
    run = tick(T0)
    assert run.outcome == "error"
    assert "RuntimeError: the database went away" in run.detail
    assert run.finished_at == T0


def test_old_job_runs_are_forgotten(app):
    tick(T0)
    tick(T0 + timedelta(days=13))
    assert len(_runs()) == 2
    last = tick(T0 + timedelta(days=15))
    assert "forgot 1 old job run" in last.detail
    assert len(_runs()) == 2


class _Ctx:
    def __init__(self, name: str, params: dict | None = None):
        self.info_name = name
        self.params = params or {}


@pytest.mark.parametrize(
    ("overrides", "environ", "ctx", "expected"),
    [
        ({"SCHEDULER_ENABLED": False}, {}, None, False),  # production: web workers never
        ({"TESTING": True}, {}, None, False),  # never in tests
        ({}, {"WERKZEUG_RUN_MAIN": "true"}, _Ctx("run", {"reload": True}), True),  # child
        ({}, {}, _Ctx("run", {"reload": True}), False),  # the reloader's watcher
        ({}, {"FLASK_DEBUG": "1"}, _Ctx("run", {"reload": None}), False),  # --debug: watcher
        ({}, {}, _Ctx("run", {"reload": None}), True),  # make run: no reloader, one process
        ({}, {}, _Ctx("db"), False),  # flask db upgrade
        ({}, {}, _Ctx("scheduler"), False),  # the scheduler command runs its own
        ({}, {}, None, True),  # a WSGI server with the development settings
    ],
)
def test_the_in_process_scheduler_starts_only_where_it_should(
    app, monkeypatch, overrides, environ, ctx, expected
):
    app.config.update({"SCHEDULER_ENABLED": True, "TESTING": False, **overrides})
    monkeypatch.setattr(click, "get_current_context", lambda silent=False: ctx)
    for key in ("FLASK_DEBUG", "WERKZEUG_RUN_MAIN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    try:
        assert embedded.should_start(app) is expected
    finally:
        app.config.update(TESTING=True)


def test_the_development_config_enables_it_and_production_does_not():
    from config import load_settings

    assert load_settings("development", {})["SCHEDULER_ENABLED"] is True
    assert load_settings("production", {})["SCHEDULER_ENABLED"] is False
    assert load_settings("testing", {})["SCHEDULER_ENABLED"] is False
    settings = load_settings(
        "production", {"SCHEDULER_TICK_SECONDS": "1", "SCHEDULER_LEASE_SECONDS": "5"}
    )
    assert settings["SCHEDULER_TICK_SECONDS"] == 1 and settings["SCHEDULER_LEASE_SECONDS"] == 5


def test_scheduler_command_once_runs_the_due_work(app, admin):
    factories.award_round(
        "ICR Prizes",
        opens_at=now() - timedelta(days=20),
        closes_at=now() - timedelta(minutes=5),
        review_deadline=now() + timedelta(days=20),
    )
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "due_work: ok: closed ICR Prizes" in result.output
    assert "outbox: ok: sent 1" in result.output  # MAIL_SUPPRESS_SEND in testing
    again = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert "due_work: idle: nothing due" in again.output
    assert len(outbox("lifecycle:close_summary")) == 1


def test_healthz_and_the_admin_page_show_the_scheduler(app, client, admin, staff):
    award_round = factories.award_round(
        "OUH Research Awards",
        2027,
        opens_at=T0 + timedelta(days=1),
        closes_at=datetime(2027, 3, 7, 22, 59, 59, tzinfo=UTC),
        review_deadline=datetime(2027, 4, 15, 21, 59, 59, tzinfo=UTC),
    )
    assert client.get("/healthz").get_json()["scheduler"]["state"] == "never started"
    service = SchedulerService(app, holder="host-a:4242:abcd").start()
    try:
        _wait_for(lambda: len(_runs()) >= 1 and len(_runs("outbox")) >= 1)
        body = client.get("/healthz").get_json()["scheduler"]
        assert body["state"] == "running" and body["holder"] == "host-a:4242:abcd"
        assert datetime.fromisoformat(body["last_heartbeat"]) > now() - timedelta(seconds=30)

        client.login("admin@example.org")
        page = client.get("/admin/scheduling").get_data(as_text=True)
    finally:
        service.stop()
    assert "host-a:4242:abcd" in page
    assert "Open and close calls, send due reminders" in page and "Deliver queued e-mail" in page
    assert " CET" in page  # times in local time
    # What is coming, computed from the round's dates: opening, closing, reminders.
    assert "11 January 2027, 13:00 CET" in page  # the opening (12:00 UTC)
    assert "7 March 2027, 23:59:59 CET" in page
    assert "28 February 2027, 23:59:59 CET" in page  # "7 days before" the closing
    assert award_round.title in page
    assert "idle" in page and "nothing due" in page
    assert client.get("/healthz").get_json()["scheduler"]["state"] == "stopped"

    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    client.login("staff@example.org")
    assert client.get("/admin/scheduling").status_code == 403
    assert client.get("/admin/outbox").status_code == 403
