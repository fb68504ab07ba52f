"""Co-authorship conflicts: the system proposes, the chair (or an administrator) decides.

A proposal is a reviewer and a nomination under review whose nominee share a publication
(one publication row: ``keys.py``) from the last ``coauthor_years`` years before the round's
year (a setting of the round, 5 by default). It is computed from the data whenever it is
shown, never stored: only the answer is (``CoauthorDecision``). Accepting records a conflict
of interest of the declared kind through the conflicts workflow
(``conflicts.record_coauthor_conflict``), so the one assignment rule hides the nomination from
that reviewer everywhere; dismissing keeps the pair from being proposed again. Both need a
reason and are audited.

No proposal is made for a reviewer who has a conflict with the nomination in force already,
and none is shown to the person it is about (an administrator decides those) or to a viewer
who has a conflict with the nomination himself. Only the chair of a panel covering the
category (once the call has closed) and administrators see and decide them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, exists
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from nominations import policy
from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    CoauthorDecision,
    CoauthorOutcome,
    Nomination,
    Publication,
    PublicationHolder,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow import access, assignment, audit
from nominations.workflow.conflicts import MAX_REASON, record_coauthor_conflict
from nominations.workflow.errors import PermissionDenied, WorkflowError
from nominations.workflow.text import clean


@dataclass
class Proposal:
    nomination: Nomination
    reviewer: User
    publications: list[Publication] = field(default_factory=list)


def _shared_publications(award_round: AwardRound, nomination_id: int | None = None):
    """SELECT (Nomination, User, Publication) for each publication a reviewer of the round's
    panels shares with a nominee under review, within the window, for pairs not yet decided
    and not already in conflict."""
    nominee_list = aliased(PublicationHolder)
    reviewer_list = aliased(PublicationHolder)
    statement = (
        assignment.nominations_in_round(Nomination, User, Publication)
        .join(nominee_list, nominee_list.email == Nomination.nominee_email)
        .join(Publication, Publication.id == nominee_list.publication_id)
        .join(reviewer_list, reviewer_list.publication_id == Publication.id)
        .join(User, User.email == reviewer_list.email)
        .where(
            AwardRound.id == award_round.id,
            Nomination.status.in_(list(REVIEWABLE_STATUSES)),
            Nomination.nominee_email != "",
            User.email != Nomination.nominee_email,
            User.is_reviewer.is_(True),
            User.active.is_(True),
            Publication.year >= AwardRound.year - AwardRound.coauthor_years,
            assignment.covering_clause(User.id),
            ~assignment.conflict_clause(User),
            ~exists().where(
                and_(
                    CoauthorDecision.nomination_id == Nomination.id,
                    CoauthorDecision.reviewer_id == User.id,
                )
            ),
        )
        .order_by(
            AwardCategory.position,
            Nomination.nominee_name,
            Nomination.id,
            User.name,
            User.id,
            Publication.year.desc(),
            Publication.id,
        )
    )
    if nomination_id is not None:
        statement = statement.where(Nomination.id == nomination_id)
    return statement


def _grouped(rows) -> list[Proposal]:
    proposals: dict[tuple[int, int], Proposal] = {}
    for nomination, reviewer, publication in rows:
        key = (nomination.id, reviewer.id)
        proposals.setdefault(key, Proposal(nomination, reviewer)).publications.append(publication)
    return list(proposals.values())


def proposals_shown_to(viewer: User, award_round: AwardRound) -> list[Proposal]:
    """The round's open proposals in the categories ``viewer`` oversees (one query for the
    proposals, with the viewer's seats and conflicts read once)."""
    overseen = access.overseen_categories(viewer, award_round)
    own_conflicts = assignment.conflicted_nomination_ids(viewer, award_round)
    rows = db.session.execute(
        _shared_publications(award_round).options(db.contains_eager(Nomination.category))
    ).all()
    return [
        p
        for p in _grouped(rows)
        if (overseen is None or p.nomination.category_id in overseen)
        and p.nomination.id not in own_conflicts
        and p.reviewer.id != viewer.id
    ]


def _open_proposal(nomination: Nomination, reviewer: User) -> Proposal:
    rows = db.session.execute(
        _shared_publications(nomination.category.round, nomination.id).where(User.id == reviewer.id)
    ).all()
    if not rows:
        raise WorkflowError(
            _("This proposal is no longer open (decided already, or the lists changed).")
        )
    return _grouped(rows)[0]


def _checked(nomination: Nomination, reviewer: User, reason: str, actor: User) -> str:
    policy.authorize("coauthor.decide", actor, nomination.category)
    if nomination.category.round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(_("The round's results are published."))
    if reviewer.id == actor.id:
        raise PermissionDenied(_("A proposal about you is decided by an administrator."))
    if assignment.conflicted(actor, nomination):
        raise PermissionDenied(_("You have a conflict of interest with this nomination."))
    reason = clean(reason, multiline=True)
    if not reason:
        raise WorkflowError(_("Give the reason (it is kept in the audit log)."), "reason")
    if len(reason) > MAX_REASON:
        raise WorkflowError(
            _("Keep the reason under %(num)d characters.", num=MAX_REASON), "reason"
        )
    return reason


def decide(
    nomination: Nomination, reviewer: User, *, accept: bool, reason: str, actor: User
) -> CoauthorDecision:
    """Accept (a conflict of interest is recorded) or dismiss the open proposal for the
    pair; changes and flushes, the caller commits."""
    reason = _checked(nomination, reviewer, reason, actor)
    proposal = _open_proposal(nomination, reviewer)
    shared = [f"{p.title} ({p.year})" for p in proposal.publications]
    decision = CoauthorDecision(
        nomination_id=nomination.id,
        reviewer_id=reviewer.id,
        outcome=CoauthorOutcome.ACCEPTED if accept else CoauthorOutcome.DISMISSED,
        reason=reason,
        decided_by_id=actor.id,
        decided_at=now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(decision)
            db.session.flush()
    except IntegrityError:  # decided by someone else a moment ago
        raise WorkflowError(_("This proposal has just been decided by someone else.")) from None
    if accept:
        record_coauthor_conflict(nomination, reviewer, shared=shared, reason=reason, actor=actor)
    audit.record(
        "coauthor.accept" if accept else "coauthor.dismiss",
        decision,
        actor=actor,
        after={
            "nomination_id": nomination.id,
            "reviewer_id": reviewer.id,
            "shared_publications": shared,
            "reason": reason,
        },
        round_id=nomination.category.round_id,
    )
    db.session.flush()
    return decision
