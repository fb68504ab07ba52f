"""Explicit time: UTC in the database, the institute's zone (default Europe/Oslo) for people.

All conversions between local wall-clock time and UTC happen here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

END_OF_DAY = time(23, 59, 59)


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change (e.g. 02:30 on 29 March 2026)."""


def now() -> datetime:
    """The current time, aware, in UTC (tests move it with time-machine)."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    name = current_app.config["TIMEZONE"] if has_app_context() else "Europe/Oslo"
    return ZoneInfo(name)


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_zone())


def from_local(day: date, clock: time | None = None, zone: ZoneInfo | None = None) -> datetime:
    """The UTC instant of a local date and time; without a time, the end of that day.

    Refuses a local time that does not exist; for a time that exists twice (autumn change)
    takes the first occurrence, as people mean the time before the clocks go back.
    """
    zone = zone or local_zone()
    clock = END_OF_DAY if clock is None else clock
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=zone, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise NonexistentLocalTime(
            f"{naive:%d %B %Y %H:%M} does not exist in {zone.key}: "
            "the clocks skip it for daylight saving time"
        )
    return aware.astimezone(UTC)


def shift_local(value: datetime, *, days: int = 0, years: int = 0) -> datetime:
    """Move an instant by whole local days or years, keeping the local clock time.

    "7 days before 12:00" stays 12:00 locally across a daylight-saving change. A wall time that
    does not exist on the target day moves forward by the gap (02:30 becomes 03:30).
    """
    zone = local_zone()
    local = value.astimezone(zone).replace(tzinfo=None)
    if years:
        try:
            local = local.replace(year=local.year + years)
        except ValueError:  # 29 February -> 28 February
            local = local.replace(year=local.year + years, day=28)
    local = local + timedelta(days=days)
    try:
        return from_local(local.date(), local.time(), zone)
    except NonexistentLocalTime:
        return from_local(local.date(), (local + timedelta(hours=1)).time(), zone)


def format_local(value: datetime | None, with_zone: bool = True) -> str:
    if value is None:
        return ""
    local = to_local(value)
    text = f"{local.day} {local:%B %Y %H:%M}"
    if local.second:
        text = f"{local.day} {local:%B %Y %H:%M:%S}"
    return f"{text} {local.tzname()}" if with_zone else text


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return f"{value.day} {value:%B %Y}"


def humanize_remaining(until: datetime, reference: datetime | None = None) -> str:
    """'3 days 4 hours left', '45 minutes left', 'closed'."""
    delta = until - (reference or now())
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "closed"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        parts = [f"{days} day{'s' if days != 1 else ''}"]
        if hours:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    elif hours:
        parts = [f"{hours} hour{'s' if hours != 1 else ''}"]
        if minutes:
            parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    else:
        parts = [f"{max(minutes, 1)} minute{'s' if minutes != 1 else ''}"]
    return " ".join(parts) + " left"
