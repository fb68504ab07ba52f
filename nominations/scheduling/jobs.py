"""The scheduler's jobs. Each acts on what is due according to the database rows, so it can run
late, twice, or on two processes at once and still do each thing once.

``due_work`` opens and closes rounds and queues the reminders that are due; ``drain_outbox``
delivers queued e-mail (in batches over one SMTP connection, for up to
SCHEDULER_OUTBOX_RUN_SECONDS a run). ``run_job`` runs one of them in the current app context
and records a ``JobRun`` with its outcome: ``ok`` (it did something), ``idle`` (nothing was due) or
``error`` (with the error in ``detail``).

Each job run is one transaction (``unit_of_work.transaction``): the workflow functions it calls
only flush. Inside it, reminders keep a savepoint per round, so one failing round does not undo
the others; mail delivery commits each claim and each message's outcome on its own (see
``mail.delivery``).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from nominations.mail.delivery import deliver_due
from nominations.models import JobRun, db
from nominations.timeutil import now as current_time
from nominations.unit_of_work import transaction
from nominations.workflow.lifecycle import close_due_rounds, open_due_rounds
from nominations.workflow.nominations.documents import sweep_orphan_files
from nominations.workflow.opening import hold_unready_rounds
from nominations.workflow.referees import send_referee_reminders
from nominations.workflow.reminders.sending import send_due_reminders
from nominations.workflow.retention_run import apply_due

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobResult:
    outcome: str  # ok, idle, error
    detail: str


def due_work(at: datetime) -> JobResult:
    """Open the rounds whose time has come (and tell the admins of those not ready), close the
    calls whose time has passed, queue the reminders that are due (to referees too), and
    forget old job runs."""
    opened = open_due_rounds(at)
    held = hold_unready_rounds(at)
    closed = close_due_rounds(at)
    reminders = send_due_reminders(at)
    referee_reminders = send_referee_reminders(at)
    pruned = prune_job_runs(at)
    done = opened.done + held.done + closed.done
    if reminders.queued:
        done.append(str(reminders))
    if referee_reminders:
        done.append(f"{referee_reminders} referee reminder(s) queued")
    if pruned:
        done.append(f"forgot {pruned} old job run(s)")
    errors = opened.errors + held.errors + closed.errors + reminders.errors
    if errors:
        return JobResult("error", "; ".join(done + errors))
    return JobResult("ok" if done else "idle", "; ".join(done) or "nothing due")


def drain_outbox(at: datetime) -> JobResult:
    """Deliver the e-mail that is due (with retries and backoff: see mail.delivery), for at most
    SCHEDULER_OUTBOX_RUN_SECONDS; what is left goes at the next run, which the leader starts
    at once when mail is waiting (``SchedulerService.poll_outbox``)."""
    report = deliver_due(seconds=float(current_app.config["SCHEDULER_OUTBOX_RUN_SECONDS"]))
    if report.failed or report.retrying:
        return JobResult("error", f"{report} (see the outbox page for the errors)")
    return JobResult("ok" if report.sent else "idle", str(report))


def sweep_uploads(at: datetime) -> JobResult:
    """Delete stored documents that no attachment names (a file left by a process that died
    between writing it and committing, once it is an hour old), in every storage back-end."""
    deleted = sweep_orphan_files(at)
    if not deleted:
        return JobResult("idle", "no orphan files")
    return JobResult("ok", f"deleted {len(deleted)} orphan upload(s): {', '.join(deleted)}")


def apply_retention(at: datetime) -> JobResult:
    """Delete what the rounds' retention rules say is due (workflow.retention): each thing
    once, recorded in the audit log without its content."""
    report = apply_due(at)
    if report.errors:
        return JobResult("error", f"{report}; " + "; ".join(report.errors))
    return JobResult("ok" if report else "idle", str(report) if report else "nothing due")


@dataclass(frozen=True)
class JobSpec:
    id: str
    title: str
    interval_setting: str
    func: Callable[[datetime], JobResult]

    def every(self, config) -> int:
        return int(config[self.interval_setting])


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "due_work",
        "Open and close calls, send due reminders",
        "SCHEDULER_TICK_SECONDS",
        due_work,
    ),
    JobSpec("outbox", "Deliver queued e-mail", "SCHEDULER_OUTBOX_SECONDS", drain_outbox),
    JobSpec(
        "sweep_uploads",
        "Delete uploaded files no document names",
        "SCHEDULER_SWEEP_SECONDS",
        sweep_uploads,
    ),
    JobSpec(
        "retention",
        "Delete documents, review comments and drafts whose retention period ended",
        "SCHEDULER_RETENTION_SECONDS",
        apply_retention,
    ),
)
JOBS_BY_ID = {job.id: job for job in JOBS}


def run_job(job_id: str, holder: str = "", at: datetime | None = None) -> JobRun:
    """Run one job now, in the current app context, and record its run.

    The job is one unit of work, committed at its end or rolled back when it fails; the
    ``JobRun`` record is committed before and after it, so a failed or hung job still shows.
    """
    spec = JOBS_BY_ID[job_id]
    with transaction():
        run = JobRun(job=job_id, holder=holder[:200], started_at=current_time(), outcome="running")
        db.session.add(run)
    run_id = run.id
    try:
        with transaction():
            result = spec.func(at or current_time())
    except Exception as error:  # recorded, and the next run tries again
        log.exception("Job %s failed", job_id)
        lines = traceback.format_exception_only(type(error), error)
        result = JobResult("error", "".join(lines).strip()[:4000])
    with transaction():
        run = db.session.get(JobRun, run_id)
        run.outcome = result.outcome
        run.detail = result.detail[:4000]
        run.finished_at = current_time()
    if result.outcome != "idle":
        log.info("Job %s: %s: %s", job_id, result.outcome, result.detail)
    return run


def prune_job_runs(at: datetime) -> int:
    keep_days = int(current_app.config.get("SCHEDULER_KEEP_RUNS_DAYS", 14))
    deleted = db.session.execute(
        db.delete(JobRun)
        .where(JobRun.started_at < at - timedelta(days=keep_days))
        .execution_options(synchronize_session=False)
    ).rowcount
    return deleted or 0
