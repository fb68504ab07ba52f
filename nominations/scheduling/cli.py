"""`flask --app nominations scheduler`: the scheduler as its own process (production)."""

from __future__ import annotations

import click
from flask import Flask, current_app

from nominations.scheduling import lease
from nominations.scheduling.jobs import JOBS, run_job
from nominations.scheduling.service import SchedulerService


def init_app(app: Flask) -> None:
    @app.cli.command("scheduler")
    @click.option(
        "--once",
        is_flag=True,
        help="Run every job once (due work, then the outbox), print the outcome and exit.",
    )
    def scheduler_command(once: bool) -> None:
        """Run the scheduler: open and close calls, send reminders, deliver e-mail.

        Start one per host if you like: they share a lease in the database, one leads and
        runs the jobs, the others stand by and take over when it stops.
        """
        if once:
            holder = f"cli-once:{lease.make_holder()}"
            failed = False
            for spec in JOBS:
                run = run_job(spec.id, holder)
                click.echo(f"{spec.id}: {run.outcome}: {run.detail}")
                failed = failed or run.outcome == "error"
            if failed:
                raise SystemExit(1)
            return
        service = SchedulerService(current_app._get_current_object())
        click.echo(f"Scheduler {service.holder} starting (Ctrl-C or SIGTERM stops it).")
        service.run_forever()
