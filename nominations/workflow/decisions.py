"""The panel's decision: winners per category, with a citation each.

- Who: the chair of a panel covering the category, or an administrator (for instance when the
  chair has a conflict with a nomination). Nobody changes the decision about a nomination they
  have a conflict of interest with.
- When: once the call has closed, and until the round is published (revisions allowed).
- How many: at most ``category.prize_count`` winners, checked here, on the server.
- Effect: winners become AWARDED and the category's other reviewable nominations NOT_AWARDED;
  when the last winner of a category is removed they go back to SUBMITTED.
- Round: when every category with submitted nominations has at least one winner, the chair
  (or an admin) marks the decisions complete (:func:`complete_decisions`), which moves the round
  to DECIDED. If a later revision leaves a category without a winner, the round goes back to
  CLOSED until the decisions are completed again.
- Every decision, change and removal is audited with before and after.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import ngettext

from nominations import policy
from nominations.languages import localized
from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    Decision,
    Nomination,
    NominationStatus,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow import access, audit
from nominations.workflow.errors import NotFound, PermissionDenied, WorkflowError
from nominations.workflow.text import clean

MAX_CITATION = 1000


def category_decisions(category: AwardCategory) -> list[Decision]:
    """The category's winners, with nomination and decider loaded."""
    return list(
        db.session.execute(
            db.select(Decision)
            .where(Decision.category_id == category.id)
            .options(db.joinedload(Decision.nomination), db.joinedload(Decision.decided_by))
            .order_by(Decision.decided_at, Decision.id)
        ).scalars()
    )


def round_decisions(award_round: AwardRound) -> dict[int, list[Decision]]:
    """Winners per category id of the round (one query)."""
    result: dict[int, list[Decision]] = {c.id: [] for c in award_round.categories}
    for decision in db.session.execute(
        db.select(Decision)
        .join(AwardCategory, AwardCategory.id == Decision.category_id)
        .where(AwardCategory.round_id == award_round.id)
        .options(db.joinedload(Decision.nomination))
        .order_by(Decision.decided_at, Decision.id)
    ).scalars():
        result.setdefault(decision.category_id, []).append(decision)
    return result


def revisable(award_round: AwardRound) -> bool:
    return award_round.status != RoundStatus.PUBLISHED and access.call_closed(award_round)


def _check_may_decide(category: AwardCategory, actor: User) -> None:
    policy.authorize("decision.record", actor, category)
    award_round = category.round
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(_("The results are published; the decisions can no longer change."))
    if not access.call_closed(award_round):
        raise WorkflowError(_("Decisions are made after the call has closed."))


def _winners_snapshot(decisions: list[Decision]) -> list[dict]:
    return [
        {
            "nomination_id": d.nomination_id,
            "nominee": d.nomination.nominee_name,
            "citation": d.citation,
        }
        for d in sorted(decisions, key=lambda d: d.nomination_id)
    ]


def set_winners(
    category: AwardCategory, winners: Mapping[int, str], *, actor: User
) -> list[Decision]:
    """Make ``winners`` ({nomination id: citation}) the category's decision, replacing the
    previous one; at most ``category.prize_count`` winners."""
    _check_may_decide(category, actor)
    award_round = category.round
    if len(winners) > category.prize_count:
        raise WorkflowError(
            ngettext(
                "%(category)s has %(num)d prize: choose at most %(num)d winner.",
                "%(category)s has %(num)d prizes: choose at most %(num)d winners.",
                category.prize_count,
                category=localized(category, "name"),
            ),
            "nomination_id",
        )
    nominations = {
        n.id: n
        for n in db.session.execute(
            db.select(Nomination).where(
                Nomination.category_id == category.id,
                Nomination.status.in_(list(REVIEWABLE_STATUSES)),
            )
        ).scalars()
    }
    cleaned: dict[int, str] = {}
    for nomination_id, citation in winners.items():
        if nomination_id not in nominations:
            raise WorkflowError(
                _("Choose a submitted nomination of this category."), "nomination_id"
            )
        citation = clean(citation, multiline=True)
        if not citation:
            raise WorkflowError(_("Write a short citation for each winner."), "citation")
        if len(citation) > MAX_CITATION:
            raise WorkflowError(
                _("Keep the citation under %(num)d characters.", num=MAX_CITATION), "citation"
            )
        cleaned[nomination_id] = citation

    existing = {d.nomination_id: d for d in category_decisions(category)}
    touched = (set(existing) ^ set(cleaned)) | {
        nid for nid in set(existing) & set(cleaned) if existing[nid].citation != cleaned[nid]
    }
    for nomination_id in touched:
        nomination = nominations.get(nomination_id) or existing[nomination_id].nomination
        if access.has_conflict(actor, nomination):
            raise PermissionDenied(
                _(
                    "You have a conflict of interest with %(nominee)s: an administrator or "
                    "another chair records this decision.",
                    nominee=nomination.nominee_name,
                ),
                "nomination_id",
            )
    if not touched:
        return list(existing.values())

    before = _winners_snapshot(list(existing.values()))
    stamp = now()
    for nomination_id, decision in existing.items():
        if nomination_id not in cleaned:
            audit.record(
                "decision.delete",
                decision,
                actor=actor,
                before={"nomination_id": nomination_id, "citation": decision.citation},
                round_id=award_round.id,
            )
            db.session.delete(decision)
        elif decision.citation != cleaned[nomination_id]:
            audit.record(
                "decision.update",
                decision,
                actor=actor,
                before={"citation": decision.citation},
                after={"citation": cleaned[nomination_id]},
                round_id=award_round.id,
            )
            decision.citation = cleaned[nomination_id]
            decision.decided_by_id, decision.decided_at = actor.id, stamp
    for nomination_id, citation in cleaned.items():
        if nomination_id not in existing:
            decision = Decision(
                category_id=category.id,
                nomination_id=nomination_id,
                citation=citation,
                decided_by_id=actor.id,
                decided_at=stamp,
            )
            db.session.add(decision)
            db.session.flush()
            audit.record(
                "decision.create",
                decision,
                actor=actor,
                after={"nomination_id": nomination_id, "citation": citation},
                round_id=award_round.id,
            )

    changed_status = []
    for nomination in nominations.values():
        if not cleaned:
            status = NominationStatus.SUBMITTED
        elif nomination.id in cleaned:
            status = NominationStatus.AWARDED
        else:
            status = NominationStatus.NOT_AWARDED
        if nomination.status != status:
            changed_status.append((nomination.id, nomination.status, status.value))
            nomination.status = status
    db.session.flush()
    decisions = category_decisions(category)
    audit.record(
        "category.decide",
        category,
        actor=actor,
        before={"winners": before},
        after={
            "winners": _winners_snapshot(decisions),
            "statuses": [{"nomination_id": i, "from": a, "to": b} for i, a, b in changed_status],
        },
        round_id=award_round.id,
    )
    if not cleaned and award_round.status == RoundStatus.DECIDED:
        award_round.status = RoundStatus.CLOSED
        audit.record(
            "round.decisions_reopened",
            award_round,
            actor=actor,
            before={"status": RoundStatus.DECIDED.value},
            after={"status": RoundStatus.CLOSED.value, "category_id": category.id},
            round_id=award_round.id,
        )
    db.session.flush()
    return decisions


