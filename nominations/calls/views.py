"""The open calls page: what can be nominated for now, what comes next, what has closed."""

from __future__ import annotations

from collections import defaultdict

from flask import render_template
from flask_login import current_user

from nominations.calls import bp
from nominations.models import AwardRound, Nomination, db
from nominations.timeutil import now, to_local
from nominations.workflow.calls import CallState, call_state
from nominations.workflow.disclosure import status_for_nominator
from nominations.workflow.nominations.rules import phd_earliest


@bp.route("/calls")
def index():
    """Rounds of this year and last year (and any later one not closed yet), grouped by
    state. A fixed number of queries: rounds, their categories, the visitor's nominations."""
    at = now()
    this_year = to_local(at).year
    rounds = (
        db.session.execute(
            db.select(AwardRound)
            .options(db.selectinload(AwardRound.categories))
            .where(db.or_(AwardRound.year >= this_year - 1, AwardRound.closes_at > at))
            .order_by(AwardRound.closes_at, AwardRound.id)
        )
        .scalars()
        .all()
    )
    groups: dict[CallState, list[AwardRound]] = {state: [] for state in CallState}
    for award_round in rounds:
        state = call_state(award_round, at)
        # A round held at its opening time (not confirmed) is not announced as "opens <past
        # date>": it appears once an administrator opens it (workflow.opening).
        held = state is CallState.UPCOMING and award_round.opens_at <= at
        if award_round.categories and not held:
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
    return render_template(
        "calls/index.html",
        open_rounds=groups[CallState.OPEN],
        upcoming_rounds=groups[CallState.UPCOMING],
        closed_rounds=groups[CallState.CLOSED],
        mine=mine,
        at=at,
        phd_earliest=phd_earliest,
    )
