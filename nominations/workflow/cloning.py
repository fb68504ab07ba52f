"""Next year's round from this year's: the same awards, rubric, questions, panel and reminders,
one year on.

Every instant moves by one year at the same local clock time (a call closing at 12:00 in Oslo
closes at 12:00 in Oslo next year, whether or not daylight saving time is in force then), so
the UTC difference is not always exactly 365 or 366 days. The copy starts as a draft for an
administrator to check; nothing about nominations, reviews or decisions is copied.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

from nominations import policy
from nominations.models import (
    AwardCategory,
    AwardRound,
    CategoryQuestion,
    Criterion,
    Panel,
    PanelMember,
    ReminderRule,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import shift_local
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.questions.definitions import COPIED_FIELDS as QUESTION_FIELDS
from nominations.workflow.rounds import CATEGORY_FIELDS, ROUND_FIELDS, ROUND_SETTINGS
from nominations.workflow.rubric import CRITERION_FIELDS


def next_year_name(award_round: AwardRound, field: str = "name") -> str:
    """The name (``field``: its bokmål, "name_nb") with its year moved on ("OUH Research
    Awards 2025" -> "... 2026"); names without the year stay as they are."""
    year = str(award_round.year)
    name = getattr(award_round, field) or ""
    return re.sub(rf"(?<!\d){year}(?!\d)", str(award_round.year + 1), name)


def _next_year_date(day: date | None) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def existing_next_year(award_round: AwardRound) -> AwardRound | None:
    return db.session.execute(
        db.select(AwardRound).where(
            AwardRound.name == next_year_name(award_round),
            AwardRound.year == award_round.year + 1,
        )
    ).scalar_one_or_none()


def open_next_year(award_round: AwardRound, *, actor: User) -> AwardRound:
    """Copy ``award_round`` into a draft round for the following year."""
    policy.authorize("round.clone", actor, award_round)
    year = award_round.year + 1
    name = next_year_name(award_round)
    if year > 2200:
        raise WorkflowError(_("Rounds can be planned up to the year %(year)d.", year=2200))
    if existing_next_year(award_round) is not None:
        raise WorkflowError(
            _("There is already a round %(name)s for %(year)d.", name=name, year=year)
        )

    new_round = AwardRound(
        name=name,
        name_nb=next_year_name(award_round, "name_nb"),
        year=year,
        opens_at=shift_local(award_round.opens_at, years=1),
        closes_at=shift_local(award_round.closes_at, years=1),
        review_deadline=shift_local(award_round.review_deadline, years=1),
        ceremony_on=_next_year_date(award_round.ceremony_on),
        status=RoundStatus.DRAFT,
        cloned_from_id=award_round.id,
        **{name: getattr(award_round, name) for name in ROUND_SETTINGS},
    )
    db.session.add(new_round)
    db.session.flush()

    # Categories with their rubric; remember which new category replaces which old one.
    new_categories: dict[int, AwardCategory] = {}
    old_categories = award_round.categories
    criteria = (
        db.session.execute(
            db.select(Criterion)
            .where(Criterion.category_id.in_([c.id for c in old_categories]))
            .order_by(Criterion.category_id, Criterion.position, Criterion.id)
        )
        .scalars()
        .all()
    )
    for old in old_categories:
        copy = AwardCategory(
            round_id=new_round.id,
            position=old.position,
            lineage=old.lineage,  # the same prize, one year on (workflow/history.py)
            **{name: getattr(old, name) for name in CATEGORY_FIELDS},
        )
        db.session.add(copy)
        new_categories[old.id] = copy
    db.session.flush()
    criteria_count = 0
    for criterion in criteria:
        db.session.add(
            Criterion(
                category_id=new_categories[criterion.category_id].id,
                **{name: getattr(criterion, name) for name in CRITERION_FIELDS},
            )
        )
        criteria_count += 1

    # The questions each category asks its nominators (never their answers).
    questions = (
        db.session.execute(
            db.select(CategoryQuestion)
            .where(CategoryQuestion.category_id.in_([c.id for c in old_categories]))
            .order_by(CategoryQuestion.category_id, CategoryQuestion.position, CategoryQuestion.id)
        )
        .scalars()
        .all()
    )
    for question in questions:
        db.session.add(
            CategoryQuestion(
                category_id=new_categories[question.category_id].id,
                **{name: getattr(question, name) for name in QUESTION_FIELDS},
            )
        )

    # Panels with their members and roles; people no longer active are left out.
    panels = (
        db.session.execute(
            db.select(Panel)
            .where(Panel.round_id == award_round.id)
            .options(db.selectinload(Panel.members).joinedload(PanelMember.user))
            .order_by(Panel.id)
        )
        .scalars()
        .all()
    )
    members_count = 0
    left_out: list[str] = []
    for panel in panels:
        new_panel = Panel(
            round_id=new_round.id,
            category_id=new_categories[panel.category_id].id if panel.category_id else None,
            name=panel.name,
        )
        for member in sorted(panel.members, key=lambda m: m.id):
            if not member.user.active:
                left_out.append(f"{member.user.name} ({panel.name})")
                continue
            new_panel.members.append(PanelMember(user_id=member.user_id, role=member.role))
            members_count += 1
        db.session.add(new_panel)

    rules = (
        db.session.execute(
            db.select(ReminderRule)
            .where(ReminderRule.round_id == award_round.id)
            .order_by(ReminderRule.id)
        )
        .scalars()
        .all()
    )
    rules_count = 0
    for rule in rules:
        db.session.add(
            ReminderRule(
                round_id=new_round.id,
                kind=rule.kind,
                days_before=rule.days_before,
                enabled=rule.enabled,
            )
        )
        rules_count += 1
    db.session.flush()

    after = audit.snapshot(new_round, ROUND_FIELDS)
    after.update(
        cloned_from=award_round.title,
        cloned_from_id=award_round.id,
        categories=len(new_categories),
        criteria=criteria_count,
        questions=len(questions),
        panel_members=members_count,
        reminder_rules=rules_count,
    )
    if left_out:
        after["inactive_members_left_out"] = left_out
    audit.record("round.clone", new_round, actor=actor, after=after, round_id=new_round.id)
    db.session.flush()
    return new_round
