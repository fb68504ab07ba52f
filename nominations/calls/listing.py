"""What the calls page shows, as plain values: each round (a section) and each category (a card)
with their texts formatted once, in Python.

The values are complete (nothing else goes into the page's list) and hashable, so the list's
HTML is rendered once per distinct content and reused (``render_list``): the page is the
busiest public one, and between two changes of its content (an edit, a state change, the
minute of "3 days 4 hours left") every anonymous visitor sees the same list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import Flask, url_for
from markupsafe import Markup
from sqlalchemy import Row

from nominations.formatting import format_amount
from nominations.models import AwardRound
from nominations.timeutil import format_date, format_local, humanize_remaining
from nominations.workflow.calls import CallState
from nominations.workflow.nominations.rules import phd_earliest_for

SHOWN_OWN = 3  # a visitor's own nominations linked per card; "and N more" after that
SAMPLE_ID = 2**31 - 1  # the largest id a URL takes (routing.py): its digits occur once


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    name: str
    description: str
    prize: str
    funder: str
    eligibility_text: str
    phd_within_years: int | None
    phd_earliest: str
    self_nomination_allowed: bool
    department_nomination_allowed: bool
    documents: str
    nominate_url: str
    own: tuple[tuple[str, str], ...]  # the visitor's nominations here: (link, status)
    more: int  # how many more than those linked
    all_url: str


@dataclass(frozen=True, slots=True)
class Section:
    id: int
    title: str
    organiser: str
    description: str
    state: str
    opens: str
    closes: str
    remaining: str
    cards: tuple[Card, ...]


def _prize(category: Row) -> str:
    amount = format_amount(category.prize_amount, category.currency)
    if category.prize_count > 1:
        return f"{category.prize_count} prizes of {amount}"
    return f"1 prize of {amount}"


def _documents(category: Row) -> str:
    parts = [f"Statement of at most {category.word_limit} words"]
    if category.requires_cv:
        parts.append("CV")
    if category.requires_publications:
        parts.append("publication list")
    letters = category.max_support_letters
    if letters:
        parts.append(f"up to {letters} support letter{'s' if letters != 1 else ''}")
    return ", ".join(parts)


def nominate_urls() -> Callable[[int], str]:
    """``url_for("nominate.new", category_id=...)`` for every open category at the cost of one:
    the addresses differ only by the id."""
    head, tail = url_for("nominate.new", category_id=SAMPLE_ID).split(str(SAMPLE_ID))
    return lambda category_id: f"{head}{category_id}{tail}"


def _card(
    category: Row, nominate_url: Callable[[int], str] | None, own: list[tuple[int, str]]
) -> Card:
    """A card from one row of ``views.CALL_ROWS`` (a category with its round's columns)."""
    earliest = phd_earliest_for(category.phd_within_years, category.closes_at)
    return Card(
        id=category.id,
        name=category.name,
        description=category.description,
        prize=_prize(category),
        funder=category.funder,
        eligibility_text=category.eligibility_text,
        phd_within_years=category.phd_within_years,
        phd_earliest=format_date(earliest) if earliest else "",
        self_nomination_allowed=category.self_nomination_allowed,
        department_nomination_allowed=category.department_nomination_allowed,
        documents=_documents(category),
        nominate_url=nominate_url(category.id) if nominate_url else "",
        own=tuple(
            (url_for("nominate.edit", nomination_id=nomination_id), status.replace("_", " "))
            for nomination_id, status in own[:SHOWN_OWN]
        ),
        more=max(len(own) - SHOWN_OWN, 0),
        all_url=url_for("nominate.mine") if len(own) > SHOWN_OWN else "",
    )


def section(
    categories: list[Row],
    state: CallState,
    at: datetime,
    mine: dict[int, list[tuple[int, str]]],
    nominate_url: Callable[[int], str],
) -> Section:
    """A round's section from its rows of ``views.CALL_ROWS`` (one per category)."""
    award_round = categories[0]
    is_open = state is CallState.OPEN
    return Section(
        id=award_round.round_id,
        title=AwardRound.title_of(award_round.round_name, award_round.year),
        organiser=award_round.organiser,
        description=award_round.round_description,
        state=state.value,
        opens=format_local(award_round.opens_at),
        closes=format_local(award_round.closes_at),
        remaining=humanize_remaining(award_round.closes_at, at) if is_open else "",
        cards=tuple(
            _card(c, nominate_url if is_open else None, mine.get(c.id, [])) for c in categories
        ),
    )


Groups = tuple[tuple[str, tuple[Section, ...]], ...]


def render_list(app: Flask, groups: Groups) -> Markup:
    """The list's HTML (templates/calls/_list.html), rendered once per distinct content in
    each process (the most recent few kept)."""
    render = app.extensions.get("calls_list")
    if render is None:
        template = app.jinja_env.get_template("calls/_list.html")
        render = lru_cache(maxsize=32)(lambda groups: Markup(template.render(groups=groups)))
        app.extensions["calls_list"] = render
    return render(groups)
