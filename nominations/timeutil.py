"""Explicit time: UTC in the database, the institute's zone (default Europe/Oslo) for people.

All conversions between local wall-clock time and UTC happen here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import current_app, has_app_context
from flask_babel import gettext, ngettext

from nominations.languages import formatting_locale

format_time = babel_dates.format_time

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
    """'7 March 2025, 23:59 CET' / '7. mars 2025 kl. 23:59 CET' (seconds only when set): the
    reader's language, through Babel; the zone's abbreviation tells winter from summer time."""
    if value is None:
        return ""
    local = to_local(value)
    locale = formatting_locale()
    clock = format_time(local.time(), "HH:mm:ss" if local.second else "HH:mm", locale=locale)
    day = format_date(local.date())
    # Translators: a date and a time of day ("7. mars 2025 kl. 23:59" in bokmål).
    text = gettext("%(date)s, %(time)s", date=day, time=clock)
    return f"{text} {local.tzname()}" if with_zone else text


def format_date(value: date | datetime | None) -> str:
    """'7 March 2025' / '7. mars 2025'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return babel_dates.format_date(value, "long", locale=formatting_locale())


def humanize_remaining(until: datetime, reference: datetime | None = None) -> str:
    """'3 days 4 hours left', '45 minutes left', 'closed' (in the reader's language)."""
    delta = until - (reference or now())
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return gettext("closed")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        parts = [ngettext("%(num)d day", "%(num)d days", days)]
        if hours:
            parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    elif hours:
        parts = [ngettext("%(num)d hour", "%(num)d hours", hours)]
        if minutes:
            parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    else:
        parts = [ngettext("%(num)d minute", "%(num)d minutes", max(minutes, 1))]
    return gettext("%(time)s left", time=" ".join(parts))
