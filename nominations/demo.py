"""Demo data for a newcomer: departments, one user per role and the institute's four awards in
rounds that are open now, so that one can nominate at once. Every round, category and criterion
has its English and its bokmål text; some demo users read bokmål, some English."""

from __future__ import annotations

from datetime import time, timedelta

from flask_babel import gettext as _

from nominations.models import (
    AwardCategory,
    AwardRound,
    Department,
    Nomination,
    NominationStatus,
    User,
    db,
)
from nominations.policy import SYSTEM  # the loader sets up users and rounds before any admin exists
from nominations.timeutil import format_local, from_local, now, to_local
from nominations.workflow.accounts import choose_language, create_user, get_or_create_department
from nominations.workflow.decisions import complete_decisions, set_winners
from nominations.workflow.lifecycle import close_due_rounds
from nominations.workflow.opening import confirm_opening
from nominations.workflow.panels import add_member, create_panel
from nominations.workflow.results import publish_round
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

# (e-mail, name, department index, staff, reviewer, admin, language)
USERS = (
    ("admin@example.org", "Ada Admin", 6, True, False, True, "nb"),
    ("staff@example.org", "Sam Staff", 0, True, False, False, "en"),
    ("reviewer@example.org", "Rita Reviewer", 1, True, True, False, "nb"),
    ("chair@example.org", "Chris Chair", 2, True, True, False, "en"),
)


def load_demo() -> str:
    departments = [get_or_create_department(name) for name in DEPARTMENTS]
    users = {}
    for email, name, dept, staff, reviewer, admin, language in USERS:
        users[email] = create_user(
            email=email,
            name=name,
            password=DEMO_PASSWORD,
            department=departments[dept],
            is_staff=staff,
            is_reviewer=reviewer,
            is_admin=admin,
            actor=SYSTEM,
        )
        choose_language(users[email], language)

    today = to_local(now()).date()
    year = (today + timedelta(weeks=4)).year
    opens_at = from_local(today - timedelta(days=7), time(9, 0))
    closes_at = from_local(today + timedelta(weeks=4))  # end of that day, local time
    review_deadline = from_local(today + timedelta(weeks=8))

    hospital = create_round(
        RoundData(
            name="OUH Research Awards",
            name_nb="OUS' forskningspriser",
            year=year,
            organiser="Oslo University Hospital",
            description="The hospital's research awards for outstanding researchers.",
            description_nb="Sykehusets forskningspriser til fremragende forskere.",
            opens_at=opens_at,
            closes_at=closes_at,
            review_deadline=review_deadline,
            inform_nominees=True,  # the nominees hear of it when the call closes
        ),
        actor=SYSTEM,
    )
    create_category(
        hospital,
        CategoryData(
            name="Excellent Researcher Award",
            name_nb="Pris for fremragende forskning",
            prize_amount=400_000,
            prize_count=1,
            description="For an established researcher with an outstanding body of work.",
            description_nb="Til en etablert forsker med et fremragende forskningsarbeid.",
            eligibility_text="Researchers employed at the hospital.",
            eligibility_text_nb="Forskere ansatt ved sykehuset.",
            word_limit=1000,
            requires_publications=True,
        ),
        actor=SYSTEM,
    )
    create_category(
        hospital,
        CategoryData(
            name="Early Career Award",
            name_nb="Pris for unge forskere",
            prize_amount=200_000,
            prize_count=2,
            description="For a researcher early in their career.",
            description_nb="Til en forsker tidlig i karrieren.",
            eligibility_text="PhD completed within the last 8 years.",
            eligibility_text_nb="Doktorgrad fullført i løpet av de siste 8 årene.",
            phd_within_years=8,
            word_limit=800,
        ),
        actor=SYSTEM,
    )

    institute = create_round(
        RoundData(
            name="ICR Prizes",
            name_nb="IKFs priser",
            year=year,
            organiser="Institute for Cancer Research",
            description="The institute's yearly prizes, presented in December.",
            description_nb="Instituttets årlige priser, som deles ut i desember.",
            opens_at=opens_at,
            closes_at=closes_at,
            review_deadline=review_deadline,
            ceremony_on=None,
        ),
        actor=SYSTEM,
    )
    create_category(
        institute,
        CategoryData(
            name="Researcher of the Year",
            name_nb="Årets forsker",
            prize_amount=100_000,
            funder="The Radium Hospital Foundation",
            description="A personal scholarship, decided by the institute leadership group.",
            description_nb="Et personlig stipend, tildelt av instituttets ledergruppe.",
            eligibility_text="Researchers at the institute.",
            eligibility_text_nb="Forskere ved instituttet.",
            word_limit=600,
        ),
        actor=SYSTEM,
    )
    create_category(
        institute,
        CategoryData(
            name="Employee of the Year",
            name_nb="Årets medarbeider",
            prize_amount=50_000,
            description="Nominated by a department or division.",
            description_nb="Nomineres av en avdeling eller seksjon.",
            eligibility_text="All employees of the institute.",
            eligibility_text_nb="Alle ansatte ved instituttet.",
            department_nomination_allowed=True,
            requires_cv=False,
            word_limit=500,
        ),
        actor=SYSTEM,
    )

    admin = users["admin@example.org"]
    for award_round in (hospital, institute):
        panel = create_panel(
            award_round, name="Leadership group", chair=users["chair@example.org"], actor=admin
        )
        add_member(panel, users["reviewer@example.org"], actor=admin)
        # As an administrator would, having read the announcement: the call opens now.
        confirm_opening(award_round, actor=admin)
    _past_rounds(today, departments, users)
    rounds = db.session.execute(db.select(AwardRound.id)).all()
    departments_count = db.session.execute(db.select(db.func.count(Department.id))).scalar()
    return _(
        "Loaded demo data: %(departments)d departments, %(users)d users, %(rounds)d rounds: "
        "two open until %(until)s, one in review, and last year's with its results published.",
        departments=departments_count,
        users=len(USERS),
        rounds=len(rounds),
        until=format_local(closes_at),
    )


