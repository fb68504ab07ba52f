"""Leadership: one row per lease name, renewed by its holder, taken over once it expires.

Only the holder may renew the lease, and anyone may take it after it expired: both are one
conditional UPDATE, so of several processes trying at the same moment exactly one wins (on
PostgreSQL the second UPDATE waits for the first and then re-checks the condition; SQLite
serialises writers). The row's ``heartbeat_at`` tells /healthz and the admin page when the
leader was last alive.

The lease is an efficiency measure, not the guarantee: a leader that stalls past its lease may
briefly run a job at the same time as its successor, and every job is written to be safe then
(conditional updates, unique deduplication keys, claimed outbox messages). The hosts' clocks
should be kept in sync (NTP); a skew eats into the lease time.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.dialects import postgresql, sqlite

from nominations.models import SchedulerLease, db
from nominations.timeutil import now as current_time

LEASE_NAME = "scheduler"  # /healthz reads this row


def make_holder() -> str:
    """host:pid:random, unique per process (and per start)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_pid(holder: str | None) -> int | None:
    try:
        return int((holder or "").split(":")[1])
    except (IndexError, ValueError):
        return None


def acquire(
    holder: str, seconds: float, *, name: str = LEASE_NAME, at: datetime | None = None
) -> bool:
    """Take or renew the lease for ``seconds``; True when ``holder`` holds it now. Commits."""
    at = at or current_time()
    expires_at = at + timedelta(seconds=seconds)
    if _renew(name, holder, at, expires_at):
        return True
    # No row yet (the very first start): insert it, unless another process just did.
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    created = db.session.execute(
        insert(SchedulerLease)
        .values(name=name, holder=holder, expires_at=expires_at, heartbeat_at=at)
        .on_conflict_do_nothing(index_elements=[SchedulerLease.name])
        .returning(SchedulerLease.name)  # a row comes back only when this insert wrote it
    ).first()
    db.session.commit()
    if created is not None:
        return True
    # Someone inserted it first; that may have been this very holder (another thread).
    return _renew(name, holder, at, expires_at)


def _renew(name: str, holder: str, at: datetime, expires_at: datetime) -> bool:
    renewed = db.session.execute(
        db.update(SchedulerLease)
        .where(
            SchedulerLease.name == name,
            or_(SchedulerLease.holder == holder, SchedulerLease.expires_at <= at),
        )
        .values(holder=holder, expires_at=expires_at, heartbeat_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return renewed == 1


def release(holder: str, *, name: str = LEASE_NAME, at: datetime | None = None) -> bool:
    """Give the lease up at once (a clean stop), so a stand-by need not wait for it to expire."""
    at = at or current_time()
    released = db.session.execute(
        db.update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return released == 1


def is_free(name: str = LEASE_NAME, at: datetime | None = None) -> bool:
    """True when nobody holds the lease: no row yet, released, or expired (a read only)."""
    at = at or current_time()
    expires_at = db.session.execute(
        db.select(SchedulerLease.expires_at).where(SchedulerLease.name == name)
    ).scalar_one_or_none()
    return expires_at is None or expires_at <= at


def current(name: str = LEASE_NAME) -> SchedulerLease | None:
    return db.session.execute(
        db.select(SchedulerLease).where(SchedulerLease.name == name)
    ).scalar_one_or_none()
