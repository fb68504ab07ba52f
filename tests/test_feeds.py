"""The feeds the institute's website embeds, read back with real parsers."""

from datetime import UTC, datetime, time, timedelta

import feedparser
import time_machine
from icalendar import Calendar

from nominations.models import RoundStatus
from nominations.timeutil import from_local, now
from nominations.workflow.results import publish_round
from tests import factories
from tests import results_helpers as h


def _calls():
    """Two open categories, one upcoming and one closed call."""
    open_round = factories.award_round(
        "OUH Research Awards",
        closes_at=from_local((now() + timedelta(days=10)).date(), time(12, 0)),
    )
    excellent = factories.category(
        open_round, "Excellent Researcher Award", 400_000, funder="The Hospital Foundation"
    )
    early = factories.category(
        open_round, "Early Career Award", 200_000, prize_count=2, eligibility_text="PhD ≤ 8 years"
    )
    upcoming = factories.award_round(
        "Later Prizes", opens_at=now() + timedelta(days=3), closes_at=now() + timedelta(days=30)
    )
    factories.category(upcoming, "Not Yet Open", 1000)
    closed = factories.award_round(
        "Past Prizes", opens_at=now() - timedelta(days=30), closes_at=now() - timedelta(seconds=1)
    )
    factories.category(closed, "Too Late", 1000)
    return open_round, excellent, early


def _events(client) -> tuple[Calendar, list]:
    response = client.get("/calls.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Type"].endswith("charset=utf-8")
    body = response.get_data()
    assert b"\r\n" in body and all(len(line) <= 75 for line in body.split(b"\r\n"))
    calendar = Calendar.from_ical(body)
    return calendar, calendar.walk("VEVENT")


def test_calls_ics_has_each_open_category_closing_as_an_event(client):
    open_round, excellent, early = _calls()
    calendar, events = _events(client)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    assert {str(e["UID"]) for e in events} == {
        f"category-{excellent.id}@localhost",
        f"category-{early.id}@localhost",
    }
    by_uid = {str(e["UID"]): e for e in events}
    event = by_uid[f"category-{excellent.id}@localhost"]
    # The closing instant, exactly (12:00 in Oslo), in UTC.
    assert event.decoded("DTSTART") == open_round.closes_at
    assert event.decoded("DTSTART").tzinfo is not None
    assert "Excellent Researcher Award" in str(event["SUMMARY"])
    assert "OUH Research Awards" in str(event["SUMMARY"])
    assert "NOK 400,000" in str(event["DESCRIPTION"])
    assert "The Hospital Foundation" in str(event["DESCRIPTION"])
    assert "12:00" in str(event["DESCRIPTION"])
    assert "PhD ≤ 8 years" in str(by_uid[f"category-{early.id}@localhost"]["DESCRIPTION"])
    for item in events:  # what RFC 5545 requires of every event
        assert item.get("DTSTAMP") is not None and item.get("UID") is not None
    text = client.get("/calls.ics").get_data(as_text=True)
    assert "Not Yet Open" not in text and "Too Late" not in text


def test_calls_ics_uids_are_stable_and_follow_the_clock(client):
    open_round, excellent, early = _calls()
    first = {str(e["UID"]) for e in _events(client)[1]}
    with time_machine.travel(now() + timedelta(hours=5), tick=False):
        assert {str(e["UID"]) for e in _events(client)[1]} == first
    # Once the closing time has passed, the events go, even before any job has run.
    with time_machine.travel(open_round.closes_at + timedelta(seconds=1), tick=False):
        later = [str(e["SUMMARY"]) for e in _events(client)[1]]
    # ... while the upcoming call has opened by then.
    assert len(later) == 1 and later[0].startswith("Nominations close: Not Yet Open")
    assert open_round.status == RoundStatus.DRAFT


def test_calls_json_and_calls_ics_list_the_same_calls(client):
    _calls()
    calls = client.get("/calls.json").get_json()["calls"]
    uids = {str(e["UID"]) for e in _events(client)[1]}
    assert {f"category-{c['category_id']}@localhost" for c in calls} == uids
    assert {c["category"] for c in calls} == {"Excellent Researcher Award", "Early Career Award"}


def _publish(name, year, winners, admin, at):
    award_round = h.closed_round(name, year=year)
    category = factories.category(award_round, "Researcher of the Year", 100_000, prize_count=2)
    nominator = factories.user(f"n{year}@example.org")
    decisions = [
        h.decide(factories.nomination(category, nominator, person), f"Citation for {person}.")
        for person in winners
    ]
    h.set_status(award_round, RoundStatus.DECIDED)
    with time_machine.travel(at, tick=False):
        publish_round(award_round, actor=admin)
    return award_round, decisions


def test_results_atom_has_one_entry_per_published_winner(client, admin):
    older, (ingrid,) = _publish(
        "ICR Prizes", 2024, ["Ingrid Hansen"], admin, datetime(2024, 12, 12, 9, tzinfo=UTC)
    )
    newer, (per, kari) = _publish(
        "ICR Prizes", 2025, ["Per Olsen", "Kari Berg"], admin, datetime(2025, 12, 12, 9, tzinfo=UTC)
    )
    unpublished = h.closed_round("Secret", year=2025)
    category = factories.category(unpublished, "Hidden Award", 1000)
    h.decide(factories.nomination(category, admin, "Not Yet Public"))
    h.set_status(unpublished, RoundStatus.DECIDED)

    response = client.get("/results.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "Kari Berg receives the Researcher of the Year 2025",
        "Per Olsen receives the Researcher of the Year 2025",
        "Ingrid Hansen receives the Researcher of the Year 2024",
    ]
    entry = feed.entries[-1]
    assert entry.id == f"tag:localhost,2024-12-12:results/decision/{ingrid.id}"
    assert entry.link == f"http://localhost/results/{older.id}#decision-{ingrid.id}"
    assert "Citation for Ingrid Hansen." in entry.summary
    assert "NOK 100,000" in entry.summary
    assert entry.published_parsed[:3] == (2024, 12, 12)
    assert feed.feed.updated_parsed[:3] == (2025, 12, 12)
    assert "Not Yet Public" not in response.get_data(as_text=True)

    # Stable: the same ids on the next request, and once more after another round.
    again = feedparser.parse(client.get("/results.atom").get_data())
    assert [e.id for e in again.entries] == [e.id for e in feed.entries]
    assert len({e.id for e in feed.entries}) == 3


def test_results_atom_is_valid_when_nothing_is_published(client):
    feed = feedparser.parse(client.get("/results.atom").get_data())
    assert feed.bozo == 0 and feed.entries == []
    assert feed.feed.title.endswith("award winners")


def test_each_calendar_event_links_to_its_own_call_on_the_calls_page(client):
    _open_round, excellent, early = _calls()
    _calendar, events = _events(client)
    links = {str(e["UID"]): str(e["URL"]) for e in events}
    for category in (excellent, early):
        link = links[f"category-{category.id}@localhost"]
        assert link == f"http://localhost/calls#category-{category.id}"
        page = client.get(link.removeprefix("http://localhost").split("#")[0])
        assert page.status_code == 200
        assert f'id="category-{category.id}"' in page.get_data(as_text=True)
