from datetime import UTC, date, datetime, time

import pytest

from nominations.formatting import count_words, format_amount
from nominations.timeutil import (
    NonexistentLocalTime,
    format_local,
    from_local,
    humanize_remaining,
    shift_local,
)


def test_closing_date_without_time_is_end_of_local_day(app):
    # Winter: Oslo is UTC+1, so 23:59:59 local is 22:59:59 UTC.
    assert from_local(date(2025, 3, 7)) == datetime(2025, 3, 7, 22, 59, 59, tzinfo=UTC)
    # Summer: UTC+2.
    assert from_local(date(2025, 6, 7)) == datetime(2025, 6, 7, 21, 59, 59, tzinfo=UTC)


def test_time_skipped_by_spring_change_is_refused(app):
    with pytest.raises(NonexistentLocalTime, match="does not exist"):
        from_local(date(2026, 3, 29), time(2, 30))


def test_time_repeated_by_autumn_change_takes_the_first(app):
    first = from_local(date(2026, 10, 25), time(2, 30))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # still summer time, UTC+2


def test_seven_days_before_noon_across_dst_keeps_local_clock(app):
    deadline = from_local(date(2026, 4, 2), time(12, 0))  # after the spring change
    reminder = shift_local(deadline, days=-7)
    assert format_local(reminder) == "26 March 2026, 12:00 CET"
    assert (deadline - reminder).total_seconds() == 6 * 86400 + 23 * 3600


def test_shift_by_a_year_keeps_local_clock_across_dst(app):
    # 28 March 2026 is winter time (CET); in 2027 the clocks change that very night.
    winter = from_local(date(2026, 3, 28), time(12, 0))
    shifted = shift_local(winter, years=1)
    assert format_local(shifted) == "28 March 2027, 12:00 CEST"


def test_format_amount_groups_thousands():
    assert format_amount(400_000) == "NOK 400,000"
    assert format_amount(1_250_000, "EUR") == "€ 1,250,000"


def test_count_words_and_remaining():
    assert count_words("  one two\nthree\t four ") == 4
    reference = datetime(2026, 1, 1, tzinfo=UTC)
    assert (
        humanize_remaining(datetime(2026, 1, 4, 5, tzinfo=UTC), reference) == "3 days 5 hours left"
    )
    assert humanize_remaining(reference, reference) == "closed"