# Nominees of the demo's earlier rounds: (name, e-mail, department index, statement).
PAST_NOMINEES = (
    ("Ingrid Haugen", "ingrid.haugen@example.org", 3, "Built the tumour organoid platform."),
    ("Lars Berg", "lars.berg@example.org", 4, "Led the radiation response trial."),
    ("Mina Dahl", "mina.dahl@example.org", 0, "Opened a new line of immunotherapy work."),
)


def _past_rounds(today, departments: list[Department], users: dict[str, User]) -> None:
    """A round in review now (closed last week) and last year's published round, so that the
    reviewer, the chair and the public results have something to show."""
    admin, chair = users["admin@example.org"], users["chair@example.org"]
    reviewer, staff = users["reviewer@example.org"], users["staff@example.org"]
    in_review = create_round(
        RoundData(
            name="Innovation Awards",
            name_nb="Innovasjonspriser",
            year=today.year,
            organiser="Institute for Cancer Research",
            description="For innovation that reached patients or industry.",
            description_nb="For innovasjon som har nådd pasienter eller næringslivet.",
            opens_at=from_local(today - timedelta(weeks=8), time(9, 0)),
            closes_at=from_local(today - timedelta(days=7)),
            review_deadline=from_local(today + timedelta(weeks=3)),
        ),
        actor=SYSTEM,
    )
    innovation = create_category(
        in_review,
        CategoryData(name="Innovation Prize", name_nb="Innovasjonsprisen", prize_amount=150_000),
        actor=SYSTEM,
    )
    last_year = create_round(
        RoundData(
            name="ICR Prizes",
            name_nb="IKFs priser",
            year=today.year - 1,
            organiser="Institute for Cancer Research",
            opens_at=from_local(today.replace(year=today.year - 1, month=9, day=1), time(9, 0)),
            closes_at=from_local(today.replace(year=today.year - 1, month=10, day=15)),
            review_deadline=from_local(today.replace(year=today.year - 1, month=11, day=15)),
            ceremony_on=today.replace(year=today.year - 1, month=12, day=11),
        ),
        actor=SYSTEM,
    )
    researcher = create_category(
        last_year,
        CategoryData(
            name="Researcher of the Year",
            name_nb="Årets forsker",
            prize_amount=100_000,
            funder="The Radium Hospital Foundation",
        ),
        actor=SYSTEM,
    )
    for award_round in (in_review, last_year):
        panel = create_panel(award_round, name="Leadership group", chair=chair, actor=admin)
        add_member(panel, reviewer, actor=admin)

    def nominate(category: AwardCategory, nominee: tuple) -> Nomination:
        name, email, dept, statement = nominee
        nomination = Nomination(
            category=category,
            nominator=staff,
            nominee_name=name,
            nominee_email=email,
            nominee_department=departments[dept],
            nominee_position="Group leader",
            statement=statement,
            status=NominationStatus.SUBMITTED,
            submitted_at=category.round.closes_at - timedelta(days=3),
        )
        db.session.add(nomination)
        return nomination

    for nominee in PAST_NOMINEES:
        nominate(innovation, nominee)
    past = [nominate(researcher, nominee) for nominee in PAST_NOMINEES[:2]]
    db.session.flush()
    close_due_rounds(now())

    # Last year's round: reviewed, decided and published.
    db.session.refresh(last_year)
    set_winners(
        researcher,
        {past[0].id: "For building the organoid platform the whole institute now uses."},
        actor=chair,
    )
    complete_decisions(last_year, actor=chair)
    publish_round(last_year, actor=admin)
