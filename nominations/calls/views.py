"""The open calls page: what can be nominated for now, what comes next, what has closed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import render_template, url_for
from flask_login import current_user

from nominations.calls import bp
from nominations.formatting import format_amount
from nominations.models import AwardCategory, AwardRound, Nomination, db
from nominations.timeutil import format_date, format_local, humanize_remaining, now, to_local
from nominations.workflow.calls import CallState, call_state
from nominations.workflow.disclosure import status_for_nominator
from nominations.workflow.nominations.rules import phd_earliest

# Rounds of this year and last year, and any later one not closed yet, with their categories:
# one query (a join, not a second SELECT per relationship), built once; rounds without a
# category have nothing to show and are left out by the join.
ROUNDS_WITH_CATEGORIES = (
    db.select(AwardRound)
    .join(AwardRound.categories)
    .options(
        # What the page shows of a round (and what call_state reads): the other columns would
        # only be converted, once per category row of the join, and thrown away.
        db.load_only(
            AwardRound.name,
            AwardRound.year,
            AwardRound.organiser,
            AwardRound.description,
            AwardRound.status,
            AwardRound.opens_at,
            AwardRound.closes_at,
            AwardRound.opening_confirmed_at,
            raiseload=True,
        ),
        db.contains_eager(AwardRound.categories),
    )
    .where(
        db.or_(
            AwardRound.year >= db.bindparam("since_year"),
            AwardRound.closes_at > db.bindparam("at"),
        )
    )
    .order_by(AwardRound.closes_at, AwardRound.id, AwardCategory.position, AwardCategory.id)
)


@dataclass(frozen=True, slots=True)
class Card:
    """A category as the page shows it; the texts computed once, in Python."""

    category: AwardCategory
    prize: str
    phd_earliest: str
    documents: str
    nominate_url: str


@dataclass(frozen=True, slots=True)
class Section:
    """A round as the page shows it: its times formatted once for all its categories."""

    round: AwardRound
    state: str
    opens: str
    closes: str
    remaining: str
    cards: list[Card]


def _prize(category: AwardCategory) -> str:
    amount = format_amount(category.prize_amount, category.currency)
    if category.prize_count > 1:
        return f"{category.prize_count} prizes of {amount}"
    return f"1 prize of {amount}"


def _documents(category: AwardCategory) -> str:
    parts = [f"Statement of at most {category.word_limit} words"]
    if category.requires_cv:
        parts.append("CV")
    if category.requires_publications:
        parts.append("publication list")
    letters = category.max_support_letters
    if letters:
        parts.append(f"up to {letters} support letter{'s' if letters != 1 else ''}")
    return ", ".join(parts)


def _section(award_round: AwardRound, state: CallState, at) -> Section:
    is_open = state is CallState.OPEN
    cards = [
        Card(
            category,
            _prize(category),
            format_date(phd_earliest(category)) if category.phd_within_years else "",
            _documents(category),
            url_for("nominate.new", category_id=category.id) if is_open else "",
        )
        for category in award_round.categories
    ]
    return Section(
        award_round,
        state.value,
        format_local(award_round.opens_at),
        format_local(award_round.closes_at),
        humanize_remaining(award_round.closes_at, at) if is_open else "",
        cards,
    )


@bp.route("/calls")
def index():
    """Rounds of this year and last year (and any later one not closed yet), grouped by
    state. A fixed number of queries: rounds with their categories, the visitor's nominations."""
    at = now()
    rounds = (
        db.session.execute(ROUNDS_WITH_CATEGORIES, {"since_year": to_local(at).year - 1, "at": at})
        .unique()
        .scalars()
        .all()
    )
    groups: dict[CallState, list[AwardRound]] = {state: [] for state in CallState}
    for award_round in rounds:
        state = call_state(award_round, at)
        # A round held at its opening time (not confirmed) is not announced as "opens <past
        # date>": it appears once an administrator opens it (workflow.opening).
        held = state is CallState.UPCOMING and award_round.opens_at <= at
        if not held:
            groups[state].append(award_round)
    groups[CallState.UPCOMING].sort(key=lambda r: (r.opens_at, r.id))
    groups[CallState.CLOSED].sort(key=lambda r: (r.closes_at, r.id), reverse=True)

    mine: dict[int, list[tuple[int, str]]] = defaultdict(list)
    category_ids = [c.id for r in rounds for c in r.categories]
    if current_user.is_authenticated and category_ids:
        rows = db.session.execute(
            db.select(Nomination.category_id, Nomination.id, Nomination.status)
            .where(
                Nomination.nominator_id == current_user.id,
                Nomination.category_id.in_(category_ids),
            )
            .order_by(Nomination.updated_at.desc(), Nomination.id.desc())
        ).all()
        round_of = {c.id: r for r in rounds for c in r.categories}
        for category_id, nomination_id, status in rows:
            shown = status_for_nominator(status, round_of[category_id])
            mine[category_id].append((nomination_id, shown))
    sections = {
        state: [_section(award_round, state, at) for award_round in group]
        for state, group in groups.items()
    }
    return render_template(
        "calls/index.html",
        groups=[
            ("Open calls", sections[CallState.OPEN]),
            ("Coming up", sections[CallState.UPCOMING]),
            ("Closed calls", sections[CallState.CLOSED]),
        ],
        mine=mine,
    )
