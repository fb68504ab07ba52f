"""What the scheduler is doing, for the admin page: read from the database, so it works in any
web process whether or not the scheduler runs there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from nominations.models import JobRun, SchedulerLease, db
from nominations.scheduling import embedded, lease
from nominations.scheduling.jobs import JOBS
from nominations.scheduling.service import HEARTBEAT_JOB
from nominations.timeutil import now as current_time


@dataclass
class JobStatus:
    id: str
    title: str
    every: int
    next_run: datetime | None
    last_run: JobRun | None


@dataclass
class SchedulerStatus:
    lease: SchedulerLease | None
    alive: bool
    in_this_process: bool
    jobs: list[JobStatus]


def _last_runs() -> dict[str, JobRun]:
    latest = (
        db.select(db.func.max(JobRun.id))
        .where(JobRun.job.in_([job.id for job in JOBS]))
        .group_by(JobRun.job)
        .scalar_subquery()
    )
    runs = db.session.execute(db.select(JobRun).where(JobRun.id.in_(latest))).scalars()
    return {run.job: run for run in runs}


def scheduler_status(at: datetime | None = None) -> SchedulerStatus:
    at = at or current_time()
    row = lease.current()
    alive = row is not None and row.expires_at > at
    service = embedded.running_service(current_app._get_current_object())
    exact = service.next_run_times() if service is not None else {}
    last = _last_runs()
    config = current_app.config
    jobs = []
    specs = [(job.id, job.title, job.every(config)) for job in JOBS]
    specs.append(
        (
            HEARTBEAT_JOB,
            "Renew the leadership lease (heartbeat)",
            int(config["SCHEDULER_HEARTBEAT_SECONDS"]),
        )
    )
    for job_id, title, every in specs:
        run = last.get(job_id)
        if job_id in exact:
            next_run = exact[job_id]
        elif not alive:
            next_run = None  # no scheduler runs: nothing will happen until one starts
        else:
            started = row.heartbeat_at if job_id == HEARTBEAT_JOB else (run and run.started_at)
            next_run = max(started + timedelta(seconds=every), at) if started else at
        jobs.append(JobStatus(job_id, title, every, next_run, run))
    return SchedulerStatus(row, alive, service is not None, jobs)


def job_runs_page(outcome: str, *, page_size: int) -> Pagination:
    """The job runs, latest first, with one outcome (any outcome when ``outcome`` is empty)."""
    statement = db.select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
    if outcome:
        statement = statement.where(JobRun.outcome == outcome)
    return db.paginate(statement, per_page=page_size, error_out=False)
