"""Save changes nothing by itself: each admin edit form, opened and submitted unchanged, leaves
everything stored exactly as it was (seconds, time zone, amounts, text in English and bokmål) and
records no change.

The form is read out of the page the admin sees (tests.page_forms), so what is posted is what a
browser would post for that page, untouched (tests.round_trip compares every stored row). The
nominator's, reviewer's and chair's forms: tests/test_edit_round_trip_people.py.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from nominations.models import BlindMode, db
from nominations.policy import SYSTEM
from nominations.timeutil import from_local
from nominations.workflow.panels import create_panel
from nominations.workflow.rubric import CriterionData, add_criterion
from tests import factories
from tests.round_trip import assert_saved_unchanged


@pytest.fixture
def admin_client(app, admin, make_client):
    return make_client(admin.email)


def _round_with_exact_times():
    return factories.award_round(
        name="OUH Research Awards",
        name_nb="OUS' forskningspriser",
        year=2031,
        organiser="Oslo University Hospital",
        description="First line.\n\nSecond line, with  two spaces.",
        description_nb="Første linje.\n\nAndre linje, med  to mellomrom.",
        # A closing date without a time means the end of the day: 23:59:59 local.
        opens_at=from_local(date(2031, 1, 6), time(8, 30)),
        closes_at=from_local(date(2031, 3, 7)),
        review_deadline=from_local(date(2031, 4, 2), time(12, 0, 30)),
        ceremony_on=date(2031, 5, 20),
        blind_mode=BlindMode.NEVER,
        department_conflicts=True,
    )


def test_saving_a_round_unchanged_keeps_its_closing_second(app, admin_client):
    award_round = _round_with_exact_times()
    db.session.expire_all()
    assert award_round.closes_at.second == 59
    assert_saved_unchanged(admin_client, f"/admin/rounds/{award_round.id}/edit")


def test_saving_a_round_unchanged_across_daylight_saving(app, admin_client):
    # Opening in winter (UTC+1), closing in summer (UTC+2) on the night the clocks change.
    award_round = factories.award_round(
        name="Spring call",
        year=2026,
        opens_at=from_local(date(2026, 2, 1), time(0, 0)),
        closes_at=from_local(date(2026, 3, 29), time(3, 0, 1)),
        review_deadline=from_local(date(2026, 10, 25), time(1, 59, 59)),
    )
    assert_saved_unchanged(admin_client, f"/admin/rounds/{award_round.id}/edit")


def test_saving_a_category_unchanged(app, admin_client):
    # Its texts in English and in bokmål, each with its line breaks.
    award_round = _round_with_exact_times()
    category = factories.category(
        award_round,
        name="Early Career Award",
        name_nb="Pris for unge forskere",
        prize_amount=200_000,
        prize_count=2,
        currency="EUR",
        description="For researchers\nearly in their career.",
        description_nb="For forskere\ntidlig i karrieren.",
        eligibility_text="PhD within the last 8 years.\nNo previous winners.",
        eligibility_text_nb="Doktorgrad de siste 8 årene.\nIkke tidligere vinnere.",
        phd_within_years=8,
        funder="Radium Hospital Foundation",
        self_nomination_allowed=True,
        department_nomination_allowed=True,
        word_limit=750,
        requires_cv=False,
        requires_publications=True,
        max_support_letters=0,
    )
    assert_saved_unchanged(admin_client, f"/admin/categories/{category.id}/edit")


def test_saving_a_criterion_unchanged(app, admin_client):
    award_round = _round_with_exact_times()
    category = factories.category(award_round)
    criterion = add_criterion(
        category,
        CriterionData(
            name="Clinical relevance",
            name_nb="Klinisk relevans",
            weight=1.75,
            scale_min=0,
            scale_max=10,
            guidance="Originality.\nSignificance.",
            guidance_nb="Originalitet.\nBetydning.",
        ),
        actor=SYSTEM,
    )
    db.session.commit()
    assert_saved_unchanged(admin_client, f"/admin/criteria/{criterion.id}/edit")


def test_saving_a_panel_unchanged(app, admin_client):
    award_round = _round_with_exact_times()
    factories.category(award_round, name="Researcher of the Year")
    second = factories.category(award_round, name="Employee of the Year")
    chair = factories.user("chair@example.org", "Chris Chair", roles=("staff", "reviewer"))
    for category in (None, second):
        panel = create_panel(
            award_round,
            name=f"Panel for {category.name if category else 'every category'}",
            chair=chair,
            actor=SYSTEM,
            category=category,
        )
        db.session.commit()
        assert_saved_unchanged(
            admin_client,
            f"/admin/panels/{panel.id}",
            action=f"/admin/panels/{panel.id}/edit",
        )


def test_saving_a_user_unchanged(app, admin_client):
    dept = factories.department("Department of Radiation Biology")
    person = factories.user(
        "reviewer@example.org", "Rita Røed-Ås", roles=("staff", "reviewer"), dept=dept
    )
    assert_saved_unchanged(admin_client, f"/admin/users/{person.id}")


def test_saving_a_department_unchanged(app, admin_client):
    # A name with a letter outside ASCII and a hyphen stays as it was; so do its people.
    dept = factories.department("Avdeling for strålebiologi – Radiation Biology")
    factories.user("rita@example.org", "Rita Røed", dept=dept)
    assert_saved_unchanged(
        admin_client,
        f"/admin/departments/{dept.id}",
        action=f"/admin/departments/{dept.id}",
    )
