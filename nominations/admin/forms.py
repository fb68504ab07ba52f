from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from nominations.models import BlindMode
from nominations.workflow.round_rules import (
    MAX_LETTER_DAYS,
    MAX_PHD_YEARS,
    MAX_PRIZE_AMOUNT,
    MAX_PRIZE_COUNT,
    MAX_REQUIRED_LETTERS,
    MAX_SUPPORT_LETTERS,
    MAX_WINNER_YEARS,
    MAX_WORD_LIMIT,
)


class ClockField(TimeField):
    """A time of day that keeps its seconds.

    A plain TimeField shows and reads HH:MM, so saving a round unchanged moved 23:59:59 to
    23:59. This one shows HH:MM:SS when the time has seconds (and then lets the browser's
    input step by seconds, so the value is valid there), and reads both forms.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%H:%M:%S", "%H:%M"], **kwargs)

    def _has_seconds(self) -> bool:
        if self.raw_data:
            return any(value.count(":") == 2 for value in self.raw_data)
        return self.data is not None and self.data.second != 0

    def __call__(self, **kwargs):
        if self._has_seconds():
            kwargs.setdefault("step", "1")
        return super().__call__(**kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is None:
            return ""
        return self.data.strftime("%H:%M:%S" if self.data.second else "%H:%M")


BLIND_CHOICES = [
    (BlindMode.AFTER_OWN.value, _l("After submitting their own review (default)")),
    (BlindMode.NEVER.value, _l("Never")),
    (BlindMode.ALWAYS.value, _l("Always")),
]


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    department_id = SelectField(_l("Department"), coerce=int, validators=[Optional()])
    is_staff = BooleanField(_l("Staff (can nominate)"), default=True)
    is_reviewer = BooleanField(_l("Reviewer (can sit on review panels)"))
    is_admin = BooleanField(_l("Administrator"))
    active = BooleanField(_l("Active (can sign in)"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=8, max=200)],
        description=_l("At least 8 characters. Leave empty to keep the current password."),
    )
    submit = SubmitField(_l("Save user"))


# Administrators' texts come in English (required where the text is, the name identifies the
# round or category and names its files) and bokmål (optional: readers of bokmål see the
# English where it is empty), under the same field names as the columns (``name_nb`` ...).
ENGLISH_NAME = _l("Name (English)")
BOKMAL_NAME = _l("Name (bokmål)")
BOKMAL_OPTIONAL = _l("Optional: where it is empty, bokmål readers see the English.")


def _from_to(low: int, high: int, message) -> list:
    """A required whole number from ``low`` to ``high``; one message for missing or out of
    range."""
    return [DataRequired(message=message), NumberRange(low, high, message=message)]


class RoundForm(FlaskForm):
    name = StringField(ENGLISH_NAME, validators=[DataRequired(), Length(max=200)])
    name_nb = StringField(
        BOKMAL_NAME, validators=[Optional(), Length(max=200)], description=BOKMAL_OPTIONAL
    )
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2200)])
    organiser = StringField(_l("Organiser"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=5000)]
    )
    description_nb = TextAreaField(
        _l("Description (bokmål)"), validators=[Optional(), Length(max=5000)]
    )
    opens_date = DateField(_l("Opens on"), validators=[DataRequired()])
    opens_time = ClockField(
        _l("Opening time"),
        validators=[Optional()],
        description=_l("Empty: at the start of the day."),
    )
    closes_date = DateField(_l("Closes on"), validators=[DataRequired()])
    closes_time = ClockField(
        _l("Closing time"),
        validators=[Optional()],
        description=_l("Empty: at the end of the day (23:59:59)."),
    )
    review_date = DateField(_l("Review deadline"), validators=[DataRequired()])
    review_time = ClockField(
        _l("Review deadline time"),
        validators=[Optional()],
        description=_l("Empty: at the end of the day (23:59:59)."),
    )
    ceremony_on = DateField(_l("Ceremony date"), validators=[Optional()])
    blind_mode = SelectField(_l("Reviewers see each other's scores"), choices=BLIND_CHOICES)
    department_conflicts = BooleanField(
        _l("Reviewers in the nominee's department have a conflict of interest")
    )
    # Personal data (README "Personal data"): the notice to nominees and the retention periods.
    inform_nominees = BooleanField(
        _l("Inform nominees when the call closes"),
        description=_l(
            "Each nominee with an e-mail address is told that they have been nominated, for "
            "which category, what is held about them and for how long (not who nominated them)."
        ),
    )
    retain_documents_months = IntegerField(
        _l("Delete the documents of nominations that did not win after (months)"),
        default=12,
        validators=_from_to(1, 120, _l("Enter a number of months from 1 to 120.")),
        description=_l("Counted from the publication of the results. Winners keep theirs."),
    )
    retain_comments_months = IntegerField(
        _l("Clear the review comments after (months)"),
        default=12,
        validators=_from_to(1, 120, _l("Enter a number of months from 1 to 120.")),
        description=_l(
            "Counted from the publication of the results. Scores and decisions are kept."
        ),
    )
    retain_drafts_days = IntegerField(
        _l("Delete drafts never submitted after (days)"),
        default=30,
        validators=_from_to(1, 365, _l("Enter a number of days from 1 to 365.")),
        description=_l("Counted from the closing of the call."),
    )
    coauthor_years = IntegerField(
        _l("Propose a conflict for publications shared within (years)"),
        default=5,
        validators=_from_to(1, 20, _l("Enter a number of years from 1 to 20.")),
        description=_l(
            "A reviewer and a nominee who wrote a publication together in this many years "
            "before the round's year are proposed to the chair as a conflict of interest."
        ),
    )
    submit = SubmitField(_l("Save round"))


class ConfirmOpeningForm(FlaskForm):
    """The administrator's confirmation of a round's opening (CSRF only)."""

    submit = SubmitField(_l("Confirm the opening"))


class CategoryForm(FlaskForm):
    name = StringField(ENGLISH_NAME, validators=[DataRequired(), Length(max=200)])
    name_nb = StringField(
        BOKMAL_NAME, validators=[Optional(), Length(max=200)], description=BOKMAL_OPTIONAL
    )
    description = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=5000)]
    )
    description_nb = TextAreaField(
        _l("Description (bokmål)"), validators=[Optional(), Length(max=5000)]
    )
    eligibility_text = TextAreaField(
        _l("Eligibility (English)"), validators=[Optional(), Length(max=5000)]
    )
    eligibility_text_nb = TextAreaField(
        _l("Eligibility (bokmål)"), validators=[Optional(), Length(max=5000)]
    )
    phd_within_years = IntegerField(
        _l("PhD within the last N years"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_PHD_YEARS,
                message=_l("Enter a number of years from 1 to %(most)d.", most=MAX_PHD_YEARS),
            ),
        ],
        description=_l("Career-stage rule. Leave empty when the category has none."),
    )
    exclude_winners_within_years = IntegerField(
        _l("Earlier winners excluded for N years"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_WINNER_YEARS,
                message=_l("Enter a number of years from 1 to %(most)d.", most=MAX_WINNER_YEARS),
            ),
        ],
        description=_l(
            "Those who won this prize (this category, or the one it was cloned from) in the "
            "last N years cannot be nominated. Leave empty when the category has no such rule."
        ),
    )
    prize_amount = IntegerField(
        _l("Prize amount"),
        description=_l("A whole number, in the currency below."),
        validators=[
            DataRequired(message=_l("Enter the prize amount as a positive whole number.")),
            NumberRange(min=1, message=_l("The prize amount must be positive.")),
            NumberRange(max=MAX_PRIZE_AMOUNT, message=_l("The prize amount is too large.")),
        ],
    )
    currency = StringField(
        _l("Currency"),
        default="NOK",
        validators=[DataRequired(message=_l("Enter a currency code such as NOK.")), Length(max=3)],
        description=_l("A three-letter code: NOK, EUR, SEK ..."),
    )
    prize_count = IntegerField(
        _l("Number of prizes"),
        default=1,
        validators=[
            DataRequired(message=_l("Enter the number of prizes (at least 1).")),
            NumberRange(min=1, message=_l("There must be at least one prize.")),
            NumberRange(
                max=MAX_PRIZE_COUNT, message=_l("At most %(num)d prizes.", num=MAX_PRIZE_COUNT)
            ),
        ],
    )
    funder = StringField(_l("Funder"), validators=[Optional(), Length(max=200)])
    self_nomination_allowed = BooleanField(_l("Self-nomination allowed"))
    department_nomination_allowed = BooleanField(_l("Departments may nominate"))
    word_limit = IntegerField(
        _l("Word limit for the statement"),
        default=1000,
        validators=[
            DataRequired(),
            NumberRange(min=1, message=_l("The word limit must be positive.")),
            NumberRange(
                max=MAX_WORD_LIMIT, message=_l("At most %(num)d words.", num=MAX_WORD_LIMIT)
            ),
        ],
    )
    requires_cv = BooleanField(_l("A CV is required"), default=True)
    requires_publications = BooleanField(_l("A publication list is required"))
    max_support_letters = IntegerField(
        _l("Support letters allowed"),
        default=3,
        validators=[Optional(), NumberRange(min=0, max=MAX_SUPPORT_LETTERS)],
    )
    required_letters = IntegerField(
        _l("Letters of reference required"),
        default=0,
        description=_l(
            "Referees named by the nominator upload their letters by a personal link; a "
            "nomination is complete once this many letters have come."
        ),
        validators=[Optional(), NumberRange(min=0, max=MAX_REQUIRED_LETTERS)],
    )
    letter_days_after_close = IntegerField(
        _l("Letters due (days after the call closes)"),
        description=_l(
            "Empty: the institute's default (7 days). Never later than the review deadline."
        ),
        validators=[Optional(), NumberRange(min=0, max=MAX_LETTER_DAYS)],
    )
    submit = SubmitField(_l("Save category"))
