"""Award rounds and categories: creating and editing them (admins)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

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
from nominations.timeutil import format_local, to_local
from nominations.workflow import audit
from nominations.workflow.conflicts import sync_automatic_conflicts
from nominations.workflow.errors import WorkflowError
from nominations.workflow.text import clean, clean_line, refuse_disguised

ROUND_FIELDS = (
    "name",
    "year",
    "organiser",
    "description",
    "opens_at",
    "closes_at",
    "review_deadline",
    "ceremony_on",
    "blind_mode",
    "department_conflicts",
    "status",
)
CATEGORY_FIELDS = (
    "name",
    "description",
    "eligibility_text",
    "phd_within_years",
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

# The rubric a new category starts with: (name, guidance, weight).
DEFAULT_CRITERIA: tuple[tuple[str, str, float], ...] = (
    (
        "Scientific excellence",
        "Originality, quality and significance of the research.",
        2.0,
    ),
    ("Impact", "Impact on patients, the field, society or the institute.", 1.0),
    (
        "Leadership and collaboration",
        "Mentoring, building teams and working across groups.",
        1.0,
    ),
)


# Limits of what a round or category may say (the columns hold 200 characters; the numbers
# must fit a 32-bit integer column, and be plausible).
MAX_NAME = 200
MAX_TEXT = 5000
YEARS = (2000, 2200)  # every date of a round (as the year CHECK constraint)
MAX_PRIZE_AMOUNT = 1_000_000_000
MAX_PRIZE_COUNT = 100
MAX_WORD_LIMIT = 20_000
MAX_PHD_YEARS = 100
MAX_SUPPORT_LETTERS = 20


@dataclass
class RoundData:
    name: str
    year: int
    opens_at: datetime
    closes_at: datetime
    review_deadline: datetime
    organiser: str = ""
    description: str = ""
    ceremony_on: date | None = None
    blind_mode: str = BlindMode.AFTER_OWN
    department_conflicts: bool = False


@dataclass
class CategoryData:
    name: str
    prize_amount: int
    prize_count: int = 1
    description: str = ""
    eligibility_text: str = ""
    phd_within_years: int | None = None
    currency: str = "NOK"
    funder: str = ""
    self_nomination_allowed: bool = False
    department_nomination_allowed: bool = False
    word_limit: int = 1000
    requires_cv: bool = True
    requires_publications: bool = False
    max_support_letters: int = 3
    extra: dict = field(default_factory=dict)


def _clean_round(data: RoundData) -> RoundData:
    return replace(
        data,
        name=clean_line(data.name),
        organiser=clean_line(data.organiser),
        description=clean(data.description, multiline=True),
    )


def validate_round(data: RoundData, existing: AwardRound | None = None) -> None:
    """Checks ``data`` as cleaned by ``_clean_round`` (create_round and update_round do)."""
    if not data.name.strip():
        raise WorkflowError("Give the round a name.", "name")
    refuse_disguised(data.name, "name")
    refuse_disguised(data.organiser, "organiser", "organiser")
    if len(data.name) > MAX_NAME:
        raise WorkflowError(f"The name can be at most {MAX_NAME} characters long.", "name")
    if len(data.organiser) > MAX_NAME:
        raise WorkflowError(
            f"The organiser can be at most {MAX_NAME} characters long.", "organiser"
        )
    if len(data.description) > MAX_TEXT:
        raise WorkflowError(
            f"The description can be at most {MAX_TEXT} characters long.", "description"
        )
    low, high = YEARS
    if not low <= data.year <= high:
        raise WorkflowError(f"Enter a year between {low} and {high}.", "year")
    years = {
        "opens_at": to_local(data.opens_at).year,
        "closes_at": to_local(data.closes_at).year,
        "review_deadline": to_local(data.review_deadline).year,
        "ceremony_on": data.ceremony_on.year if data.ceremony_on else low,
    }
    for name, year in years.items():
        if not low <= year <= high:
            raise WorkflowError(f"Enter a date between the years {low} and {high}.", name)
    if data.closes_at <= data.opens_at:
        raise WorkflowError(
            f"The closing time must be after the opening time ({format_local(data.opens_at)}).",
            "closes_at",
        )
    if data.review_deadline <= data.closes_at:
        raise WorkflowError(
            f"The review deadline must be after the closing time ({format_local(data.closes_at)}).",
            "review_deadline",
        )
    if data.blind_mode not in set(BlindMode):
        raise WorkflowError("Choose when reviewers see each other's scores.", "blind_mode")
    duplicate = db.session.execute(
        db.select(AwardRound.id).where(
            AwardRound.name == data.name.strip(), AwardRound.year == data.year
        )
    ).scalar_one_or_none()
    if duplicate is not None and (existing is None or duplicate != existing.id):
        raise WorkflowError(f"There is already a round {data.name} for {data.year}.", "name")


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
        raise WorkflowError("A published round can no longer be edited.")
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
        description=clean(data.description, multiline=True),
        eligibility_text=clean(data.eligibility_text, multiline=True),
        funder=clean_line(data.funder),
        currency=clean_line(data.currency).upper() or "NOK",
    )


def validate_category(data: CategoryData) -> None:
    """Checks ``data`` as cleaned by ``_clean_category`` (create and update do)."""
    if not data.name.strip():
        raise WorkflowError("Give the category a name.", "name")
    refuse_disguised(data.name, "name")
    refuse_disguised(data.funder, "funder", "funder")
    if len(data.name) > MAX_NAME:
        raise WorkflowError(f"The name can be at most {MAX_NAME} characters long.", "name")
    if len(data.funder) > MAX_NAME:
        raise WorkflowError(f"The funder can be at most {MAX_NAME} characters long.", "funder")
    for name in ("description", "eligibility_text"):
        if len(getattr(data, name)) > MAX_TEXT:
            raise WorkflowError(f"This text can be at most {MAX_TEXT} characters long.", name)
    if not (len(data.currency) == 3 and data.currency.isascii() and data.currency.isalpha()):
        raise WorkflowError("The currency is a three-letter code such as NOK.", "currency")
    if data.prize_amount is None or data.prize_amount <= 0:
        raise WorkflowError("The prize amount must be a positive whole number.", "prize_amount")
    if data.prize_amount > MAX_PRIZE_AMOUNT:
        raise WorkflowError(
            f"The prize amount can be at most {MAX_PRIZE_AMOUNT:,}.".replace(",", " "),
            "prize_amount",
        )
    if data.prize_count is None or data.prize_count <= 0:
        raise WorkflowError("The number of prizes must be at least 1.", "prize_count")
    if data.prize_count > MAX_PRIZE_COUNT:
        raise WorkflowError(f"At most {MAX_PRIZE_COUNT} prizes per category.", "prize_count")
    if data.word_limit is None or data.word_limit <= 0:
        raise WorkflowError("The word limit must be at least 1 word.", "word_limit")
    if data.word_limit > MAX_WORD_LIMIT:
        raise WorkflowError(f"The word limit can be at most {MAX_WORD_LIMIT} words.", "word_limit")
    if data.phd_within_years is not None and data.phd_within_years <= 0:
        raise WorkflowError(
            "The career-stage rule needs a positive number of years.", "phd_within_years"
        )
    if data.phd_within_years is not None and data.phd_within_years > MAX_PHD_YEARS:
        raise WorkflowError(
            f"The career-stage rule can be at most {MAX_PHD_YEARS} years.", "phd_within_years"
        )
    if data.max_support_letters is None or data.max_support_letters < 0:
        raise WorkflowError(
            "The number of support letters cannot be negative.", "max_support_letters"
        )
    if data.max_support_letters > MAX_SUPPORT_LETTERS:
        raise WorkflowError(
            f"At most {MAX_SUPPORT_LETTERS} support letters.", "max_support_letters"
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
        raise WorkflowError(f"This round already has a category called {name}.", "name")


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
        for index, (name, guidance, weight) in enumerate(DEFAULT_CRITERIA):
            db.session.add(
                Criterion(
                    category_id=category.id,
                    position=index,
                    name=name,
                    guidance=guidance,
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
        raise WorkflowError("A published round can no longer be edited.")
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
