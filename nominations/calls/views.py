"""The open calls page: what can be nominated for now, what comes next, what has closed."""

from __future__ import annotations

from collections import defaultdict

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import Row

from nominations.calls import bp
from nominations.calls.listing import nominate_urls, render_list, section
from nominations.models import AwardCategory, AwardRound, Nomination, db
from nominations.timeutil import now, to_local
from nominations.workflow.calls import CallState, call_state
from nominations.workflow.disclosure import status_for_nominator

# Rounds of this year and last year, and any later one not closed yet: one row per category
# with its round's columns, as plain rows (the page needs no objects), in one statement built
# once. Rounds without a category have nothing to show and are left out by the join.
CALL_ROWS = (
    db.select(
        AwardRound.id.label("round_id"),
        AwardRound.name.label("round_name"),
        AwardRound.year,
        AwardRound.organiser,
        AwardRound.description.label("round_description"),
        AwardRound.status,  # with the three times and the confirmation: what call_state reads
        AwardRound.opens_at,
        AwardRound.closes_at,
        AwardRound.opening_confirmed_at,
        AwardCategory.id,
        AwardCategory.name,
        AwardCategory.description,
        AwardCategory.prize_amount,
        AwardCategory.currency,
        AwardCategory.prize_count,
        AwardCategory.funder,
        AwardCategory.eligibility_text,
        AwardCategory.phd_within_years,
        AwardCategory.self_nomination_allowed,
        AwardCategory.department_nomination_allowed,
        AwardCategory.word_limit,
        AwardCategory.requires_cv,
        AwardCategory.requires_publications,
        AwardCategory.max_support_letters,
    )
    .join_from(AwardRound, AwardCategory, AwardCategory.round_id == AwardRound.id)
    .where(
        db.or_(
            AwardRound.year >= db.bindparam("since_year"),
            AwardRound.closes_at > db.bindparam("at"),
        )
    )
    .order_by(AwardRound.closes_at, AwardRound.id, AwardCategory.position, AwardCategory.id)
)


def _own_nominations(rounds: dict[int, list[Row]]) -> dict[int, list[tuple[int, str]]]:
    """The signed-in visitor's nominations per category, with the status they may see."""
    mine: dict[int, list[tuple[int, str]]] = defaultdict(list)
    round_of = {row.id: row for rows in rounds.values() for row in rows}
    if not current_user.is_authenticated or not round_of:
        return mine
    rows = db.session.execute(
        db.select(Nomination.category_id, Nomination.id, Nomination.status)
        .where(
            Nomination.nominator_id == current_user.id,
            Nomination.category_id.in_(list(round_of)),
        )
        .order_by(Nomination.updated_at.desc(), Nomination.id.desc())
    ).all()
    for category_id, nomination_id, status in rows:
        mine[category_id].append(
            (nomination_id, status_for_nominator(status, round_of[category_id]))
        )
    return mine


@bp.route("/calls")
def index():
    """Rounds of this year and last year (and any later one not closed yet), grouped by
    state. A fixed number of queries: rounds with their categories, the visitor's nominations."""
    at = now()
    parameters = {"since_year": to_local(at).year - 1, "at": at}
    rounds: dict[int, list[Row]] = defaultdict(list)  # a round's rows, one per category
    for row in db.session.connection().execute(CALL_ROWS, parameters):
        rounds[row.round_id].append(row)
    groups: dict[CallState, list[list[Row]]] = {state: [] for state in CallState}
    for rows in rounds.values():
        award_round = rows[0]
        state = call_state(award_round, at)  # type: ignore[arg-type]  (a row has its columns)
        # A round held at its opening time (not confirmed) is not announced as "opens <past
        # date>": it appears once an administrator opens it (workflow.opening).
        held = state is CallState.UPCOMING and award_round.opens_at <= at
        if not held:
            groups[state].append(rows)
    groups[CallState.UPCOMING].sort(key=lambda rows: (rows[0].opens_at, rows[0].round_id))
    groups[CallState.CLOSED].sort(
        key=lambda rows: (rows[0].closes_at, rows[0].round_id), reverse=True
    )
    mine = _own_nominations(rounds)
    nominate_url = nominate_urls()
    shown = tuple(
        (heading, tuple(section(rows, state, at, mine, nominate_url) for rows in groups[state]))
        for heading, state in (
            ("Open calls", CallState.OPEN),
            ("Coming up", CallState.UPCOMING),
            ("Closed calls", CallState.CLOSED),
        )
    )
    return render_template("calls/index.html", calls_list=render_list(current_app, shown))
