"""Who may see what. Every view and export asks here; nothing else decides visibility.

The rules, in one place:

- **Admins** see every nomination. **Nominators** see their own.
- A **panel member** (a user with the reviewer role on a panel of the nomination's round whose
  category is the nomination's one, or None for all categories) sees a nomination only once
  the call has closed (by the clock, :func:`nominations.workflow.calls.call_state`), only when
  it was submitted and not taken out (``REVIEWABLE_STATUSES``), and never when they have a
  conflict of interest with it.
- A **conflict** (declared, or automatic: nominee, nominator, same department) and what a
  panel member owes are defined once, in ``workflow/assignment.py``; the predicates here and
  the SQL helpers below ask it. The rule is evaluated from the data, so visibility never
  depends on the stored automatic conflicts having been synced.
- **Reviews and scores**: nominators never see them. The chair of a panel covering the category
  and admins see all reviews (unless conflicted). Other panel members see other reviewers'
  reviews per the round's ``blind_mode``: never / after submitting their own / always.
- **Ranking, progress, conflicts list and decisions**: the chair of a covering panel (once the
  call has closed) and admins. The round's overview pages (progress, conflicts, decisions)
  are open to any chair of the round, but show a chair only the categories their panels
  cover (:func:`overseen_categories`); admins see every category.

The SQL helpers (``visible_nominations_query``, ``panel_visibility_clause``) express the same
rule as a WHERE clause so that list pages and exports need no per-row checks.

A page asks several rules that rest on the same facts (``review.read`` and ``review.write``
both ask whether the user owes a review; each chair rule reads his panel seats). During a GET,
which never writes, each fact is read once per request (:func:`_once_per_request`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from flask import g, has_request_context, request
from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, true

from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    BlindMode,
    ConflictOfInterest,
    Nomination,
    Panel,
    PanelMember,
    PanelRole,
    Review,
    ReviewStatus,
    User,
    db,
)
from nominations.workflow import assignment
from nominations.workflow.calls import CallState, call_state

T = TypeVar("T")
_READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


def _once_per_request(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, remembered for the rest of a GET request (which never writes, so the facts
    cannot change under it); read afresh everywhere else: a POST, a job, the CLI, a test."""
    if not has_request_context() or request.method not in _READ_ONLY_METHODS:
        return read()
    # Kept beside the request they belong to: ``g`` outlives a request when an app context
    # is held open around several (as the tests do).
    this_request = request._get_current_object()
    stored = g.get("access_facts")
    if stored is None or stored[0] is not this_request:
        stored = g.access_facts = (this_request, {})
    facts = stored[1]
    if key not in facts:
        facts[key] = read()
    return facts[key]


# --------------------------------------------------------------------------------------------
# Nominators and admins (unchanged rules)


def can_edit_nomination(user: User, nomination: Nomination) -> bool:
    """Only the nominator edits a nomination (the workflow checks the deadline and status)."""
    return user.is_authenticated and nomination.nominator_id == user.id


def can_view_nomination(user: User, nomination: Nomination) -> bool:
    """Admins see every nomination; a nominator sees their own; panel members per the panel
    rule (:func:`panel_can_view`). Attachments follow the same rule."""
    if not user.is_authenticated:
        return False
    if user.is_admin or nomination.nominator_id == user.id:
        return True
    return panel_can_view(user, nomination)


def can_read_letters(user: User, nomination: Nomination) -> bool:
    """Referee letters: administrators and the panel (:func:`panel_can_view`: never with a
    conflict), never the nominator, who learns only whether each letter has come."""
    if not user.is_authenticated or nomination.nominator_id == user.id:
        return False
    return bool(user.is_admin) or panel_can_view(user, nomination)


# --------------------------------------------------------------------------------------------
# Panels


def call_closed(award_round: AwardRound, at: datetime | None = None) -> bool:
    return call_state(award_round, at) is CallState.CLOSED


def _covers(panel_category_id: int | None, category_id: int) -> bool:
    return panel_category_id is None or panel_category_id == category_id


def _is_reviewer(user: User) -> bool:
    return bool(user.is_authenticated and user.is_reviewer and user.active)


def memberships(user: User, award_round: AwardRound) -> list[tuple[int | None, str]]:
    """(panel category id or None, role) for each panel of the round the user sits on."""
    if not user.is_authenticated:
        return []

    def read() -> list[tuple[int | None, str]]:
        rows = db.session.execute(
            db.select(Panel.category_id, PanelMember.role)
            .join(PanelMember.panel)
            .where(Panel.round_id == award_round.id, PanelMember.user_id == user.id)
        ).all()
        return [(category_id, role) for category_id, role in rows]

    return _once_per_request(("memberships", user.id, award_round.id), read)


