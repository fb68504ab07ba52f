"""The feeds the institute's website embeds: open calls as an iCalendar file, winners as Atom.

Identifiers are stable (they name the category or decision and the site's host, never the
time of the request), so calendar clients and feed readers update entries instead of adding
duplicates. Titles and descriptions are in the reader's language (Accept-Language, for a feed
reader), the administrators' texts too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import current_app, url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event

from nominations.formatting import format_amount
from nominations.languages import current_language, localized, site_name
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
    site = site_name()
    calendar = Calendar()
    calendar.add("prodid", f"-//{site_host()}//{site} calls//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("%(site)s: closing dates", site=site))
    calendar.add("x-wr-timezone", current_app.config["TIMEZONE"])
    for category in categories:
        award_round = category.round
        name = localized(category, "name")
        event = Event()
        event.add("uid", category_uid(category))
        event.add("dtstamp", at)
        # A deadline is an instant: the event starts and ends at the closing time (RFC 5545
        # 3.6.1: a DATE-TIME start without an end takes no time).
        event.add("dtstart", award_round.closes_at)
        event.add(
            "summary",
            _(
                "Nominations close: %(category)s (%(round)s)",
                category=name,
                round=award_round.title,
            ),
        )
        amount = format_amount(category.prize_amount, category.currency)
        lines = [
            _(
                "Closing time for nominations: %(when)s.",
                when=format_local(award_round.closes_at),
            ),
            _("Prize: %(amount)s x %(num)d.", amount=amount, num=category.prize_count)
            if category.prize_count > 1
            else _("Prize: %(amount)s.", amount=amount),
        ]
        if category.funder:
            lines.append(_("Funded by %(funder)s.", funder=category.funder))
        eligibility = localized(category, "eligibility_text")
        if eligibility:
            lines.append(_("Eligibility: %(text)s", text=eligibility))
        event.add("description", "\n".join(lines))
        event.add("url", _external("calls.index", _anchor=f"category-{category.id}"))
        event.add("last-modified", max(award_round.updated_at, award_round.created_at))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def winner_title(decision: Decision) -> str:
    award_round = decision.category.round
    return _(
        "%(nominee)s receives the %(category)s %(year)d",
        nominee=decision.nomination.nominee_name,
        category=localized(decision.category, "name"),
        year=award_round.year,
    )


def decision_id(decision: Decision) -> str:
    """A tag URI (RFC 4151) naming the decision, dated by the day its round was published."""
    published = decision.category.round.published_at
    return f"tag:{site_host()},{published:%Y-%m-%d}:results/decision/{decision.id}"


def results_atom(winners: Sequence[Decision], at: datetime | None = None) -> bytes:
    """An Atom feed with one news item per published winner, newest rounds first."""
    site = site_name()
    feed = FeedGenerator()
    feed.id(f"tag:{site_host()},2024:results")
    feed.title(_("%(site)s: award winners", site=site))
    feed.subtitle(_("Winners of the institute's awards, as the results are published."))
    feed.link(href=_external("results.results_atom"), rel="self", type="application/atom+xml")
    feed.link(href=_external("results.history"), rel="alternate", type="text/html")
    feed.author({"name": site})
    feed.language(current_language())
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
        name = localized(category, "name")
        entry.category(term=name)
        nominee = nomination.nominee_name
        if nomination.nominee_department:
            nominee = f"{nominee} ({nomination.nominee_department.name})"
        amount = format_amount(category.prize_amount, category.currency)
        if category.funder:
            summary = _(
                "%(nominee)s receives the %(category)s of %(round)s: %(amount)s, funded by "
                "%(funder)s.",
                nominee=nominee,
                category=name,
                round=award_round.title,
                amount=amount,
                funder=category.funder,
            )
        else:
            summary = _(
                "%(nominee)s receives the %(category)s of %(round)s: %(amount)s.",
                nominee=nominee,
                category=name,
                round=award_round.title,
                amount=amount,
            )
        parts = [summary]
        if decision.citation:
            parts.append(decision.citation)
        if award_round.ceremony_on:
            parts.append(
                _(
                    "The prize is presented on %(date)s.",
                    date=format_date(award_round.ceremony_on),
                )
            )
        entry.summary("\n\n".join(parts))
    return feed.atom_str(pretty=True)
