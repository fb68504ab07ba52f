"""The demo's earlier rounds: one in review now (letters still coming in, a prize boundary
that is not robust) and last year's, reviewed, decided and published, with a co-authorship
proposal for the chair."""

from __future__ import annotations

from datetime import time, timedelta

from nominations.demo.letters import referee_letters
from nominations.demo.people import DEMO_PASSWORD
from nominations.demo.questions import answer, ask_questions
from nominations.demo.ranking import uncertain_boundary
from nominations.models import (
    AwardCategory,
    Department,
    Nomination,
    NominationStatus,
    User,
    db,
)
from nominations.policy import SYSTEM  # the loader sets up rounds before any admin exists
from nominations.timeutil import from_local, now
from nominations.workflow.decisions import complete_decisions, set_winners
from nominations.workflow.lifecycle import close_due_rounds
from nominations.workflow.panels import add_member, create_panel
from nominations.workflow.publications.importing import apply_import
from nominations.workflow.publications.parsers import Entry
from nominations.workflow.results import publish_round
from nominations.workflow.rounds import CategoryData, RoundData, create_category, create_round

# Nominees of the demo's earlier rounds: (name, e-mail, department index, statement).
PAST_NOMINEES = (
    ("Ingrid Haugen", "ingrid.haugen@example.org", 3, "Built the tumour organoid platform."),
    ("Lars Berg", "lars.berg@example.org", 4, "Led the radiation response trial."),
    ("Mina Dahl", "mina.dahl@example.org", 0, "Opened a new line of immunotherapy work."),
)


def past_rounds(today, departments: list[Department], users: dict[str, User]) -> None:
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

    questions = ask_questions(innovation)
    innovation_nominees = [nominate(innovation, nominee) for nominee in PAST_NOMINEES]
    db.session.flush()
    answer(innovation_nominees[0], questions)
    past = [nominate(researcher, nominee) for nominee in PAST_NOMINEES[:2]]
    db.session.flush()
    close_due_rounds(now())
    referee_letters(innovation_nominees[0], staff)
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