def is_panel_member(user: User, category: AwardCategory) -> bool:
    """Sits (as member or chair) on a panel covering the category, with the reviewer role."""
    if not _is_reviewer(user):
        return False
    return any(_covers(c, category.id) for c, _ in memberships(user, category.round))


def is_chair(user: User, award_round: AwardRound) -> bool:
    """Chairs a panel of the round (any category)."""
    if not _is_reviewer(user):
        return False
    return any(role == PanelRole.CHAIR for _, role in memberships(user, award_round))


def is_chair_for(user: User, category: AwardCategory) -> bool:
    """Chairs a panel of the category's round that covers the category."""
    if not _is_reviewer(user):
        return False
    return any(
        role == PanelRole.CHAIR and _covers(c, category.id)
        for c, role in memberships(user, category.round)
    )


def covering_members(category: AwardCategory) -> set[int]:
    """Ids of the reviewers (active, with the reviewer role) on panels covering the category."""
    return set(
        db.session.execute(
            db.select(PanelMember.user_id)
            .join(Panel, Panel.id == PanelMember.panel_id)
            .join(User, User.id == PanelMember.user_id)
            .where(
                Panel.round_id == category.round_id,
                or_(Panel.category_id.is_(None), Panel.category_id == category.id),
                User.is_reviewer.is_(True),
                User.active.is_(True),
            )
        ).scalars()
    )


# --------------------------------------------------------------------------------------------
# Conflicts of interest (the rule itself is in ``workflow/assignment.py``)


def conflict_row(user: User, nomination: Nomination) -> ConflictOfInterest | None:
    return db.session.execute(
        db.select(ConflictOfInterest).where(
            ConflictOfInterest.nomination_id == nomination.id,
            ConflictOfInterest.reviewer_id == user.id,
        )
    ).scalar_one_or_none()


def has_conflict(user: User, nomination: Nomination) -> bool:
    return _once_per_request(
        ("conflicted", user.id, nomination.id), lambda: assignment.conflicted(user, nomination)
    )


# --------------------------------------------------------------------------------------------
# What a panel member sees


def panel_can_view(user: User, nomination: Nomination, at: datetime | None = None) -> bool:
    """The panel rule: the user owes the nomination a review (``assignment.owes``: covering
    panel, call closed, submitted, no conflict in force)."""
    if not _is_reviewer(user) or nomination.status not in REVIEWABLE_STATUSES:
        return False
    if at is not None:
        return assignment.owes(user, nomination, at)
    return _once_per_request(
        ("owes", user.id, nomination.id), lambda: assignment.owes(user, nomination)
    )


def own_review_submitted(user: User, nomination: Nomination) -> bool:
    def read() -> bool:
        statement = db.select(Review.id).where(
            Review.nomination_id == nomination.id,
            Review.reviewer_id == user.id,
            Review.status == ReviewStatus.SUBMITTED,
        )
        return db.session.execute(statement).first() is not None

    return _once_per_request(("own review submitted", user.id, nomination.id), read)


def can_view_reviews(user: User, nomination: Nomination) -> bool:
    """May ``user`` see the other reviewers' reviews and scores of ``nomination``?

    (A panel member always sees their own review.) Nominators never do; anyone with a
    conflict in force never does; admins and the chair of a covering panel do; other panel
    members per the round's blind mode.
    """
    if not user.is_authenticated or nomination.nominator_id == user.id:
        return False
    if has_conflict(user, nomination):
        return False
    if user.is_admin:
        return True
    if not panel_can_view(user, nomination):
        return False
    if is_chair_for(user, nomination.category):
        return True
    mode = nomination.category.round.blind_mode
    if mode == BlindMode.ALWAYS:
        return True
    if mode == BlindMode.AFTER_OWN:
        return own_review_submitted(user, nomination)
    return False


def can_review(user: User, nomination: Nomination) -> bool:
    """May ``user`` write a review of ``nomination`` (deadlines are the workflow's business)?"""
    return panel_can_view(user, nomination)


