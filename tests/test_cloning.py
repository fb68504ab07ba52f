"""Next year's round from this year's: everything copied, every date one year on at the same
local clock time (across daylight-saving changes), as a draft."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from nominations.models import (
    AuditEvent,
    AwardCategory,
    AwardRound,
    BlindMode,
    Criterion,
    Decision,
    Nomination,
    Panel,
    ReminderKind,
    ReminderRule,
    RoundStatus,
    db,
)
from nominations.timeutil import from_local, to_local
from nominations.workflow import PermissionDenied, WorkflowError
from nominations.workflow.cloning import open_next_year
from nominations.workflow.rounds import CATEGORY_FIELDS
from tests import factories
from tests import results_helpers as h


@pytest.fixture
def source(app, admin):
    """OUH Research Awards 2026, closing 28 March 2026 at 12:00 in Oslo (winter time)."""
    award_round = factories.award_round(
        "OUH Research Awards",
        year=2026,
        opens_at=from_local(date(2026, 1, 10), time(9, 0)),
        closes_at=from_local(date(2026, 3, 28), time(12, 0)),
        # After the autumn change of 2026 (25 October) but before that of 2027 (31 October).
        review_deadline=from_local(date(2026, 10, 30), time(12, 0)),
        organiser="Oslo University Hospital",
        description="The hospital's yearly research awards.",
        name_nb="OUS' forskningspriser 2026",
        description_nb="Sykehusets årlige forskningspriser.",
        ceremony_on=date(2026, 12, 11),
        blind_mode=BlindMode.NEVER,
        department_conflicts=True,
    )
    excellent = factories.category(
        award_round,
        "Excellent Researcher Award",
        400_000,
        description="For an outstanding researcher.",
        funder="South-Eastern Norway Regional Health Authority",
        eligibility_text="Employed at the hospital.",
        name_nb="Pris for fremragende forskning",
        description_nb="Til en fremragende forsker.",
        eligibility_text_nb="Ansatt ved sykehuset.",
        requires_publications=True,
        word_limit=1500,
    )
    early = factories.category(
        award_round,
        "Early Career Award",
        200_000,
        prize_count=2,
        phd_within_years=8,
        currency="NOK",
        self_nomination_allowed=True,
        department_nomination_allowed=True,
        requires_cv=False,
        max_support_letters=2,
    )
    # A rubric the admin changed: a weight, a scale, and one more criterion.
    impact = db.session.execute(
        db.select(Criterion).where(Criterion.category_id == early.id, Criterion.name == "Impact")
    ).scalar_one()
    impact.weight, impact.scale_max, impact.guidance = 3.0, 10, "Impact so far."
    db.session.add(
        Criterion(
            category_id=early.id,
            position=5,
            name="Independence",
            name_nb="Selvstendighet",
            guidance_nb="Egen forskningsretning.",
            weight=0.5,
            scale_max=5,
        )
    )
    # Reminders: one switched off, one added.
    rule = db.session.execute(
        db.select(ReminderRule).where(
            ReminderRule.round_id == award_round.id,
            ReminderRule.kind == ReminderKind.CALL_CLOSING,
            ReminderRule.days_before == 14,
        )
    ).scalar_one()
    rule.enabled = False
    db.session.add(
        ReminderRule(round_id=award_round.id, kind=ReminderKind.CALL_CLOSING, days_before=3)
    )
    db.session.commit()
    chair = factories.user("chair@example.org", "Chris Chair", roles=("staff", "reviewer"))
    member = factories.user("rita@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    gone = factories.user("gone@example.org", "Gone Person", roles=("reviewer",), active=False)
    h.panel(award_round, [(chair, h.CHAIR), (member, h.MEMBER), (gone, h.MEMBER)])
    h.panel(award_round, [(member, h.CHAIR)], name="Early career panel", category=early)
    # Nominations and decisions belong to this year only.
    winner = factories.nomination(excellent, member, "Wenche Winner")
    h.decide(winner, "A citation.")
    h.set_status(award_round, RoundStatus.PUBLISHED)
    return award_round


def _local(value: datetime) -> tuple:
    local = to_local(value)
    return (local.year, local.month, local.day, local.hour, local.minute, local.tzname())


def test_dates_move_one_year_at_the_same_local_time_across_daylight_saving(source, admin):
    new = open_next_year(source, actor=admin)
    # 28 March 2026, 12:00 is winter time (CET); 28 March 2027 is the day the clocks go forward,
    # and 12:00 that day is summer time (CEST).
    assert _local(source.closes_at) == (2026, 3, 28, 12, 0, "CET")
    assert _local(new.closes_at) == (2027, 3, 28, 12, 0, "CEST")
    assert new.closes_at == datetime(2027, 3, 28, 10, 0, tzinfo=UTC)
    assert new.closes_at - source.closes_at == timedelta(days=365, hours=-1)
    # And the other way: 30 October is winter time in 2026, summer time in 2027.
    assert _local(new.review_deadline) == (2027, 10, 30, 12, 0, "CEST")
    assert new.review_deadline - source.review_deadline == timedelta(days=365, hours=-1)
    assert _local(new.opens_at) == (2027, 1, 10, 9, 0, "CET")
    assert new.ceremony_on == date(2027, 12, 11)
    assert (new.name, new.year) == ("OUH Research Awards", 2027)
    assert new.status == RoundStatus.DRAFT and new.published_at is None
    assert new.cloned_from_id == source.id


def test_everything_of_the_round_is_copied_and_nothing_of_this_years_nominations(source, admin):
    new = open_next_year(source, actor=admin)
    assert (new.organiser, new.description) == (source.organiser, source.description)
    # The bokmål beside the English: the name's year moves on as the English name's does.
    assert (new.name_nb, new.description_nb) == (
        "OUS' forskningspriser 2027",
        "Sykehusets årlige forskningspriser.",
    )
    assert (new.blind_mode, new.department_conflicts) == (BlindMode.NEVER, True)

    def categories(award_round):
        return [
            {name: getattr(c, name) for name in (*CATEGORY_FIELDS, "position")}
            for c in award_round.categories
        ]

    assert categories(new) == categories(source)
    assert [c.id for c in new.categories] != [c.id for c in source.categories]

    def rubric(award_round):
        return [
            (
                c.category.name,
                c.position,
                c.name,
                c.name_nb,
                c.guidance,
                c.guidance_nb,
                c.weight,
                c.scale_min,
                c.scale_max,
            )
            for c in db.session.execute(
                db.select(Criterion)
                .join(Criterion.category)
                .where(AwardCategory.round_id == award_round.id)
                .order_by(AwardCategory.position, Criterion.position, Criterion.name)
            ).scalars()
        ]

    assert rubric(new) == rubric(source)
    independence = ("Independence", "Selvstendighet", "", "Egen forskningsretning.")
    assert ("Early Career Award", 5, *independence, 0.5, 1, 5) in rubric(new)
    excellent = next(c for c in new.categories if c.name == "Excellent Researcher Award")
    assert (excellent.name_nb, excellent.description_nb, excellent.eligibility_text_nb) == (
        "Pris for fremragende forskning",
        "Til en fremragende forsker.",
        "Ansatt ved sykehuset.",
    )

    def rules(award_round):
        return sorted(
            (r.kind, r.days_before or 0, r.enabled)
            for r in db.session.execute(
                db.select(ReminderRule).where(ReminderRule.round_id == award_round.id)
            ).scalars()
        )

    assert rules(new) == rules(source)
    assert (ReminderKind.CALL_CLOSING, 14, False) in rules(new)
    assert (ReminderKind.CALL_CLOSING, 3, True) in rules(new)

    panels = {
        p.name: p
        for p in db.session.execute(db.select(Panel).where(Panel.round_id == new.id)).scalars()
    }
    assert set(panels) == {"Leadership group", "Early career panel"}
    assert sorted((m.user.email, m.role) for m in panels["Leadership group"].members) == [
        ("chair@example.org", "chair"),
        ("rita@example.org", "member"),
    ]  # the deactivated member is left out
    assert panels["Leadership group"].category_id is None
    early = next(c for c in new.categories if c.name == "Early Career Award")
    assert panels["Early career panel"].category_id == early.id
    assert [(m.user.email, m.role) for m in panels["Early career panel"].members] == [
        ("rita@example.org", "chair")
    ]

    new_category_ids = [c.id for c in new.categories]
    assert (
        db.session.execute(
            db.select(db.func.count(Nomination.id)).where(
                Nomination.category_id.in_(new_category_ids)
            )
        ).scalar()
        == 0
    )
    assert (
        db.session.execute(
            db.select(db.func.count(Decision.id)).where(Decision.category_id.in_(new_category_ids))
        ).scalar()
        == 0
    )

    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.clone")
    ).scalar_one()
    assert event.actor_id == admin.id and event.round_id == new.id
    assert event.after["cloned_from_id"] == source.id and event.after["year"] == 2027
    assert event.after["categories"] == 2 and event.after["panel_members"] == 3
    assert event.after["inactive_members_left_out"] == ["Gone Person (Leadership group)"]


def test_next_years_round_is_refused_when_it_exists(source, admin, staff):
    open_next_year(source, actor=admin)
    db.session.commit()  # the test is the edge: the rollbacks below must not undo this
    with pytest.raises(WorkflowError, match="already a round OUH Research Awards for 2027"):
        open_next_year(source, actor=admin)
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        open_next_year(source, actor=staff)
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(AwardRound.id))).scalar() == 2


def test_a_year_in_the_name_moves_on_and_29_february_becomes_28(app, admin):
    award_round = factories.award_round(
        "ICR Prizes 2028",
        year=2028,
        opens_at=from_local(date(2028, 1, 1), time(0, 0)),
        closes_at=from_local(date(2028, 2, 29)),
        review_deadline=from_local(date(2028, 4, 1)),
        ceremony_on=date(2028, 2, 29),
    )
    new = open_next_year(award_round, actor=admin)
    assert (new.name, new.year, new.title) == ("ICR Prizes 2029", 2029, "ICR Prizes 2029")
    assert new.ceremony_on == date(2029, 2, 28)
    assert _local(new.closes_at) == (2029, 2, 28, 23, 59, "CET")


def test_admin_opens_next_year_from_the_round_page(client, source, staff, make_client):
    page = f"/admin/rounds/{source.id}"
    staff_client = make_client("staff@example.org")
    token = staff_client.csrf_token("/")
    assert (
        staff_client.post(f"/admin/rounds/{source.id}/next-year", data={"csrf_token": token})
    ).status_code == 403

    client.login("admin@example.org")
    body = client.get(page).get_data(as_text=True)
    assert "Open next year's round" in body
    assert "data-confirm=" in body
    response = client.submit(f"/admin/rounds/{source.id}/next-year", {"confirmed": "1"}, page=page)
    new = db.session.execute(db.select(AwardRound).where(AwardRound.year == 2027)).scalar_one()
    assert response.headers["Location"] == f"/admin/rounds/{new.id}"
    new_page = client.get(f"/admin/rounds/{new.id}").get_data(as_text=True)
    assert "created as a draft from OUH Research Awards 2026" in new_page
    assert "28 March 2027, 12:00 CEST" in new_page
    assert "Excellent Researcher Award" in new_page and "NOK 400,000" in new_page
    # The old round now links to next year's instead of offering to create it again.
    body = client.get(page).get_data(as_text=True)
    assert "Next year's round: OUH Research Awards 2027" in body
    # Not confirmed: the refusal comes before any question.
    response = client.submit(
        f"/admin/rounds/{source.id}/next-year", page=page, follow_redirects=True
    )
    assert "There is already a round OUH Research Awards for 2027." in response.get_data(
        as_text=True
    )
