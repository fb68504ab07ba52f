"""The feeds the institute's website embeds: open calls as an iCalendar file, winners as Atom.

Identifiers are stable (they name the category or decision and the site's host, never the
time of the request), so calendar clients and feed readers update entries instead of adding
duplicates.

icalendar and feedgen (with lxml) are imported by the functions that write a feed, not with
the module: every web worker would otherwise carry them from its start.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, url_for

from nominations.formatting import format_amount
from nominations.models import AwardCategory, Decision
from nominations.timeutil import format_date, format_local
from nominations.timeutil import now as current_time


def site_host() -> str:
    """The host named in UIDs and tag URIs: from BASE_URL, so it does not vary per request."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def _external(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def category_uid(category: AwardCategory) -> str:
    return f"category-{category.id}@{site_host()}"


def calls_calendar(categories: Sequence[AwardCategory], at: datetime | None = None) -> bytes:
    """An iCalendar (RFC 5545) file with each open category's closing time as an event."""
    at = at or current_time()
    site = current_app.config["SITE_NAME"]
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", f"-//{site_host()}//{site} calls//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{site}: closing dates")
    calendar.add("x-wr-timezone", current_app.config["TIMEZONE"])
    for category in categories:
        award_round = category.round
        event = Event()
        event.add("uid", category_uid(category))
        event.add("dtstamp", at)
        # A deadline is an instant: the event starts and ends at the closing time (RFC 5545
        # 3.6.1: a DATE-TIME start without an end takes no time).
        event.add("dtstart", award_round.closes_at)
        event.add("summary", f"Nominations close: {category.name} ({award_round.title})")
        lines = [
            f"Closing time for nominations: {format_local(award_round.closes_at)}.",
            f"Prize: {format_amount(category.prize_amount, category.currency)}"
            + (f" x {category.prize_count}" if category.prize_count > 1 else "")
            + ".",
        ]
        if category.funder:
            lines.append(f"Funded by {category.funder}.")
        if category.eligibility_text:
            lines.append(f"Eligibility: {category.eligibility_text}")
        event.add("description", "\n".join(lines))
        event.add("url", _external("calls.index", _anchor=f"category-{category.id}"))
        event.add("last-modified", max(award_round.updated_at, award_round.created_at))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def winner_title(decision: Decision) -> str:
    award_round = decision.category.round
    return (
        f"{decision.nomination.nominee_name} receives the {decision.category.name} "
        f"{award_round.year}"
    )


def decision_id(decision: Decision) -> str:
    """A tag URI (RFC 4151) naming the decision, dated by the day its round was published."""
    published = decision.category.round.published_at
    return f"tag:{site_host()},{published:%Y-%m-%d}:results/decision/{decision.id}"


def results_atom(winners: Sequence[Decision], at: datetime | None = None) -> bytes:
    """An Atom feed with one news item per published winner, newest rounds first."""
    site = current_app.config["SITE_NAME"]
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(f"tag:{site_host()},2024:results")
    feed.title(f"{site}: award winners")
    feed.subtitle("Winners of the institute's awards, as the results are published.")
    feed.link(href=_external("results.results_atom"), rel="self", type="application/atom+xml")
    feed.link(href=_external("results.history"), rel="alternate", type="text/html")
    feed.author({"name": site})
    feed.language("en")
    published = [d.category.round.published_at for d in winners]
    feed.updated(max(published) if published else (at or current_time()))
    for decision in winners:
        category = decision.category
        award_round = category.round
        nomination = decision.nomination
        entry = feed.add_entry(order="append")
        entry.id(decision_id(decision))
        entry.title(winner_title(decision))
        entry.link(
            href=_external("results.round_results", round_id=award_round.id)
            + f"#decision-{decision.id}",
            rel="alternate",
            type="text/html",
        )
        entry.published(award_round.published_at)
        entry.updated(award_round.published_at)
        entry.author({"name": award_round.organiser or site})
        entry.category(term=category.name)
        parts = [
            f"{nomination.nominee_name}"
            + (f" ({nomination.nominee_department.name})" if nomination.nominee_department else "")
            + f" receives the {category.name} of {award_round.title}:"
            + f" {format_amount(category.prize_amount, category.currency)}"
            + (f", funded by {category.funder}" if category.funder else "")
            + "."
        ]
        if decision.citation:
            parts.append(decision.citation)
        if award_round.ceremony_on:
            parts.append(f"The prize is presented on {format_date(award_round.ceremony_on)}.")
        entry.summary("\n\n".join(parts))
    return feed.atom_str(pretty=True)
