"""The demo's rounds open now: the hospital's research awards and the institute's prizes, four
categories in all (one with its own questions), each round with its panel and its call opened
as an administrator would, so that one can nominate at once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from nominations.demo.questions import ask_questions
from nominations.models import User
from nominations.policy import SYSTEM  # the loader sets up rounds before any admin exists
from nominations.timeutil import from_local
from nominations.workflow.opening import confirm_opening
from nominations.workflow.panels import add_member, create_panel
from nominations.workflow.rounds import CategoryData, RoundData, create_category, create_round


def open_calls(today: date, users: dict[str, User]) -> datetime:
    """Create the open rounds; returns when their calls close."""
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

    ask_questions(early_career)
    admin = users["admin@example.org"]
    for award_round in (hospital, institute):
        panel = create_panel(
            award_round, name="Leadership group", chair=users["chair@example.org"], actor=admin
        )
        add_member(panel, users["reviewer@example.org"], actor=admin)
        # As an administrator would, having read the announcement: the call opens now.
        confirm_opening(award_round, actor=admin)
    return closes_at
