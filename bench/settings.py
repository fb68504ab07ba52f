"""What one run of the benchmark uses: the sizes of its data sets, its database, its durations.

QUICK (``make bench QUICK=1``, CI) runs the same code on data a twentieth of the size and for
shorter times, so that the harness keeps working; only the full run judges the goals.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from nominations import PROJECT_ROOT

BENCH_DATABASE = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://127.0.0.1:5432/bench_nominations"
)
OUTPUT = PROJECT_ROOT / "test-output" / "bench"
PASSWORD = "bench-awards-2026"


@dataclass(frozen=True)
class Scale:
    quick: bool
    staff: int  # active staff who get the "call closes in 1 day" reminder
    closing_nominations: int  # nominations in the call that closes
    ranking_nominations: int
    ranking_reviewers: int
    criteria: int
    outbox_messages: int  # delivered back to back by deliver_due
    scheduler_messages: int  # delivered by the running scheduler
    load_seconds: int  # each throughput run (wrk takes whole seconds)
    load_rounds: int  # throughput runs per server, taken in turns
    latency_samples: int  # requests per latency figure
    scheduler_timeout: float  # give up waiting for the scheduler after this long

    @classmethod
    def of(cls, quick: bool) -> Scale:
        if quick:
            return cls(True, 250, 250, 50, 12, 5, 50, 100, 2, 2, 8, 45)
        return cls(False, 5000, 5000, 1000, 12, 5, 1000, 2000, 3, 6, 40, 90)


def database_url() -> str:
    """The benchmark's own database, with the driver the project installs (psycopg 3)."""
    return make_url(BENCH_DATABASE).set(drivername="postgresql+psycopg").render_as_string(False)


def server_environment(database: str, **extra: str) -> dict[str, str]:
    """The environment of every process the benchmark starts: production settings on the
    benchmark's database, behind a (simulated) HTTPS proxy on this host."""
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SCHEDULER_", "MAIL_", "GUNICORN_", "FLASK_", "RATELIMIT_"))
        and key not in {"DATABASE_URL", "SECRET_KEY", "NOMINATIONS_CONFIG", "BIND", "PORT"}
    }
    keep.update(
        NOMINATIONS_CONFIG="production",
        DATABASE_URL=database,
        SECRET_KEY=SECRET_KEY,
        BASE_URL="https://awards.example.org",
        TRUSTED_HOSTS="127.0.0.1,localhost",
        WEB_CONCURRENCY="2",
        # The access log would cost every request the same; the figures are the app's.
        GUNICORN_ACCESS_LOG="",
        GUNICORN_LOG_LEVEL="warning",
        PYTHONPATH=str(PROJECT_ROOT),
        PYTHONUNBUFFERED="1",
        INSTANCE_PATH=str(OUTPUT / "instance"),
    )
    keep.update(extra)
    return keep


SECRET_KEY = secrets.token_urlsafe(32)


def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
