"""The APScheduler 3 set-up: interval jobs in memory, the deadlines in the database.

APScheduler 3 drops a date job whose time passed by more than ``misfire_grace_time`` (1 s by
default) and must not share a job store between schedulers. So no deadline is ever a job here:
every process keeps its own in-memory job store with a few *interval* jobs (``coalesce``, no
misfire limit, first run at start), and the frequent ``due_work`` job acts on whatever the
database says is due. A deadline missed while every scheduler was down is acted on at the
first tick after a start; running it twice or on two processes changes nothing twice.

Several processes may run this service; the lease (``scheduling.lease``) decides which one
runs the jobs. The others renew nothing and stand by, reading the lease row every
``SCHEDULER_STANDBY_POLL_SECONDS`` and taking it as soon as it is free. A leader stopped
cleanly (SIGTERM, SIGINT) releases the lease, so a stand-by takes over within one poll; one
that dies (SIGKILL, a lost host) is replaced within ``SCHEDULER_LEASE_SECONDS`` plus one poll.

The leader also looks for mail waiting every ``SCHEDULER_OUTBOX_POLL_SECONDS`` and then starts
the outbox job at once, so queued mail does not wait for the job's interval.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from nominations.mail.delivery import mail_due
from nominations.models import db
from nominations.scheduling import lease
from nominations.scheduling.jobs import JOBS, run_job

log = logging.getLogger(__name__)
# APScheduler logs every run of every job at INFO; each run is recorded as a JobRun (and
# logged here when it did something), so keep only its warnings and errors.
logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)

HEARTBEAT_JOB = "heartbeat"
STANDBY_JOB = "stand_by"
OUTBOX_JOB = "outbox"  # the job in JOBS that delivers the mail
OUTBOX_POLL_JOB = "outbox_poll"


class SchedulerService:
    def __init__(self, app: Flask, holder: str | None = None) -> None:
        self.app = app
        self.holder = holder or lease.make_holder()
        self.is_leader = False
        self._announced = False
        self._lock = threading.Lock()
        self._renewing = threading.Lock()
        self._running: set[str] = set()  # the jobs running now in this process
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={
                "coalesce": True,  # a run missed several times runs once
                "max_instances": 1,  # never overlaps itself
                "misfire_grace_time": None,  # late is better than never
            },
        )

    # -- settings ----------------------------------------------------------------------------
    @property
    def lease_seconds(self) -> float:
        return float(self.app.config["SCHEDULER_LEASE_SECONDS"])

    @property
    def heartbeat_seconds(self) -> float:
        return float(self.app.config["SCHEDULER_HEARTBEAT_SECONDS"])

    @property
    def standby_poll_seconds(self) -> float:
        return float(self.app.config["SCHEDULER_STANDBY_POLL_SECONDS"])

    # -- leadership --------------------------------------------------------------------------
    def renew(self) -> bool:
        """Take or keep the lease (inside an app context); True while this process leads."""
        with self._renewing:  # the heartbeat and the jobs renew one at a time
            try:
                leading = lease.acquire(self.holder, self.lease_seconds)
            except Exception:  # the database is away: do nothing until it is back
                db.session.rollback()
                log.exception("Scheduler %s could not reach the lease", self.holder)
                leading = False
        with self._lock:
            if leading != self.is_leader or not self._announced:
                self._announced = True
                if leading:
                    log.info("Scheduler %s leads and runs the jobs", self.holder)
                else:
                    log.info("Scheduler %s stands by (another process leads)", self.holder)
            self.is_leader = leading
        return leading

    def heartbeat(self) -> None:
        with self.app.app_context():
            self.renew()

    def poll_lease(self) -> None:
        """A stand-by's poll: take the lease as soon as it is free (released or expired).

        Only a read while someone else holds it, so it may run every few seconds; the leader
        keeps renewing at its own (slower) heartbeat."""
        if self.is_leader:
            return
        with self.app.app_context():
            try:
                free = lease.is_free()
            except Exception:
                db.session.rollback()
                log.exception("Scheduler %s could not read the lease", self.holder)
                return
            if free:
                self.renew()

    def run(self, job_id: str) -> None:
        """An APScheduler job: run ``job_id`` if this process leads."""
        with self._lock:
            self._running.add(job_id)
        try:
            with self.app.app_context():
                if self.renew():
                    run_job(job_id, self.holder)
        finally:
            with self._lock:
                self._running.discard(job_id)

    def poll_outbox(self) -> None:
        """The leader's look for mail waiting (a read): found, and the outbox job not running,
        that job runs now rather than at its next interval. So mail queued by a request or a
        closing goes within seconds, and a drain that stopped at its time limit with mail left
        is followed by the next at once, while the other jobs keep their own threads."""
        if not self.is_leader:
            return
        with self._lock:
            if OUTBOX_JOB in self._running:
                return
        with self.app.app_context():
            try:
                waiting = mail_due()
            except Exception:
                log.exception("Scheduler %s could not look at the outbox", self.holder)
                waiting = False
            finally:
                db.session.rollback()  # end the read's transaction; nothing was written
        if waiting:
            self.scheduler.modify_job(OUTBOX_JOB, next_run_time=datetime.now(UTC))

    # -- life --------------------------------------------------------------------------------
    def start(self) -> SchedulerService:
        first = datetime.now(UTC)
        self.scheduler.add_job(
            self.heartbeat,
            "interval",
            seconds=self.heartbeat_seconds,
            id=HEARTBEAT_JOB,
            name="Renew the leadership lease (heartbeat)",
            next_run_time=first,
        )
        self.scheduler.add_job(
            self.poll_lease,
            "interval",
            seconds=self.standby_poll_seconds,
            id=STANDBY_JOB,
            name="Take the lease once it is free (stand-by)",
            next_run_time=first,
        )
        self.scheduler.add_job(
            self.poll_outbox,
            "interval",
            seconds=float(self.app.config["SCHEDULER_OUTBOX_POLL_SECONDS"]),
            id=OUTBOX_POLL_JOB,
            name="Start the outbox job when mail is waiting (leader)",
        )
        for spec in JOBS:
            self.scheduler.add_job(
                self.run,
                "interval",
                args=[spec.id],
                seconds=spec.every(self.app.config),
                id=spec.id,
                name=spec.title,
                next_run_time=first,
            )
        self.scheduler.start()
        log.info(
            "Scheduler %s started: due work every %s s, outbox every %s s, lease %s s, "
            "stand-by poll %s s",
            self.holder,
            self.app.config["SCHEDULER_TICK_SECONDS"],
            self.app.config["SCHEDULER_OUTBOX_SECONDS"],
            self.app.config["SCHEDULER_LEASE_SECONDS"],
            self.app.config["SCHEDULER_STANDBY_POLL_SECONDS"],
        )
        return self

    @property
    def running(self) -> bool:
        return self.scheduler.running

    def next_run_times(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    def stop(self, wait: bool = True) -> None:
        """Stop the jobs and hand the lease over at once (a clean stop)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        with self.app.app_context():
            try:
                if lease.release(self.holder):
                    log.info("Scheduler %s stopped and released the lease", self.holder)
            except Exception:
                db.session.rollback()
                log.exception("Scheduler %s could not release the lease", self.holder)
        self.is_leader = False

    def run_forever(self) -> None:
        """Run until SIGTERM or SIGINT (the `flask scheduler` command)."""
        stop = threading.Event()

        def request_stop(signum, frame) -> None:
            log.info("Scheduler %s: signal %s, stopping", self.holder, signum)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.start()
        try:
            while not stop.wait(1.0):
                pass
        finally:
            self.stop()
