"""The open calls page: open categories with what matters, upcoming and closed marked."""

from datetime import UTC, date, datetime, time

import time_machine

from nominations.timeutil import from_local
from tests import factories
from tests.nominating import text


def section(page: str, title: str) -> str:
    """The part of the page from one round heading to the next."""
    start = page.index(title)
    following = page.find('<section class="mb-4"', start)
    return page[start : following if following != -1 else len(page)]


def test_calls_page_shows_open_upcoming_and_closed_calls(client):
    with time_machine.travel(datetime(2026, 2, 20, 9, 0, tzinfo=UTC), tick=False):
        hospital = factories.award_round(
            "OUH Research Awards",
            year=2026,
            organiser="Oslo University Hospital",
            opens_at=from_local(date(2026, 1, 10)),
            closes_at=from_local(date(2026, 3, 7)),
        )
        factories.category(
            hospital,
            "Early Career Award",
            200_000,
            prize_count=2,
            phd_within_years=8,
            eligibility_text="Researchers employed at the hospital.",
        )
        institute = factories.award_round(
            "ICR Prizes",
            year=2026,
            opens_at=from_local(date(2026, 4, 1), time(0, 0)),
            closes_at=from_local(date(2026, 5, 1)),
        )
        factories.category(
            institute, "Researcher of the Year", 100_000, funder="The Radium Hospital Foundation"
        )
        last_year = factories.award_round(
            "ICR Prizes",
            year=2025,
            opens_at=from_local(date(2025, 1, 1)),
            closes_at=from_local(date(2025, 3, 1)),
        )
        factories.category(last_year, "Employee of the Year", 50_000)
        ancient = factories.award_round(
            "Old Prizes",
            year=2023,
            opens_at=from_local(date(2023, 1, 1)),
            closes_at=from_local(date(2023, 3, 1)),
        )
        factories.category(ancient, "Forgotten Award", 1_000)

        page = text(client.get("/calls"))  # anyone may read it

    open_call = section(page, "OUH Research Awards 2026")
    assert "Open" in open_call
    assert "2 prizes of NOK 200,000" in open_call
    assert "Researchers employed at the hospital." in open_call
    assert "PhD within the last 8 years" in open_call and "7 March 2018" in open_call
    assert "7 March 2026, 23:59:59 CET" in open_call
    assert "15 days 13 hours left" in open_call
    early_career = hospital.categories[0]
    assert f'href="/calls/{early_career.id}/nominate"' in open_call

    upcoming = section(page, "ICR Prizes 2026")
    assert "Upcoming" in upcoming and "opens 1 April 2026, 00:00 CEST" in upcoming
    assert "The Radium Hospital Foundation" in upcoming
    assert "/nominate" not in upcoming

    closed = section(page, "ICR Prizes 2025")
    assert "Closed" in closed and "closed 1 March 2025, 23:59:59 CET" in closed
    assert "/nominate" not in closed
    assert "Old Prizes" not in page  # only this year's and last year's rounds

    # Open calls come first, then upcoming, then closed.
    positions = [page.index(t) for t in ("OUH Research Awards 2026", "ICR Prizes 2026")]
    assert positions[0] < positions[1] < page.index("ICR Prizes 2025")


def test_signed_in_nominator_sees_their_nominations_on_the_calls_page(make_client, staff):
    award_round = factories.award_round()
    category = factories.category(award_round, "Researcher of the Year", 100_000)
    client = make_client(staff.email)
    client.submit(f"/calls/{category.id}/nominate", {"nominee_name": "Nora", "save_draft": "1"})
    page = text(client.get("/calls"))
    assert "Your nominations here:" in page and ">draft</a>" in page


def test_anonymous_visitor_is_asked_to_sign_in_to_nominate(client):
    award_round = factories.award_round()
    category = factories.category(award_round, "Researcher of the Year", 100_000)
    response = client.get(f"/calls/{category.id}/nominate")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "Sign in" in text(client.get("/calls"))
