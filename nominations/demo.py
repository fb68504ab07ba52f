"""Demo data for a newcomer: departments, one user per role and the institute's four awards in
rounds that are open now, so that one can nominate at once. Every round, category and criterion
has its English and its bokmål text; some demo users read bokmål, some English."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from io import BytesIO

from flask_babel import gettext as _

from nominations.demo_ranking import uncertain_boundary
from nominations.models import (
    AwardCategory,
    AwardRound,
    Department,
    Nomination,
    NominationStatus,
    QuestionAnswer,
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
from nominations.workflow.publications.importing import apply_import
from nominations.workflow.publications.parsers import Entry
from nominations.workflow.questions.definitions import QuestionData, add_question
from nominations.workflow.referees import RefereeData, name_referee, upload_letter
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
            required_letters=2,  # two letters of reference, from referees the nominator names
        ),
        actor=SYSTEM,
    )
    early_career = create_category(
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

    _ask_questions(early_career)
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


# A category's own questions, one of each common kind: (kind, English, bokmål, extra).
QUESTIONS = (
    (
        "short_text",
        "The nominee's most important result, in one sentence",
        "Kandidatens viktigste resultat, i én setning",
        {"word_limit": 40, "required": True},
    ),
    (
        "long_text",
        "What will the prize make possible?",
        "Hva vil prisen gjøre mulig?",
        {"word_limit": 200, "help_text": "Plans for the next two years."},
    ),
    (
        "single_choice",
        "Career stage",
        "Karrieretrinn",
        {
            "options": "PhD candidate\nPostdoctoral fellow\nGroup leader",
            "options_nb": "Doktorgradsstipendiat\nPostdoktor\nGruppeleder",
            "required": True,
        },
    ),
    (
        "multiple_choice",
        "Fields of work",
        "Fagfelt",
        {
            "options": "Basic research\nClinical research\nInnovation",
            "options_nb": "Grunnforskning\nKlinisk forskning\nInnovasjon",
        },
    ),
    ("yes_no", "Has the nominee received this prize before?", "Har kandidaten fått prisen før?",
     {"required": True}),
    (
        "number",
        "Publications as first or last author in the last five years",
        "Publikasjoner som første- eller sisteforfatter de siste fem årene",
        {"min_value": Decimal(0), "max_value": Decimal(500), "whole_numbers": True},
    ),
)  # fmt: skip


def _ask_questions(category: AwardCategory) -> list:
    return [
        add_question(
            category,
            QuestionData(kind=kind, label=label, label_nb=label_nb, **extra),
            actor=SYSTEM,
        )
        for kind, label, label_nb, extra in QUESTIONS
    ]


def _answer(nomination: Nomination, questions: list) -> None:
    """The demo nomination's answers, one per question above."""
    short, plan, stage, fields, before, papers = questions
    db.session.add_all(
        [
            QuestionAnswer(
                nomination_id=nomination.id,
                question_id=short.id,
                text_value="Organoids that predict which patients respond to treatment.",
            ),
            QuestionAnswer(
                nomination_id=nomination.id,
                question_id=plan.id,
                text_value="Open the organoid platform to the hospital's clinical trials.",
            ),
            QuestionAnswer(
                nomination_id=nomination.id, question_id=stage.id, text_value="Group leader"
            ),
            QuestionAnswer(
                nomination_id=nomination.id,
                question_id=fields.id,
                choices=["Basic research", "Innovation"],
            ),
            QuestionAnswer(nomination_id=nomination.id, question_id=before.id, bool_value=False),
            QuestionAnswer(
                nomination_id=nomination.id, question_id=papers.id, number_value=Decimal(14)
            ),
        ]
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
        CategoryData(
            name="Innovation Prize",
            name_nb="Innovasjonsprisen",
            prize_amount=150_000,
            required_letters=2,
            letter_days_after_close=21,  # letters still coming in while the panel reviews
        ),
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
    panels = {}
    for award_round in (in_review, last_year):
        panel = create_panel(award_round, name="Leadership group", chair=chair, actor=admin)
        add_member(panel, reviewer, actor=admin)
        panels[award_round.id] = panel
    innovation_panel = panels[in_review.id]

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

    questions = _ask_questions(innovation)
    innovation_nominees = [nominate(innovation, nominee) for nominee in PAST_NOMINEES]
    db.session.flush()
    _answer(innovation_nominees[0], questions)
    past = [nominate(researcher, nominee) for nominee in PAST_NOMINEES[:2]]
    db.session.flush()
    close_due_rounds(now())
    _letters(innovation_nominees[0], staff)
    # Reviewed so that the prize boundary is not robust (the ranking page explains why).
    uncertain_boundary(
        innovation,
        innovation_nominees,
        innovation_panel,
        departments,
        users,
        nominate,
        DEMO_PASSWORD,
    )

    # Last year's round: reviewed, decided and published.
    db.session.refresh(last_year)
    set_winners(
        researcher,
        {past[0].id: "For building the organoid platform the whole institute now uses."},
        actor=chair,
    )
    complete_decisions(last_year, actor=chair)
    publish_round(last_year, actor=admin)
    # Lars Berg was not awarded last year (his history shows on his review page now), and
    # wrote a paper with the reviewer: a co-authorship proposal for the chair.
    shared = Entry(1, "Radiation response of organoids: a joint study", today.year - 1)
    apply_import([shared], reviewer.email, "demo-registry.csv", actor=admin)
    apply_import([shared], PAST_NOMINEES[1][1], "demo-orcid.ris", actor=admin)


def _letters(nomination: Nomination, nominator: User) -> None:
    """Two referees of a nomination in review: one letter received, one still pending."""
    received = name_referee(
        nomination,
        RefereeData("Kari Nordmann", "kari.nordmann@example.org", "Former supervisor"),
        actor=nominator,
    )
    name_referee(
        nomination,
        RefereeData("Ola Hansen", "ola.hansen@example.org", "Industry collaborator"),
        actor=nominator,
    )
    letter = _pdf(
        "Letter of reference for Ingrid Haugen",
        "Ingrid built the tumour organoid platform that three groups rely on.",
        "Kari Nordmann, former supervisor",
    )
    upload_letter(received, BytesIO(letter), "reference-haugen.pdf")


def _pdf(*lines: str) -> bytes:
    """A small valid one-page PDF with ``lines`` of text (the demo's letter)."""
    text = " ".join(f"({line}) Tj 0 -18 Td" for line in lines)
    content = f"BT /F1 12 Tf 72 770 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(body)
