"""Builders for the review tests: a round whose call has closed, its panel and nominations.

Nominations are written directly (``factories.nomination``: submitted, with submitted_at),
not through the nomination forms, which have tests of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, g, has_app_context
from werkzeug.security import generate_password_hash

from nominations.models import (
    AwardCategory,
    AwardRound,
    Nomination,
    NominationStatus,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow.panels import add_member, create_panel
from nominations.workflow.reviews import ReviewInput, save_review
from nominations.workflow.rubric import category_criteria
from tests import factories
from tests.conftest import Client


class Browser(Client):
    """One user's browser. The tests keep one app context open for the whole test, and a
    request reuses it, so what a request caches in ``g`` (Flask-Login's user, Flask-WTF's
    CSRF token) would leak from one browser's request into the next one's; start each
    request with an empty ``g``, as a real request would."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)


def browser(app: Flask, email: str | None = None) -> Browser:
    app.test_client_class = Browser
    new = app.test_client()
    if email:
        new.login(email)
    return new


# One cheap hash for every test user: logging in a dozen browsers stays fast.
FAST_HASH = generate_password_hash(factories.PASSWORD, method="pbkdf2:sha256:1")


def user(email: str, name: str, roles: tuple[str, ...] = ("staff",), dept=None) -> User:
    """A user stored directly (what accounts.create_user stores, with a cheap hash)."""
    person = User(
        email=email,
        name=name,
        password_hash=FAST_HASH,
        department=dept,
        is_staff="staff" in roles,
        is_reviewer="reviewer" in roles,
        is_admin="admin" in roles,
        active=True,
    )
    db.session.add(person)
    db.session.commit()
    return person


def make_nomination(
    category: AwardCategory,
    nominator: User,
    name: str,
    *,
    email: str | None = None,
    status: str = NominationStatus.SUBMITTED,
    department=None,
) -> Nomination:
    """``factories.nomination`` with the review tests' defaults: the nominee's e-mail made
    from the first name (automatic conflicts and duplicates are matched by e-mail)."""
    return factories.nomination(
        category,
        nominator,
        name,
        email if email is not None else name.split()[0].lower() + "@example.org",
        status=status,
        department=department,
        statement=f"Why {name} deserves it.",
    )


@dataclass
class World:
    award_round: AwardRound
    category: AwardCategory
    admin: User
    nominator: User
    reviewer: User
    outsider: User
    conflicted: User
    chair: User
    nominations: dict[str, Nomination] = field(default_factory=dict)

    @property
    def target(self) -> Nomination:
        """Submitted; the conflicted reviewer is its nominee (an automatic conflict)."""
        return self.nominations["target"]


def closed_round(
    *,
    closes_at: datetime | None = None,
    review_deadline: datetime | None = None,
    **extra,
) -> AwardRound:
    """A round opened 30 days ago whose call closed an hour ago (unless told otherwise)."""
    current = now()
    closes_at = closes_at or current - timedelta(hours=1)
    award_round = factories.award_round(
        opens_at=closes_at - timedelta(days=30),
        closes_at=closes_at,
        review_deadline=review_deadline or closes_at + timedelta(days=14),
        **extra,
    )
    award_round.status = RoundStatus.OPEN  # the scheduler's job elsewhere; the clock decides
    db.session.commit()
    return award_round


def world(*, prize_count: int = 1, **round_options) -> World:
    award_round = closed_round(**round_options)
    category = factories.category(award_round, prize_count=prize_count)
    admin = user("admin@example.org", "Ada Admin", roles=("staff", "admin"))
    nominator = user("nominator@example.org", "Nils Nominator")
    reviewer = user("reviewer@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    outsider = user("outsider@example.org", "Otto Outsider", roles=("staff", "reviewer"))
    conflicted = user("conflicted@example.org", "Conny Conflicted", roles=("staff", "reviewer"))
    chair = user("chair@example.org", "Chris Chair", roles=("staff", "reviewer"))
    panel = create_panel(award_round, name="Leadership group", chair=chair, actor=admin)
    add_member(panel, reviewer, actor=admin)
    add_member(panel, conflicted, actor=admin)
    result = World(award_round, category, admin, nominator, reviewer, outsider, conflicted, chair)
    result.nominations["target"] = make_nomination(
        category, nominator, "Conny Conflicted", email="conflicted@example.org"
    )
    result.nominations["other"] = make_nomination(category, nominator, "Olga Other")
    result.nominations["withdrawn"] = make_nomination(
        category, nominator, "Walter Withdrawn", status=NominationStatus.WITHDRAWN
    )
    result.nominations["ineligible"] = make_nomination(
        category, nominator, "Ines Ineligible", status=NominationStatus.INELIGIBLE
    )
    result.nominations["draft"] = make_nomination(
        category, nominator, "Dora Draft", status=NominationStatus.DRAFT
    )
    db.session.commit()  # the test is the edge: the workflow functions above only flush
    return result


def scores_for(category: AwardCategory, *values: int) -> dict[int, int]:
    """Scores by criterion id in rubric order; one value means the same score for each."""
    criteria = category_criteria(category)
    if len(values) == 1:
        values = values * len(criteria)
    assert len(values) == len(criteria)
    return {c.id: v for c, v in zip(criteria, values, strict=True)}


def review(
    nomination: Nomination,
    reviewer: User,
    *values: int,
    submit: bool = True,
    comment: str = "",
    recommendation: str = "support",
):
    saved = save_review(
        nomination,
        ReviewInput(
            scores=scores_for(nomination.category, *values),
            comment=comment,
            recommendation=recommendation,
        ),
        actor=reviewer,
        submit=submit,
    )
    db.session.commit()  # the test is the edge: save_review only flushes
    return saved
