"""Small builders for test data; each goes through the workflow where one exists and, being the
edge here, commits what it built (the pages a test then opens read it from the database)."""

from __future__ import annotations

from datetime import datetime, timedelta

from nominations.models import AwardCategory, AwardRound, Department, User, db
from nominations.policy import SYSTEM
from nominations.timeutil import now
from nominations.workflow.accounts import create_user, get_or_create_department
from nominations.workflow.rounds import CategoryData, RoundData, create_category, create_round

PASSWORD = "correct horse battery"


def department(name: str = "Department of Tumor Biology") -> Department:
    dept = get_or_create_department(name)
    db.session.commit()
    return dept


def user(
    email: str,
    name: str | None = None,
    roles: tuple[str, ...] = ("staff",),
    dept: Department | None = None,
    active: bool = True,
) -> User:
    built = create_user(
        email=email,
        name=name or email.split("@")[0].title(),
        password=PASSWORD,
        actor=SYSTEM,
        department=dept,
        is_staff="staff" in roles,
        is_reviewer="reviewer" in roles,
        is_admin="admin" in roles,
        active=active,
    )
    db.session.commit()
    return built


def award_round(
    name: str = "ICR Prizes",
    year: int | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    review_deadline: datetime | None = None,
    **extra,
) -> AwardRound:
    current = now()
    opens_at = opens_at or current - timedelta(days=7)
    closes_at = closes_at or current + timedelta(days=21)
    review_deadline = review_deadline or closes_at + timedelta(days=28)
    built = create_round(
        RoundData(
            name=name,
            year=year or closes_at.year,
            opens_at=opens_at,
            closes_at=closes_at,
            review_deadline=review_deadline,
            **extra,
        ),
        actor=SYSTEM,
    )
    db.session.commit()
    return built


def category(
    award_round: AwardRound,
    name: str = "Researcher of the Year",
    prize_amount: int = 100_000,
    **extra,
) -> AwardCategory:
    built = create_category(
        award_round, CategoryData(name=name, prize_amount=prize_amount, **extra), actor=SYSTEM
    )
    db.session.commit()
    return built
