"""The scheduler: APScheduler 3 interval jobs that act on what the database says is due.

- ``service``: the APScheduler set-up and the leadership lease loop (``SchedulerService``);
- ``jobs``: the jobs (each calls ``workflow/``) and their recorded runs;
- ``lease``: the lease row that lets one of several scheduler processes lead;
- ``embedded``: starting it inside the development server, once;
- ``cli``: ``flask --app nominations scheduler`` for production.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the CLI command, and start the in-process scheduler where enabled."""
    from nominations.scheduling import cli, embedded

    cli.init_app(app)
    embedded.init_app(app)
