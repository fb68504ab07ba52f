"""The calls page's rounds, read in one statement and rendered once per content and language.

Rendering the list of rounds and categories is most of the page's work (each card goes through
some twenty translated sentences, amounts and dates in the reader's language), and it is the
same for every visitor until an administrator changes a round or a category. So each round's
section is rendered once per (content, language, state, script root) and kept in this
process; a request only reads the rows and puts the kept sections together.

**The key is the content itself**: the rows the page shows (every column the sections read,
:data:`CALL_ROWS`), as the database has them now. Every request reads them, in one statement,
as a bare query of the same rows would; a change to any of them, made by any process on any
host (a form, a job, psql, a restore), gives other rows and so other sections on the very next
request. Nothing has to be told of the change, so there is nothing to forget and nothing to
invalidate. Sections of content no longer shown fall out of a small LRU.

**What is not kept** is what differs per visitor or per moment: the time left before an open
call closes, and the visitor's own nominations in each category. Those places are marked in a
kept section (:func:`slot`) and filled on every request. Which of the three lists a round is
in (open, upcoming, closed) follows the clock and is decided on every request too; the state is
part of a section's key. For a signed-in visitor (or one with a message flashed) the rest of
the page (header, sign-in state, the lead) is rendered per request around the kept sections.
For anonymous visitors the whole page is the same but for the CSRF token of the language
switch and the time left, so it is kept whole too (:meth:`Listing.page`, by language, script
root, path and the rounds in each state), with those two as slots.

The view objects (:class:`CallRound`, :class:`CallCategory`) carry the selected columns only; a
template that asks for a column :data:`CALL_ROWS` does not select fails loudly instead of
showing nothing (and so instead of a cache key that misses a column the page shows).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from flask import render_template, request
from markupsafe import Markup, escape

from nominations.languages import localized
from nominations.models import AwardCategory, AwardRound, db
from nominations.public import reads
from nominations.timeutil import humanize_remaining
from nominations.workflow.calls import CallState, call_state
from nominations.workflow.nominations.rules import phd_earliest_for

ROUND_COLUMNS = (
    "id",
    "name",
    "name_nb",
    "year",
    "organiser",
    "description",
    "description_nb",
    "opens_at",
    "closes_at",
    "status",
    "opening_confirmed_at",
)
CATEGORY_COLUMNS = (
    "id",
    "name",
    "name_nb",
    "description",
    "description_nb",
    "eligibility_text",
    "eligibility_text_nb",
    "phd_within_years",
    "exclude_winners_within_years",
    "prize_amount",
    "currency",
    "prize_count",
    "funder",
    "self_nomination_allowed",
    "department_nomination_allowed",
    "word_limit",
    "requires_cv",
    "requires_publications",
    "max_support_letters",
)

# Rounds of this year and last year, and any later one not closed yet, with their categories
# (a round without categories is not shown), in the order the page lists them. Built once.
CALL_ROWS = (
    db.select(
        *(getattr(AwardRound, name).label(f"r_{name}") for name in ROUND_COLUMNS),
        *(getattr(AwardCategory, name).label(f"c_{name}") for name in CATEGORY_COLUMNS),
    )
    .join_from(AwardRound, AwardCategory, AwardCategory.round_id == AwardRound.id)
    .where(
        db.or_(
            AwardRound.year >= db.bindparam("last_year"),
            AwardRound.closes_at > db.bindparam("at"),
        )
    )
    .order_by(AwardRound.closes_at, AwardRound.id, AwardCategory.position, AwardCategory.id)
)


class _Columns:
    """The selected columns of a row as attributes, and nothing else."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise RuntimeError(
            f"the calls page reads {type(self).__name__}.{name}, which calls.listing.CALL_ROWS "
            "does not select: add it there (it is part of the cache key)"
        )


class CallRound(_Columns):
    categories: list[CallCategory]

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self.categories = []
        self.sections: dict[tuple, tuple] = {}  # (language, root, state) -> kept parts

    @property
    def title(self) -> str:
        """As AwardRound.title: the name in the reader's language, with its year."""
        return AwardRound.title_of(localized(self, "name"), self.year)


class CallCategory(_Columns):
    def __init__(self, values: dict[str, Any], award_round: CallRound) -> None:
        self.__dict__.update(values)
        self.round = award_round
        self.phd_earliest: date | None = phd_earliest_for(self.phd_within_years, self.closes_at)

    @property
    def closes_at(self) -> datetime:
        return self.round.closes_at


class Listing:
    """One content: its rounds, and the whole pages kept for anonymous visitors (by language,
    script root, path and the rounds in each state)."""

    MAX_PAGES = 64  # paths with query strings are many: forget them all beyond this

    def __init__(self, rounds: list[CallRound]) -> None:
        self.rounds = rounds
        self._pages: dict[tuple, tuple] = {}
        self.remaining_texts: dict[tuple, str] = {}

    def page(self, key: tuple, render: Callable[[], str]) -> tuple:
        parts = self._pages.get(key)
        if parts is None:
            if len(self._pages) >= self.MAX_PAGES:
                self._pages.clear()
            parts = self._pages.setdefault(key, _split(render()))
        return parts


