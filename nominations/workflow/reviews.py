"""Reviews: a score per criterion, a comment and a recommendation, saved as a draft or
submitted; editable until the round's review deadline (checked against ``now()`` on the
server), then locked.

The weighted total of a review is sum(weight x score) / sum(weight) over the category's
criteria; it stays on the criteria's scale (e.g. 1-7). A submitted review stays submitted when
it is changed (every score is then required again); it cannot go back to a draft.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nominations import policy
from nominations.languages import localized
from nominations.models import (
    AwardRound,
    Criterion,
    Nomination,
    Recommendation,
    Review,
    ReviewScore,
    ReviewStatus,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import format_local, now
from nominations.workflow import access, assignment, audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.rubric import category_criteria
from nominations.workflow.text import clean

# Shown in the reader's language (lazy: translated when shown).
RECOMMENDATION_LABELS: dict[str, str] = {
    Recommendation.STRONGLY_SUPPORT.value: _l("Strongly support"),
    Recommendation.SUPPORT.value: _l("Support"),
    Recommendation.NEUTRAL.value: _l("Neutral"),
    Recommendation.DO_NOT_SUPPORT.value: _l("Do not support"),
}
MAX_COMMENT = 5000


@dataclass
class ReviewInput:
    """What the reviewer entered: scores by criterion id (None: not scored yet)."""

    scores: Mapping[int, int | None] = field(default_factory=dict)
    comment: str = ""
    recommendation: str | None = None


class Weighted(Protocol):
    """A criterion as the weighted total needs it: a Criterion, or the ranking's plain copy."""

    @property
    def id(self) -> int: ...

    @property
    def weight(self) -> float: ...


def weighted_total(scores: Mapping[int, int | None], criteria: Iterable[Weighted]) -> float | None:
    """sum(weight x score) / sum(weight) over the criteria; None unless every one is scored.

    The one definition on the server: the review pages and the ranking use it (the review
    form's live total, nominations/static/js/review.js, mirrors it in the browser)."""
    criteria = list(criteria)
    return weighted_mean([scores.get(c.id) for c in criteria], [c.weight for c in criteria])


def weighted_mean(scores: Sequence[int | None], weights: Sequence[float]) -> float | None:
    """``weighted_total`` over scores given in the order of the criteria's weights (the
    ranking's 12 000 reviews at once, without a dict each)."""
    total = weight_sum = 0.0
    for score, weight in zip(scores, weights, strict=True):
        if score is None:
            return None
        total += weight * score
        weight_sum += weight
    return total / weight_sum if weight_sum else None


def review_scores(review: Review) -> dict[int, int]:
    return {s.criterion_id: s.score for s in review.scores}


def lock_reason(award_round: AwardRound) -> str | None:
    """Why reviews of the round can no longer change (None: they can)."""
    if award_round.status in (RoundStatus.DECIDED, RoundStatus.PUBLISHED):
        return _("The panel's decisions are made; reviews are locked.")
    if now() >= award_round.review_deadline:
        return _(
            "The review deadline passed (%(when)s); reviews are locked.",
            when=format_local(award_round.review_deadline),
        )
    return None


def get_review(nomination: Nomination, reviewer: User) -> Review | None:
    return (
        db.session.execute(
            db.select(Review)
            .where(Review.nomination_id == nomination.id, Review.reviewer_id == reviewer.id)
            .options(db.joinedload(Review.scores))
        )
        .unique()
        .scalar_one_or_none()
    )


def _snapshot(review: Review, criteria: list[Criterion]) -> dict:
    names = {c.id: c.name for c in criteria}
    return {
        "status": review.status,
        "recommendation": review.recommendation,
        "comment": review.comment,
        "scores": {names.get(s.criterion_id, str(s.criterion_id)): s.score for s in review.scores},
    }


