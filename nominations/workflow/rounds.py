"""Award rounds and categories: creating and editing them (admins)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

from flask_babel import gettext as _

from nominations import policy
from nominations.models import (
    AwardCategory,
    AwardRound,
    BlindMode,
    Criterion,
    ReminderKind,
    ReminderRule,
    RoundStatus,
    User,
    db,
)
from nominations.workflow import audit
from nominations.workflow.conflicts import sync_automatic_conflicts
from nominations.workflow.errors import WorkflowError
from nominations.workflow.round_rules import (  # noqa: F401 (MAX_PRIZE_AMOUNT: for tests)
    MAX_PRIZE_AMOUNT,
    validate_category,
    validate_round,
)
from nominations.workflow.text import clean, clean_line

ROUND_FIELDS = (
    "name",
    "name_nb",
    "year",
    "organiser",
    "description",
    "description_nb",
    "opens_at",
    "closes_at",
    "review_deadline",
    "ceremony_on",
    "blind_mode",
    "department_conflicts",
    "inform_nominees",
    "retain_documents_months",
    "retain_comments_months",
    "retain_drafts_days",
    "coauthor_years",
    "status",
)
# What a round copies into next year's beside its names and dates (workflow.cloning).
ROUND_SETTINGS = (
    "organiser",
    "description",
    "description_nb",
    "blind_mode",
    "department_conflicts",
    "inform_nominees",
    "retain_documents_months",
    "retain_comments_months",
    "retain_drafts_days",
    "coauthor_years",
)
CATEGORY_FIELDS = (
    "name",
    "name_nb",
    "description",
    "description_nb",
    "eligibility_text",
    "eligibility_text_nb",
    "phd_within_years",
    "exclude_winners_within_years",
    "prize_amount",
    "currency",
    "prize_count",
    "funder",
    "self_nomination_allowed",
    "department_nomination_allowed",
    "word_limit",
    "requires_cv",
    "requires_publications",
    "max_support_letters",
    "required_letters",
    "letter_days_after_close",
)

# Reminders every new round starts with; admins can change them per round.
DEFAULT_REMINDERS: tuple[tuple[ReminderKind, int | None], ...] = (
    (ReminderKind.CALL_OPENED, None),
    (ReminderKind.CALL_CLOSING, 14),
    (ReminderKind.CALL_CLOSING, 7),
    (ReminderKind.CALL_CLOSING, 1),
    (ReminderKind.DRAFT_PENDING, 14),
    (ReminderKind.DRAFT_PENDING, 7),
    (ReminderKind.DRAFT_PENDING, 1),
    (ReminderKind.REVIEW_DUE, 7),
    (ReminderKind.REVIEW_DUE, 2),
    (ReminderKind.RESULTS_PUBLISHED, None),
)

# The rubric a new category starts with, in English and bokmål (stored texts, which the
# administrator may edit like any other): (name, name_nb, guidance, guidance_nb, weight).
DEFAULT_CRITERIA: tuple[tuple[str, str, str, str, float], ...] = (
    (
        "Scientific excellence",
        "Vitenskapelig kvalitet",
        "Originality, quality and significance of the research.",
        "Forskningens originalitet, kvalitet og betydning.",
        2.0,
    ),
    (
        "Impact",
        "Gjennomslag",
        "Impact on patients, the field, society or the institute.",
        "Betydning for pasienter, fagfeltet, samfunnet eller instituttet.",
        1.0,
    ),
    (
        "Leadership and collaboration",
        "Ledelse og samarbeid",
        "Mentoring, building teams and working across groups.",
        "Veiledning, å bygge lag og å samarbeide på tvers av grupper.",
        1.0,
    ),
)


@dataclass
class RoundData:
    name: str
    year: int
    opens_at: datetime
    closes_at: datetime
    review_deadline: datetime
    organiser: str = ""
    description: str = ""
    name_nb: str = ""  # bokmål beside the English (optional: the English is shown instead)
    description_nb: str = ""
    ceremony_on: date | None = None
    blind_mode: str = BlindMode.AFTER_OWN
    department_conflicts: bool = False
    # Personal data: tell nominees when the call closes; how long things are kept.
    inform_nominees: bool = False
    retain_documents_months: int = 12
    retain_comments_months: int = 12
    retain_drafts_days: int = 30
    coauthor_years: int = 5


@dataclass
class CategoryData:
    name: str
    prize_amount: int
    prize_count: int = 1
    description: str = ""
    eligibility_text: str = ""
    name_nb: str = ""  # bokmål beside the English (optional: the English is shown instead)
    description_nb: str = ""
    eligibility_text_nb: str = ""
    phd_within_years: int | None = None
    exclude_winners_within_years: int | None = None
    currency: str = "NOK"
    funder: str = ""
    self_nomination_allowed: bool = False
    department_nomination_allowed: bool = False
    word_limit: int = 1000
    requires_cv: bool = True
    requires_publications: bool = False
    max_support_letters: int = 3
    required_letters: int = 0
    letter_days_after_close: int | None = None
    extra: dict = field(default_factory=dict)


def _clean_round(data: RoundData) -> RoundData:
    return replace(
        data,
        name=clean_line(data.name),
        name_nb=clean_line(data.name_nb),
        organiser=clean_line(data.organiser),
        description=clean(data.description, multiline=True),
        description_nb=clean(data.description_nb, multiline=True),
    )


def create_round(data: RoundData, *, actor: User, reminders: bool = True) -> AwardRound:
    policy.authorize("round.manage", actor)
    data = _clean_round(data)
    validate_round(data)
    award_round = AwardRound(**{**asdict(data), "name": data.name.strip()})
    db.session.add(award_round)
    db.session.flush()
    if reminders:
        for kind, days in DEFAULT_REMINDERS:
            db.session.add(ReminderRule(round_id=award_round.id, kind=kind, days_before=days))
    audit.record(
        "round.create",
        award_round,
        actor=actor,
        after=audit.snapshot(award_round, ROUND_FIELDS),
        round_id=award_round.id,
    )
    db.session.flush()
    return award_round


def update_round(award_round: AwardRound, data: RoundData, *, actor: User) -> AwardRound:
    policy.authorize("round.manage", actor, award_round)
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(_("A published round can no longer be edited."))
    data = _clean_round(data)
    validate_round(data, existing=award_round)
    before = audit.snapshot(award_round, ROUND_FIELDS)
    for key, value in asdict(data).items():
        setattr(award_round, key, value.strip() if key == "name" else value)
    db.session.flush()
    old, new = audit.changed(before, audit.snapshot(award_round, ROUND_FIELDS))
    if new:
        audit.record(
            "round.update", award_round, actor=actor, before=old, after=new, round_id=award_round.id
        )
    # The department setting and the dates decide the automatic conflicts.
    sync_automatic_conflicts(award_round)
    db.session.flush()
    return award_round


def _clean_category(data: CategoryData) -> CategoryData:
    return replace(
        data,
        name=clean_line(data.name),
        name_nb=clean_line(data.name_nb),
        description=clean(data.description, multiline=True),
        description_nb=clean(data.description_nb, multiline=True),
        eligibility_text=clean(data.eligibility_text, multiline=True),
        eligibility_text_nb=clean(data.eligibility_text_nb, multiline=True),
        funder=clean_line(data.funder),
        currency=clean_line(data.currency).upper() or "NOK",
    )


def _category_values(data: CategoryData) -> dict:
    values = asdict(data)
    values.pop("extra")
    return values


def _check_unique_name(award_round: AwardRound, name: str, category_id: int | None) -> None:
    clash = db.session.execute(
        db.select(AwardCategory.id).where(
            AwardCategory.round_id == award_round.id, AwardCategory.name == name.strip()
        )
    ).scalar_one_or_none()
    if clash is not None and clash != category_id:
        raise WorkflowError(
            _("This round already has a category called %(name)s.", name=name), "name"
        )


def create_category(
    award_round: AwardRound, data: CategoryData, *, actor: User, rubric: bool = True
) -> AwardCategory:
    policy.authorize("round.manage", actor, award_round)
    data = _clean_category(data)
    validate_category(data)
    _check_unique_name(award_round, data.name, None)
    position = len(award_round.categories)
    category = AwardCategory(round=award_round, position=position, **_category_values(data))
    db.session.add(category)
    db.session.flush()
    if rubric:
        for index, (name, name_nb, guidance, guidance_nb, weight) in enumerate(DEFAULT_CRITERIA):
            db.session.add(
                Criterion(
                    category_id=category.id,
                    position=index,
                    name=name,
                    name_nb=name_nb,
                    guidance=guidance,
                    guidance_nb=guidance_nb,
                    weight=weight,
                )
            )
    audit.record(
        "category.create",
        category,
        actor=actor,
        after=audit.snapshot(category, CATEGORY_FIELDS),
        round_id=award_round.id,
    )
    db.session.flush()
    return category


def update_category(category: AwardCategory, data: CategoryData, *, actor: User) -> AwardCategory:
    policy.authorize("round.manage", actor, category.round)
    if category.round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(_("A published round can no longer be edited."))
    data = _clean_category(data)
    validate_category(data)
    _check_unique_name(category.round, data.name, category.id)
    before = audit.snapshot(category, CATEGORY_FIELDS)
    for key, value in _category_values(data).items():
        setattr(category, key, value)
    db.session.flush()
    old, new = audit.changed(before, audit.snapshot(category, CATEGORY_FIELDS))
    if new:
        audit.record(
            "category.update",
            category,
            actor=actor,
            before=old,
            after=new,
            round_id=category.round_id,
        )
    db.session.flush()
    return category
