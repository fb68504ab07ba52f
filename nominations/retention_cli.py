"""`flask --app nominations retention run`: apply the retention rules now (administrators at
the shell; the scheduler's retention job does the same every SCHEDULER_RETENTION_SECONDS)."""

from __future__ import annotations

import click
from flask import Flask

from nominations.unit_of_work import transaction


def init_app(app: Flask) -> None:
    @app.cli.group("retention")
    def retention_group() -> None:
        """Retention of personal data (README, "Personal data")."""

    @retention_group.command("run")
    def run_command() -> None:
        """Delete what the rounds' retention rules say is due now: documents of nominations
        that did not win, review comments, drafts never submitted. Safe to run again, and
        beside the scheduler: each thing is deleted and recorded once."""
        from nominations.workflow.retention_run import apply_due

        with transaction():  # all that is due, or nothing
            report = apply_due()
        click.echo(str(report).capitalize() + ".")
        for error in report.errors:
            click.echo(f"  {error}", err=True)
        if report.errors:
            raise click.exceptions.Exit(1)
