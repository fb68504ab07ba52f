"""The open calls page: what can be nominated for now, what comes next, what has closed."""

from __future__ import annotations

from collections import defaultdict

from flask import get_template_attribute, render_template
from flask_login import current_user

from nominations.calls import bp, listing
from nominations.calls.listing import CallRound
from nominations.models import Nomination, db
from nominations.timeutil import now, to_local
from nominations.workflow.calls import CallState
from nominations.workflow.disclosure import status_for_nominator


@bp.route("/calls")
def index():
    """Rounds of this year and last year (and any later one not closed yet), grouped by
    state. A fixed number of queries: the rounds with their categories, the visitor's
    nominations. Each round's section is kept per content and language (calls.listing)."""
    at = now()
    rounds = listing.current_rounds(at, to_local(at).year)
    groups = listing.grouped(rounds, at)
    fill = {
        "remaining": listing.remaining_filler(rounds, at),
        "mine": _own_nominations_filler(rounds),
    }
    return render_template(
        "calls/index.html",
        open_sections=[listing.section(r, CallState.OPEN, fill) for r in groups[CallState.OPEN]],
        upcoming_sections=[
            listing.section(r, CallState.UPCOMING, fill) for r in groups[CallState.UPCOMING]
        ],
        closed_sections=[
            listing.section(r, CallState.CLOSED, fill) for r in groups[CallState.CLOSED]
        ],
    )


def _own_nominations_filler(rounds: list[CallRound]):
    """The signed-in visitor's nominations in each category shown (one query; none for an
    anonymous visitor), as the HTML each category's card shows."""
    if not current_user.is_authenticated:
        return lambda category_id: ""
    round_of = {c.id: r for r in rounds for c in r.categories}
    mine: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if round_of:
        rows = db.session.execute(
            db.select(Nomination.category_id, Nomination.id, Nomination.status)
            .where(
                Nomination.nominator_id == current_user.id,
                Nomination.category_id.in_(list(round_of)),
            )
            .order_by(Nomination.updated_at.desc(), Nomination.id.desc())
        ).all()
        for category_id, nomination_id, status in rows:
            shown = status_for_nominator(status, round_of[category_id])  # type: ignore[arg-type]
            mine[category_id].append((nomination_id, shown))
    if not mine:
        return lambda category_id: ""
    macro = get_template_attribute("calls/_mine.html", "own_nominations")

    def fill(category_id: int) -> str:
        own = mine.get(category_id)
        return str(macro(own)) if own else ""

    return fill
