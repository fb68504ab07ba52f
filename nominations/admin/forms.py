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
from nominations.workflow.rounds import (
    MAX_PHD_YEARS,
    MAX_PRIZE_AMOUNT,
    MAX_PRIZE_COUNT,
    MAX_SUPPORT_LETTERS,
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
    (BlindMode.AFTER_OWN.value, "After submitting their own review (default)"),
    (BlindMode.NEVER.value, "Never"),
    (BlindMode.ALWAYS.value, "Always"),
]


class UserForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    department_id = SelectField("Department", coerce=int, validators=[Optional()])
    is_staff = BooleanField("Staff (can nominate)", default=True)
    is_reviewer = BooleanField("Reviewer (can sit on review panels)")
    is_admin = BooleanField("Administrator")
    active = BooleanField("Active (can sign in)", default=True)
    password = PasswordField(
        "Password",
        validators=[Optional(), Length(min=8, max=200)],
        description="At least 8 characters. Leave empty to keep the current password.",
    )
    submit = SubmitField("Save user")


class RoundForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    year = IntegerField("Year", validators=[DataRequired(), NumberRange(2000, 2200)])
    organiser = StringField("Organiser", validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    opens_date = DateField("Opens on", validators=[DataRequired()])
    opens_time = ClockField(
        "Opening time", validators=[Optional()], description="Empty: at the start of the day."
    )
    closes_date = DateField("Closes on", validators=[DataRequired()])
    closes_time = ClockField(
        "Closing time",
        validators=[Optional()],
        description="Empty: at the end of the day (23:59:59).",
    )
    review_date = DateField("Review deadline", validators=[DataRequired()])
    review_time = ClockField(
        "Review deadline time",
        validators=[Optional()],
        description="Empty: at the end of the day (23:59:59).",
    )
    ceremony_on = DateField("Ceremony date", validators=[Optional()])
    blind_mode = SelectField("Reviewers see each other's scores", choices=BLIND_CHOICES)
    department_conflicts = BooleanField(
        "Reviewers in the nominee's department have a conflict of interest"
    )
    submit = SubmitField("Save round")


class ConfirmOpeningForm(FlaskForm):
    """The administrator's confirmation of a round's opening (CSRF only)."""

    submit = SubmitField("Confirm the opening")


class CategoryForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    eligibility_text = TextAreaField("Eligibility", validators=[Optional(), Length(max=5000)])
    phd_within_years = IntegerField(
        "PhD within the last N years",
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_PHD_YEARS,
                message=f"Enter a number of years from 1 to {MAX_PHD_YEARS}.",
            ),
        ],
        description="Career-stage rule. Leave empty when the category has none.",
    )
    prize_amount = IntegerField(
        "Prize amount",
        description="A whole number, in the currency below.",
        validators=[
            DataRequired(message="Enter the prize amount as a positive whole number."),
            NumberRange(min=1, message="The prize amount must be positive."),
            NumberRange(max=MAX_PRIZE_AMOUNT, message="The prize amount is too large."),
        ],
    )
    currency = StringField(
        "Currency",
        default="NOK",
        validators=[DataRequired(message="Enter a currency code such as NOK."), Length(max=3)],
        description="A three-letter code: NOK, EUR, SEK ...",
    )
    prize_count = IntegerField(
        "Number of prizes",
        default=1,
        validators=[
            DataRequired(message="Enter the number of prizes (at least 1)."),
            NumberRange(min=1, message="There must be at least one prize."),
            NumberRange(max=MAX_PRIZE_COUNT, message=f"At most {MAX_PRIZE_COUNT} prizes."),
        ],
    )
    funder = StringField("Funder", validators=[Optional(), Length(max=200)])
    self_nomination_allowed = BooleanField("Self-nomination allowed")
    department_nomination_allowed = BooleanField("Departments may nominate")
    word_limit = IntegerField(
        "Word limit for the statement",
        default=1000,
        validators=[
            DataRequired(),
            NumberRange(min=1, message="The word limit must be positive."),
            NumberRange(max=MAX_WORD_LIMIT, message=f"At most {MAX_WORD_LIMIT} words."),
        ],
    )
    requires_cv = BooleanField("A CV is required", default=True)
    requires_publications = BooleanField("A publication list is required")
    max_support_letters = IntegerField(
        "Support letters allowed",
        default=3,
        validators=[Optional(), NumberRange(min=0, max=MAX_SUPPORT_LETTERS)],
    )
    submit = SubmitField("Save category")
