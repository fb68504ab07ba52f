"""One run of the benchmark: database, data, servers, the nine figures, the table."""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy.engine import make_url

from bench import database, datasets, load, mail, project, queries, web
from bench.servers import Gunicorn, Process, SmtpSink
from bench.settings import Scale, database_url, output_dir, server_environment
from bench.table import Row, render
from nominations.models import db

REFERENCE_APP = "bench.reference_app:app"
CALLS_MEASURE = "public /calls throughput vs a bare Flask route, same gunicorn"
JSON_MEASURE = "/calls.json vs a bare Flask JSON route, same query"


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


STEPS = ("calls", "ranking", "admin", "closing", "outbox", "scheduler", "queries")


def timed(what: str, step: Callable[[], Row], only: set[str] | None = None) -> Row:
    if only and what not in only:
        return Row(what, "skipped", "-", "-", "-", None)
    start = time.monotonic()
    row = step()
    took = time.monotonic() - start
    say(f"{row.measure}: {row.project} (reference {row.reference}) in {took:.0f} s")
    return row


def run(quick: bool, keep_database: bool = False, only: set[str] | None = None) -> list[Row]:
    scale = Scale.of(quick)
    url = database_url()
    began = time.monotonic()
    say(
        f"{'QUICK' if quick else 'full'} run; load by {load.tool()}; "
        f"database {make_url(url).database}"
    )
    database.recreate(url)
    env = server_environment(url)
    processes: list[Process] = []
    app = None
    try:
        sink = SmtpSink(env)
        processes.append(sink)
        sink.wait_ready()
        app = database.project_app(
            url, MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_DEFAULT_SENDER=mail.SENDER
        )
        database.migrate(app)
        with database.in_app(app):
            world = datasets.build(scale)
        database.analyze(app)
        say(f"data built in {time.monotonic() - began:.0f} s")
        server = Gunicorn("project", project.WSGI_APP, env, project.HEALTH)
        reference = Gunicorn("reference", REFERENCE_APP, env, "/healthz")
        processes += [server, reference]
        server.wait_ready()
        reference.wait_ready()
        at_start = server.worker_rss_mb()
        with database.in_app(app):

            def public(measure: str, path: str, goal: float) -> Callable[[], Row]:
                return lambda: web.throughput_row(measure, path, server, reference, scale, goal)

            calls = timed("calls", public(CALLS_MEASURE, project.CALLS, 0.60), only)
            calls_json = timed("calls", public(JSON_MEASURE, project.CALLS_JSON, 0.90), only)
            after_public = server.worker_rss_mb()
            ranking = timed("ranking", lambda: web.ranking_row(server, world, scale), only)
            admin = timed("admin", lambda: web.admin_list_row(server, world, scale), only)
            rss = web.rss_row(server, reference, at_start, after_public, scale)
            server.stop()
            reference.stop()
            closing = timed("closing", lambda: mail.closing_row(world, scale), only)
            outbox = timed("outbox", lambda: mail.outbox_row(sink, world, scale), only)
            scheduler = timed(
                "scheduler", lambda: mail.scheduler_row(sink, world, scale, env), only
            )
        counted = timed("queries", lambda: queries.query_count_row(scale), only)
    finally:
        for process in reversed(processes):
            process.stop()
        if app is not None:
            with app.app_context():
                db.engine.dispose()
        if not keep_database:
            database.drop(url)
    rows = [calls, calls_json, counted, ranking, closing, outbox, scheduler, rss, admin]
    table = render(rows)
    heading = (
        f"make bench{' QUICK=1' if quick else ''}, {date.today().isoformat()}, "
        f"{platform.node()}, {__import__('os').cpu_count()} cores, load by {load.tool()}, "
        f"{time.monotonic() - began:.0f} s"
    )
    print(f"\n{heading}\n\n{table}\n")
    (output_dir() / ("table-quick.md" if quick else "table.md")).write_text(
        f"{heading}\n\n{table}\n"
    )
    return rows