def _listing_of(rows: Sequence[Any]) -> Listing:
    rounds: dict[int, CallRound] = {}
    for row in rows:
        values = row._mapping
        award_round = rounds.get(values["r_id"])
        if award_round is None:
            award_round = CallRound({name: values[f"r_{name}"] for name in ROUND_COLUMNS})
            rounds[award_round.id] = award_round
        category = {name: values[f"c_{name}"] for name in CATEGORY_COLUMNS}
        award_round.categories.append(CallCategory(category, award_round))
    return Listing(list(rounds.values()))


# --------------------------------------------------------------------------------------------
# The kept content: the rounds of the last few contents seen, with their rendered sections.


def current(at: datetime, this_year: int) -> Listing:
    """The rounds the page may show at ``at``, as the database has them now (one query)."""
    rows = tuple(reads.rows(CALL_ROWS, {"at": at, "last_year": this_year - 1}))
    return reads.kept("calls").get(rows, lambda: _listing_of(rows))


def grouped(rounds: list[CallRound], at: datetime) -> dict[CallState, list[CallRound]]:
    """The rounds by their call's state at ``at``, each list in the page's order. A round held
    at its opening time (not confirmed) is not announced as "opens <past date>": it appears
    once an administrator opens it (workflow.opening)."""
    groups: dict[CallState, list[CallRound]] = {state: [] for state in CallState}
    for award_round in rounds:
        state = call_state(award_round, at)  # type: ignore[arg-type]  # the same columns
        if state is CallState.UPCOMING and award_round.opens_at <= at:
            continue
        groups[state].append(award_round)
    groups[CallState.UPCOMING].sort(key=lambda r: (r.opens_at, r.id))
    groups[CallState.CLOSED].sort(key=lambda r: (r.closes_at, r.id), reverse=True)
    return groups


# --------------------------------------------------------------------------------------------
# Sections: kept with marked slots, filled per request.

_MARK = f"\x00{secrets.token_hex(8)}:"  # NUL never comes from a form nor from PostgreSQL
_SLOT = re.compile(re.escape(_MARK) + r"([a-z]+):([0-9]+)\x00")


def slot(kind: str, ident: int = 0) -> Markup:
    """A place in a kept text that is filled per request (``fill[kind](ident)``)."""
    return Markup(f"{_MARK}{kind}:{ident}\x00")


def _split(html: str) -> tuple:
    """A text with slots, split at them: (text, kind, id, text, kind, id, ..., text)."""
    parts = _SLOT.split(str(html))
    for index in range(2, len(parts), 3):
        parts[index] = int(parts[index])
    return tuple(parts)


def fill(parts: tuple, fillers: dict[str, Callable[[int], str]]) -> Markup:
    """The kept parts with each slot filled by ``fillers[kind](id)`` (already HTML)."""
    out = [parts[0]]
    for index in range(1, len(parts), 3):
        out.append(fillers[parts[index]](parts[index + 1]))
        out.append(parts[index + 2])
    return Markup("".join(out))


def _section_parts(award_round: CallRound, state: CallState, language: str) -> tuple:
    key = (language, request.script_root, state)
    parts = award_round.sections.get(key)
    if parts is None:
        html = render_template("calls/_round.html", award_round=award_round, state=state, slot=slot)
        parts = award_round.sections.setdefault(key, _split(html))
    return parts


def section(
    award_round: CallRound,
    state: CallState,
    language: str,
    fillers: dict[str, Callable[[int], str]],
) -> Markup:
    """The round's section as this visitor sees it now: the kept parts, slots filled."""
    return fill(_section_parts(award_round, state, language), fillers)


def marked_section(award_round: CallRound, state: CallState, language: str) -> Markup:
    """The round's section with its slots left in (for a page kept whole)."""
    parts = _section_parts(award_round, state, language)
    return fill(parts, {kind: lambda ident, kind=kind: slot(kind, ident) for kind in SLOTS})


SLOTS = ("remaining", "mine")


def remaining_filler(listing: Listing, at: datetime, language: str) -> Callable[[int], str]:
    """The time left of each open round (by round id). The text depends only on the whole
    minutes left (humanize_remaining): kept per language and minutes, for every visitor."""
    by_id = {r.id: r for r in listing.rounds}

    def remaining(round_id: int) -> str:
        seconds = int((by_id[round_id].closes_at - at).total_seconds())
        key = (language, seconds <= 0, seconds // 60)
        text = listing.remaining_texts.get(key)
        if text is None:
            if len(listing.remaining_texts) >= Listing.MAX_PAGES:
                listing.remaining_texts.clear()
            text = str(escape(humanize_remaining(by_id[round_id].closes_at, at)))
            listing.remaining_texts[key] = text
        return text

    return remaining