def award_prize(nomination: Nomination, citation: str, *, actor: User) -> Decision:
    """Add ``nomination`` to its category's winners (within the prize count)."""
    category = nomination.category
    current = {d.nomination_id: d.citation for d in category_decisions(category)}
    if nomination.id in current:
        raise WorkflowError(
            _("%(nominee)s is already a winner.", nominee=nomination.nominee_name), "nomination_id"
        )
    decisions = set_winners(category, {**current, nomination.id: citation}, actor=actor)
    return next(d for d in decisions if d.nomination_id == nomination.id)


def update_citation(decision: Decision, citation: str, *, actor: User) -> Decision:
    category = decision.category
    current = {d.nomination_id: d.citation for d in category_decisions(category)}
    decisions = set_winners(category, {**current, decision.nomination_id: citation}, actor=actor)
    return next(d for d in decisions if d.nomination_id == decision.nomination_id)


def revoke_prize(decision: Decision, *, actor: User) -> None:
    category = decision.category
    current = {
        d.nomination_id: d.citation
        for d in category_decisions(category)
        if d.nomination_id != decision.nomination_id
    }
    set_winners(category, current, actor=actor)


def undecided_categories(award_round: AwardRound) -> list[AwardCategory]:
    """Categories with submitted nominations but no winner yet (two queries)."""
    with_nominations = set(
        db.session.execute(
            db.select(Nomination.category_id)
            .join(AwardCategory, AwardCategory.id == Nomination.category_id)
            .where(
                AwardCategory.round_id == award_round.id,
                Nomination.status.in_(list(REVIEWABLE_STATUSES)),
            )
            .distinct()
        ).scalars()
    )
    decided = {cid for cid, winners in round_decisions(award_round).items() if winners}
    return [c for c in award_round.categories if c.id in with_nominations and c.id not in decided]


def complete_decisions(award_round: AwardRound, *, actor: User) -> AwardRound:
    """The chair declares the round's decisions complete: the round becomes DECIDED."""
    policy.authorize("round.complete", actor, award_round)
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(_("The results are already published."))
    if award_round.status == RoundStatus.DECIDED:
        raise WorkflowError(_("The decisions are already marked complete."))
    # A round still marked draft or open has closed when its closing time has passed: the
    # clock decides, not whether the scheduler has moved the status yet.
    if not access.call_closed(award_round):
        raise WorkflowError(_("Decisions are made after the call has closed."))
    missing = undecided_categories(award_round)
    if missing:
        raise WorkflowError(
            _(
                "These categories have no winner yet: %(categories)s.",
                categories=", ".join(localized(c, "name") for c in missing),
            )
        )
    before = award_round.status
    award_round.status = RoundStatus.DECIDED
    audit.record(
        "round.decide",
        award_round,
        actor=actor,
        before={"status": before},
        after={"status": RoundStatus.DECIDED.value},
        round_id=award_round.id,
    )
    db.session.flush()
    return award_round


def get_decision(decision_id: int) -> Decision:
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(_("No such decision."))
    return decision
