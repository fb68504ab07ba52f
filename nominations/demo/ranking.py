"""Demo: a category in review whose prize boundary is not robust. Three reviewers score four
nominees so that the normalised ranking, the mean and the median all put the first nominee
first, but without the lenient reviewer's scores the second would win (the ranking page says
so, and lists the nominations worth a discussion)."""

from __future__ import annotations

from nominations.models import (
    AwardCategory,
    Department,
    Nomination,
    NominationStatus,
    Recommendation,
    User,
    db,
)
from nominations.policy import SYSTEM
from nominations.workflow.accounts import create_user
from nominations.workflow.panels import add_member
from nominations.workflow.reviews import ReviewInput, save_review
from nominations.workflow.rubric import category_criteria

# A reviewer whose scores alone keep the winner ahead: (e-mail, name, department index).
LENIENT = ("leif@example.org", "Leif Lenient", 6)
# The fourth nominee of the category (the demo's first three are nominated by past_rounds.py).
FOURTH = ("Oda Lie", "oda.lie@example.org", 4, "Brought the liquid biopsy test to the clinic.")
# Weighted scores (the same on every criterion) by nominee, in the order of the category's
# nominees: the chair, the reviewer (Rita) and Leif. Normalised: the first nominee +0.97, the
# second +0.18; without Leif the second ranks first.
SCORES = {
    "chair": (3, 7, 2, 3),
    "reviewer": (5, 2, 1, 2),
    "lenient": (7, 1, 1, 3),
}


def _recommendation(score: int) -> str:
    if score >= 6:
        return Recommendation.STRONGLY_SUPPORT
    if score >= 4:
        return Recommendation.SUPPORT
    return Recommendation.NEUTRAL if score == 3 else Recommendation.DO_NOT_SUPPORT


def uncertain_boundary(
    category: AwardCategory,
    nominees: list[Nomination],
    panel,
    departments: list[Department],
    users: dict[str, User],
    nominate,
    password: str,
) -> None:
    """Add Leif to the category's panel, a fourth nominee, and everyone's submitted reviews
    (the round's call has closed; ``nominate`` is past_rounds.py's own)."""
    email, name, dept = LENIENT
    leif = create_user(
        email=email,
        name=name,
        password=password,
        department=departments[dept],
        is_reviewer=True,
        actor=SYSTEM,
    )
    add_member(panel, leif, actor=users["admin@example.org"])
    everyone = [*nominees, nominate(category, FOURTH)]
    db.session.flush()
    criteria = category_criteria(category)
    reviewers = {
        "chair": users["chair@example.org"],
        "reviewer": users["reviewer@example.org"],
        "lenient": leif,
    }
    for key, reviewer in reviewers.items():
        for nomination, value in zip(everyone, SCORES[key], strict=True):
            assert nomination.status == NominationStatus.SUBMITTED
            save_review(
                nomination,
                ReviewInput(
                    scores={c.id: value for c in criteria},
                    comment="",
                    recommendation=_recommendation(value),
                ),
                actor=reviewer,
                submit=True,
            )
