"""Small builders for test data; each goes through the workflow where one exists and, being the
edge here, commits what it built (the pages a test then opens read it from the database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from nominations.models import (
    AwardCategory,
    AwardRound,
    Department,
    Nomination,
    NominationStatus,
    User,
    db,
)
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
    confirmed: bool = True,
    **extra,
) -> AwardRound:
    """A draft round; ``confirmed`` (the default) as if an administrator had already confirmed
    its opening (workflow.opening needs a category first, which comes later here), so it opens
    on the clock; ``confirmed=False`` for a round nobody confirmed."""
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
    if confirmed:
        built.opening_confirmed_at = current
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


def nomination(
    category: AwardCategory,
    nominator: User,
    nominee_name: str,
    nominee_email: str = "",
    *,
    status: str = NominationStatus.SUBMITTED,
    department: Department | None = None,
    statement: str = "An outstanding colleague.",
    position: str = "Researcher",
    phd: date | None = None,
) -> Nomination:
    """A nomination row as the nominating workflow leaves it (submitted three days ago unless
    it is a draft), written directly and committed: for the tests of what comes after
    nominating (reviews, ranking, results, reminders). The nomination tests go through the
    forms instead."""
    item = Nomination(
        category_id=category.id,
        nominator_id=nominator.id,
        nominee_name=nominee_name,
        nominee_email=nominee_email.lower(),
        nominee_department_id=department.id if department else None,
        nominee_position=position,
        nominee_phd_date=phd,
        statement=statement,
        status=status,
        submitted_at=now() - timedelta(days=3) if status != NominationStatus.DRAFT else None,
    )
    db.session.add(item)
    db.session.commit()
    return item
