"""The open calls page: what can be nominated for now, what comes next, what has closed."""

from __future__ import annotations

from collections import defaultdict

from flask import get_template_attribute, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from nominations.calls import bp, listing
from nominations.calls.listing import CallRound
from nominations.languages import current_language
from nominations.models import Nomination, db
from nominations.timeutil import now, to_local
from nominations.workflow.calls import CallState
from nominations.workflow.disclosure import status_for_nominator


@bp.route("/calls")
def index():
    """Rounds of this year and last year (and any later one not closed yet), grouped by
    state. A fixed number of queries: the rounds with their categories, the visitor's
    nominations. Each round's section is kept per content and language, and for anonymous
    visitors the whole page (calls.listing); what differs per visitor or moment is filled in."""
    at = now()
    current = listing.current(at, to_local(at).year)
    groups = listing.grouped(current.rounds, at)
    language = current_language()
    remaining = listing.remaining_filler(current, at, language)
    if _same_for_every_anonymous_visitor():
        key = (
            language,
            request.script_root,
            request.full_path,
            tuple((state, tuple(r.id for r in rounds)) for state, rounds in groups.items()),
        )
        parts = current.page(key, lambda: _kept_page(groups, language))
        fillers = {"remaining": remaining, "mine": _nothing, "csrf": _csrf_token}
        return str(listing.fill(parts, fillers))
    fillers = {"remaining": remaining, "mine": _own_nominations_filler(current.rounds)}
    return _page(groups, lambda r, state: listing.section(r, state, language, fillers))


def _same_for_every_anonymous_visitor() -> bool:
    """An anonymous visitor with nothing flashed: the page differs from another such
    visitor's only in its slots (the CSRF token of the language switch, the time left)."""
    return "_flashes" not in session and not current_user.is_authenticated


def _kept_page(groups, language: str) -> str:
    return _page(
        groups,
        lambda r, state: listing.marked_section(r, state, language),
        csrf_token=lambda: listing.slot("csrf"),  # before Flask-WTF's: the caller's wins
    )


def _page(groups, section, **context) -> str:
    return render_template(
        "calls/index.html",
        open_sections=[section(r, CallState.OPEN) for r in groups[CallState.OPEN]],
        upcoming_sections=[section(r, CallState.UPCOMING) for r in groups[CallState.UPCOMING]],
        closed_sections=[section(r, CallState.CLOSED) for r in groups[CallState.CLOSED]],
        **context,
    )


def _nothing(ident: int) -> str:
    return ""


def _csrf_token(ident: int) -> str:
    return str(escape(generate_csrf()))


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
