"""What a round or a category may say: the limits and the checks, with the administrator's
message for each refusal (in the reader's language). ``rounds.py`` cleans the data, calls
these and stores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.numbers import format_decimal
from flask_babel import gettext as _

from nominations.languages import formatting_locale
from nominations.models import AwardRound, BlindMode, db
from nominations.timeutil import format_local, to_local
from nominations.workflow.errors import WorkflowError
from nominations.workflow.text import refuse_disguised

if TYPE_CHECKING:
    from nominations.workflow.rounds import CategoryData, RoundData

# Limits of what a round or category may say (the columns hold 200 characters; the numbers
# must fit a 32-bit integer column, and be plausible).
MAX_NAME = 200
MAX_TEXT = 5000
YEARS = (2000, 2200)  # every date of a round (as the year CHECK constraint)
MAX_PRIZE_AMOUNT = 1_000_000_000
MAX_PRIZE_COUNT = 100
MAX_WORD_LIMIT = 20_000
MAX_PHD_YEARS = 100
MAX_WINNER_YEARS = 50
MAX_SUPPORT_LETTERS = 20
MAX_REQUIRED_LETTERS = 10  # the most referees a nomination may have (workflow/referees)
MAX_LETTER_DAYS = 365


def _check_name_lengths(data, *names: str) -> None:
    """The English name and its bokmål beside it: each at most MAX_NAME characters."""
    for name in names:
        if len(getattr(data, name)) > MAX_NAME:
            raise WorkflowError(
                _("The name can be at most %(num)d characters long.", num=MAX_NAME), name
            )


def validate_round(data: RoundData, existing: AwardRound | None = None) -> None:
    """Checks ``data`` as cleaned by ``rounds._clean_round`` (create and update do)."""
    if not data.name.strip():
        raise WorkflowError(_("Give the round a name."), "name")
    refuse_disguised(data.name, "name")
    refuse_disguised(data.name_nb, "name_nb")
    refuse_disguised(data.organiser, "organiser", "organiser")
    _check_name_lengths(data, "name", "name_nb")
    if len(data.organiser) > MAX_NAME:
        raise WorkflowError(
            _("The organiser can be at most %(num)d characters long.", num=MAX_NAME), "organiser"
        )
    for name in ("description", "description_nb"):
        if len(getattr(data, name)) > MAX_TEXT:
            raise WorkflowError(
                _("The description can be at most %(num)d characters long.", num=MAX_TEXT), name
            )
    low, high = YEARS
    if not low <= data.year <= high:
        raise WorkflowError(
            _("Enter a year between %(low)d and %(high)d.", low=low, high=high), "year"
        )
    years = {
        "opens_at": to_local(data.opens_at).year,
        "closes_at": to_local(data.closes_at).year,
        "review_deadline": to_local(data.review_deadline).year,
        "ceremony_on": data.ceremony_on.year if data.ceremony_on else low,
    }
    for name, year in years.items():
        if not low <= year <= high:
            raise WorkflowError(
                _("Enter a date between the years %(low)d and %(high)d.", low=low, high=high),
                name,
            )
    if data.closes_at <= data.opens_at:
        raise WorkflowError(
            _(
                "The closing time must be after the opening time (%(when)s).",
                when=format_local(data.opens_at),
            ),
            "closes_at",
        )
    if data.review_deadline <= data.closes_at:
        raise WorkflowError(
            _(
                "The review deadline must be after the closing time (%(when)s).",
                when=format_local(data.closes_at),
            ),
            "review_deadline",
        )
    if data.blind_mode not in set(BlindMode):
        raise WorkflowError(_("Choose when reviewers see each other's scores."), "blind_mode")
    duplicate = db.session.execute(
        db.select(AwardRound.id).where(
            AwardRound.name == data.name.strip(), AwardRound.year == data.year
        )
    ).scalar_one_or_none()
    if duplicate is not None and (existing is None or duplicate != existing.id):
        raise WorkflowError(
            _("There is already a round %(name)s for %(year)d.", name=data.name, year=data.year),
            "name",
        )


def validate_category(data: CategoryData) -> None:
    """Checks ``data`` as cleaned by ``rounds._clean_category`` (create and update do)."""
    if not data.name.strip():
        raise WorkflowError(_("Give the category a name."), "name")
    refuse_disguised(data.name, "name")
    refuse_disguised(data.name_nb, "name_nb")
    refuse_disguised(data.funder, "funder", "funder")
    _check_name_lengths(data, "name", "name_nb")
    if len(data.funder) > MAX_NAME:
        raise WorkflowError(
            _("The funder can be at most %(num)d characters long.", num=MAX_NAME), "funder"
        )
    for name in ("description", "description_nb", "eligibility_text", "eligibility_text_nb"):
        if len(getattr(data, name)) > MAX_TEXT:
            raise WorkflowError(
                _("This text can be at most %(num)d characters long.", num=MAX_TEXT), name
            )
    if not (len(data.currency) == 3 and data.currency.isascii() and data.currency.isalpha()):
        raise WorkflowError(_("The currency is a three-letter code such as NOK."), "currency")
    _check_numbers(data)


def _check_numbers(data: CategoryData) -> None:
    if data.prize_amount is None or data.prize_amount <= 0:
        raise WorkflowError(_("The prize amount must be a positive whole number."), "prize_amount")
    if data.prize_amount > MAX_PRIZE_AMOUNT:
        most = format_decimal(MAX_PRIZE_AMOUNT, locale=formatting_locale())
        raise WorkflowError(
            _("The prize amount can be at most %(amount)s.", amount=most), "prize_amount"
        )
    if data.prize_count is None or data.prize_count <= 0:
        raise WorkflowError(_("The number of prizes must be at least 1."), "prize_count")
    if data.prize_count > MAX_PRIZE_COUNT:
        raise WorkflowError(
            _("At most %(num)d prizes per category.", num=MAX_PRIZE_COUNT), "prize_count"
        )
    if data.word_limit is None or data.word_limit <= 0:
        raise WorkflowError(_("The word limit must be at least 1 word."), "word_limit")
    if data.word_limit > MAX_WORD_LIMIT:
        raise WorkflowError(
            _("The word limit can be at most %(num)d words.", num=MAX_WORD_LIMIT), "word_limit"
        )
    if data.phd_within_years is not None and data.phd_within_years <= 0:
        raise WorkflowError(
            _("The career-stage rule needs a positive number of years."), "phd_within_years"
        )
    if data.phd_within_years is not None and data.phd_within_years > MAX_PHD_YEARS:
        raise WorkflowError(
            _("The career-stage rule can be at most %(num)d years.", num=MAX_PHD_YEARS),
            "phd_within_years",
        )
    years = data.exclude_winners_within_years
    if years is not None and not 1 <= years <= MAX_WINNER_YEARS:
        raise WorkflowError(
            _(
                "The rule on earlier winners needs a number of years from 1 to %(most)d.",
                most=MAX_WINNER_YEARS,
            ),
            "exclude_winners_within_years",
        )
    if data.max_support_letters is None or data.max_support_letters < 0:
        raise WorkflowError(
            _("The number of support letters cannot be negative."), "max_support_letters"
        )
    if data.max_support_letters > MAX_SUPPORT_LETTERS:
        raise WorkflowError(
            _("At most %(num)d support letters.", num=MAX_SUPPORT_LETTERS), "max_support_letters"
        )
    if data.required_letters is None or not 0 <= data.required_letters <= MAX_REQUIRED_LETTERS:
        raise WorkflowError(
            _(
                "The number of required letters of reference is between 0 and %(num)d.",
                num=MAX_REQUIRED_LETTERS,
            ),
            "required_letters",
        )
    days = data.letter_days_after_close
    if days is not None and not 0 <= days <= MAX_LETTER_DAYS:
        raise WorkflowError(
            _(
                "Letters of reference are due between 0 and %(num)d days after the close.",
                num=MAX_LETTER_DAYS,
            ),
            "letter_days_after_close",
        )
