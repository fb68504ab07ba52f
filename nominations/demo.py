"""Demo data for a newcomer: departments, one user per role and the institute's four awards in
rounds that are open now, so that one can nominate at once."""

from __future__ import annotations

from datetime import time, timedelta

from nominations.models import AwardRound, Department, db
from nominations.timeutil import from_local, now, to_local
from nominations.workflow.accounts import create_user, get_or_create_department
from nominations.workflow.panels import add_member, create_panel
from nominations.workflow.rounds import CategoryData, RoundData, create_category, create_round

DEMO_PASSWORD = "demo-awards-2026"

DEPARTMENTS = (
    "Department of Cancer Immunology",
    "Department of Cancer Genetics",
    "Department of Molecular Oncology",
    "Department of Tumor Biology",
    "Department of Radiation Biology",
    "Department of Core Facilities",
    "Department of Research Support",
)

# (e-mail, name, department index, staff, reviewer, admin)
USERS = (
    ("admin@example.org", "Ada Admin", 6, True, False, True),
    ("staff@example.org", "Sam Staff", 0, True, False, False),
    ("reviewer@example.org", "Rita Reviewer", 1, True, True, False),
    ("chair@example.org", "Chris Chair", 2, True, True, False),
)


def load_demo() -> str:
    departments = [get_or_create_department(name) for name in DEPARTMENTS]
    db.session.commit()
    users = {}
    for email, name, dept, staff, reviewer, admin in USERS:
        users[email] = create_user(
            email=email,
            name=name,
            password=DEMO_PASSWORD,
            department=departments[dept],
            is_staff=staff,
            is_reviewer=reviewer,
            is_admin=admin,
            actor=None,
        )

    today = to_local(now()).date()
    year = (today + timedelta(weeks=4)).year
    opens_at = from_local(today - timedelta(days=7), time(9, 0))
    closes_at = from_local(today + timedelta(weeks=4))  # end of that day, local time
    review_deadline = from_local(today + timedelta(weeks=8))

    hospital = create_round(
        RoundData(
            name="OUH Research Awards",
            year=year,
            organiser="Oslo University Hospital",
            description="The hospital's research awards for outstanding researchers.",
            opens_at=opens_at,
            closes_at=closes_at,
            review_deadline=review_deadline,
        ),
        actor=None,
    )
    create_category(
        hospital,
        CategoryData(
            name="Excellent Researcher Award",
            prize_amount=400_000,
            prize_count=1,
            description="For an established researcher with an outstanding body of work.",
            eligibility_text="Researchers employed at the hospital.",
            word_limit=1000,
            requires_publications=True,
        ),
        actor=None,
    )
    create_category(
        hospital,
        CategoryData(
            name="Early Career Award",
            prize_amount=200_000,
            prize_count=2,
            description="For a researcher early in their career.",
            eligibility_text="PhD completed within the last 8 years.",
            phd_within_years=8,
            word_limit=800,
        ),
        actor=None,
    )

    institute = create_round(
        RoundData(
            name="ICR Prizes",
            year=year,
            organiser="Institute for Cancer Research",
            description="The institute's yearly prizes, presented in December.",
            opens_at=opens_at,
            closes_at=closes_at,
            review_deadline=review_deadline,
            ceremony_on=None,
        ),
        actor=None,
    )
    create_category(
        institute,
        CategoryData(
            name="Researcher of the Year",
            prize_amount=100_000,
            funder="The Radium Hospital Foundation",
            description="A personal scholarship, decided by the institute leadership group.",
            eligibility_text="Researchers at the institute.",
            word_limit=600,
        ),
        actor=None,
    )
    create_category(
        institute,
        CategoryData(
            name="Employee of the Year",
            prize_amount=50_000,
            description="Nominated by a department or division.",
            eligibility_text="All employees of the institute.",
            department_nomination_allowed=True,
            requires_cv=False,
            word_limit=500,
        ),
        actor=None,
    )

    admin = users["admin@example.org"]
    for award_round in (hospital, institute):
        panel = create_panel(
            award_round, name="Leadership group", chair=users["chair@example.org"], actor=admin
        )
        add_member(panel, users["reviewer@example.org"], actor=admin)
    rounds = db.session.execute(db.select(AwardRound.id)).all()
    departments_count = db.session.execute(db.select(db.func.count(Department.id))).scalar()
    return (
        f"Loaded demo data: {departments_count} departments, {len(USERS)} users, "
        f"{len(rounds)} rounds open until the end of {closes_at:%Y-%m-%d}."
    )