def can_view_ranking(user: User, category: AwardCategory) -> bool:
    """Admins, and the chair of a panel covering the category once the call has closed."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return is_chair_for(user, category) and call_closed(category.round)


def can_view_progress(user: User, award_round: AwardRound) -> bool:
    """Admins, and a chair of the round once the call has closed (also: the conflicts list)."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return is_chair(user, award_round) and call_closed(award_round)


def overseen_categories(user: User, award_round: AwardRound) -> set[int] | None:
    """The categories of the round whose progress, conflicts and decisions ``user`` may see
    on the round's overview pages: None for all of them (admins, and the chair of a panel
    covering every category), else the ids of the categories the panels they chair cover."""
    if user.is_authenticated and user.is_admin:
        return None
    if not _is_reviewer(user):
        return set()
    ids: set[int] = set()
    for category_id, role in memberships(user, award_round):
        if role == PanelRole.CHAIR:
            if category_id is None:
                return None
            ids.add(category_id)
    return ids


def can_decide(user: User, category: AwardCategory) -> bool:
    """Who records winners: the chair of a covering panel, and admins (e.g. when the chair has
    a conflict). The workflow adds the time and conflict rules."""
    if not user.is_authenticated:
        return False
    return bool(user.is_admin or is_chair_for(user, category))


# --------------------------------------------------------------------------------------------
# The same rules as SQL, for lists and exports


def call_closed_clause(at: datetime | None = None) -> ColumnElement[bool]:
    """SQL twin of ``call_state(round) is CLOSED`` (needs AwardRound in the FROM clause)."""
    return assignment.call_closed_clause(at)


def covering_panel_clause(user_id: int) -> ColumnElement[bool]:
    """SQL: the user sits on a panel of the round covering the Nomination's category."""
    return assignment.covering_clause(user_id)


def conflict_clause(user: User) -> ColumnElement[bool]:
    """SQL: a conflict of ``user`` with the Nomination row is in force (needs AwardRound in
    the FROM clause); see ``assignment.conflict_clause``."""
    return assignment.conflict_clause(user)


def panel_visibility_clause(user: User, at: datetime | None = None) -> ColumnElement[bool]:
    """SQL: the panel rule for ``user`` (needs Nomination, AwardCategory and AwardRound)."""
    if not _is_reviewer(user):
        return false()
    return assignment.owes_clause(user, at)


def progress_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of :func:`can_view_progress` (needs AwardRound in the FROM clause)."""
    if not user.is_authenticated:
        return false()
    if user.is_admin:
        return true()
    if not _is_reviewer(user):
        return false()
    chairs = exists().where(
        PanelMember.user_id == user.id,
        PanelMember.role == PanelRole.CHAIR,
        Panel.id == PanelMember.panel_id,
        Panel.round_id == AwardRound.id,
    )
    return and_(chairs, call_closed_clause())


def visibility_clause(user: User, at: datetime | None = None) -> ColumnElement[bool]:
    """SQL twin of :func:`can_view_nomination`."""
    if not user.is_authenticated:
        return false()
    if user.is_admin:
        return true()
    return or_(Nomination.nominator_id == user.id, panel_visibility_clause(user, at))


def letters_clause(user: User, at: datetime | None = None) -> ColumnElement[bool]:
    """SQL twin of :func:`can_read_letters` (needs Nomination, AwardCategory, AwardRound)."""
    if not user.is_authenticated:
        return false()
    readers = true() if user.is_admin else panel_visibility_clause(user, at)
    return and_(Nomination.nominator_id != user.id, readers)


def visible_nominations_query(
    user: User,
    category: AwardCategory | None = None,
    *,
    award_round: AwardRound | None = None,
    panel_only: bool = False,
    at: datetime | None = None,
) -> Select:
    """Nominations ``user`` may see, in one query: optionally of one category or round.

    ``panel_only`` applies the panel rule alone (what a reviewer reviews), without the
    nominator's own ones and without the admin's view of everything. Ordered by nominee name.
    The statement selects Nomination and joins AwardCategory and AwardRound, so callers can
    add filters on them.
    """
    statement = (
        db.select(Nomination)
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .join(AwardRound, AwardRound.id == AwardCategory.round_id)
        .order_by(Nomination.nominee_name, Nomination.id)
    )
    if panel_only:
        statement = statement.where(panel_visibility_clause(user, at))
    else:
        statement = statement.where(visibility_clause(user, at))
    if category is not None:
        statement = statement.where(Nomination.category_id == category.id)
    if award_round is not None:
        statement = statement.where(AwardCategory.round_id == award_round.id)
    return statement
