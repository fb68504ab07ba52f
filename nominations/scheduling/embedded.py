"""The scheduler inside the development server (``SCHEDULER_ENABLED``, set by
DevelopmentConfig), started once.

Flask's reloader runs the app in two processes: a watcher (the parent, which never serves) and
the server it restarts on every change (the child, with ``WERKZEUG_RUN_MAIN=true``). The
scheduler starts in the process that serves: the child under the reloader, the only process
without it. Other CLI commands (``db upgrade``, ``demo``, ``scheduler`` itself, ``shell``) never
start it, nor does testing. Production keeps ``SCHEDULER_ENABLED`` off: web workers never run
jobs; ``flask --app nominations scheduler`` does, as its own process. Should several processes
start it anyway (a WSGI server with the development settings), the lease lets only one lead.
"""

from __future__ import annotations

import atexit
import logging
import os
from collections.abc import Mapping

import click
from flask import Flask
from flask.helpers import get_debug_flag

from nominations.scheduling.service import SchedulerService

log = logging.getLogger(__name__)

_services: dict[int, SchedulerService] = {}


def should_start(app: Flask, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    if not app.config.get("SCHEDULER_ENABLED") or app.config.get("TESTING"):
        return False
    if environ.get("WERKZEUG_RUN_MAIN") == "true":
        return True  # the reloader's child: the process that serves
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True  # a WSGI server or app.run() without the reloader
    if ctx.info_name != "run":
        return False  # flask db upgrade, demo, scheduler, shell, ...
    reload = ctx.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    return not reload  # with the reloader this is the watcher; its child starts it


def running_service(app: Flask) -> SchedulerService | None:
    """The scheduler running inside this process for ``app``, if any (for the admin page)."""
    service = _services.get(id(app))
    return service if service is not None and service.running else None


def start(app: Flask) -> SchedulerService:
    service = SchedulerService(app).start()
    _services[id(app)] = service
    atexit.register(service.stop, wait=False)
    return service


def init_app(app: Flask) -> None:
    if should_start(app):
        start(app)