def _validate(data: ReviewInput, criteria: list[Criterion], complete: bool) -> dict[int, int]:
    if not criteria:
        raise WorkflowError(_("This category has no rubric yet; ask an administrator."))
    by_id = {c.id: c for c in criteria}
    unknown = set(data.scores) - set(by_id)
    if unknown:
        raise WorkflowError(_("The rubric has changed; reload the page and score again."))
    scores: dict[int, int] = {}
    for criterion in criteria:
        value = data.scores.get(criterion.id)
        if value is None:
            if complete:
                raise WorkflowError(
                    _(
                        "Score %(criterion)s before submitting.",
                        criterion=localized(criterion, "name"),
                    ),
                    f"score_{criterion.id}",
                )
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise WorkflowError(_("Enter a whole number."), f"score_{criterion.id}")
        if not criterion.scale_min <= value <= criterion.scale_max:
            raise WorkflowError(
                _(
                    "Score %(criterion)s from %(low)d to %(high)d.",
                    criterion=localized(criterion, "name"),
                    low=criterion.scale_min,
                    high=criterion.scale_max,
                ),
                f"score_{criterion.id}",
            )
        scores[criterion.id] = value
    if data.recommendation and data.recommendation not in RECOMMENDATION_LABELS:
        raise WorkflowError(_("Choose a recommendation from the list."), "recommendation")
    if complete and not data.recommendation:
        raise WorkflowError(_("Give your recommendation before submitting."), "recommendation")
    if len(clean(data.comment, multiline=True)) > MAX_COMMENT:
        raise WorkflowError(
            _("Keep the comment under %(num)d characters.", num=MAX_COMMENT), "comment"
        )
    return scores


def save_review(
    nomination: Nomination, data: ReviewInput, *, actor: User, submit: bool = False
) -> Review:
    """Save the reviewer's draft, or submit it (``submit=True``: every score required).

    Changing a submitted review keeps it submitted, so it must stay complete.
    """
    policy.authorize("review.read", actor, nomination)  # for anyone else: no such nomination
    policy.authorize("review.write", actor, nomination)
    award_round = nomination.category.round
    reason = lock_reason(award_round)
    if reason:
        raise WorkflowError(reason)
    criteria = category_criteria(nomination.category)
    review = get_review(nomination, actor)
    already_submitted = review is not None and review.status == ReviewStatus.SUBMITTED
    scores = _validate(data, criteria, complete=submit or already_submitted)

    before = _snapshot(review, criteria) if review is not None else None
    if review is None:
        review = Review(nomination_id=nomination.id, reviewer_id=actor.id, scores=[])
        db.session.add(review)
    existing = {s.criterion_id: s for s in review.scores}
    for criterion_id, row in existing.items():
        if criterion_id not in scores:
            review.scores.remove(row)
    for criterion_id, value in scores.items():
        if criterion_id in existing:
            existing[criterion_id].score = value
        else:
            review.scores.append(ReviewScore(criterion_id=criterion_id, score=value))
    review.comment = clean(data.comment, multiline=True)
    review.recommendation = data.recommendation or None
    if submit and not already_submitted:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = now()
        action = "review.submit"
    elif already_submitted:
        action = "review.update"
    else:
        action = "review.save_draft"
    db.session.flush()
    after = _snapshot(review, criteria)
    if before is not None:
        old, new = audit.changed(before, after)
    else:
        old, new = None, after
    if new:  # saved unchanged, its last change stays where it was
        review.updated_at = now()
    if new or action == "review.submit":
        audit.record(
            action,
            review,
            actor=actor,
            before=old,
            after=(new or {}) | {"nomination_id": nomination.id},
            round_id=award_round.id,
        )
    db.session.flush()
    return review


def visible_other_reviews(nomination: Nomination, viewer: User) -> list[Review]:
    """The other reviewers' submitted reviews ``viewer`` may see (empty per the blind rule),
    leaving out reviewers who have a conflict in force or are no longer on a covering panel."""
    if not access.can_view_reviews(viewer, nomination):
        return []
    category = nomination.category
    owing = (
        assignment.assignments(category.round, category_id=category.id)
        .with_only_columns(User.id)
        .where(Nomination.id == nomination.id)
    )
    return list(
        db.session.execute(
            db.select(Review)
            .where(
                Review.nomination_id == nomination.id,
                Review.reviewer_id != viewer.id,
                Review.status == ReviewStatus.SUBMITTED,
                Review.reviewer_id.in_(owing),
            )
            .options(db.joinedload(Review.scores), db.joinedload(Review.reviewer))
            .order_by(Review.submitted_at, Review.id)
        )
        .unique()
        .scalars()
    )


def own_reviews(reviewer: User, nomination_ids: Iterable[int]) -> dict[int, Review]:
    """The reviewer's own reviews (draft or submitted) of these nominations, by nomination id,
    with their scores loaded (one query)."""
    ids = list(nomination_ids)
    if not ids:
        return {}
    return {
        review.nomination_id: review
        for review in db.session.execute(
            db.select(Review)
            .where(Review.reviewer_id == reviewer.id, Review.nomination_id.in_(ids))
            .options(db.selectinload(Review.scores))
        ).scalars()
    }
