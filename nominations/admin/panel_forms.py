"""Admin forms for review panels and rubrics."""

from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from nominations.models import PanelRole


class PanelForm(FlaskForm):
    name = StringField(
        "Panel name",
        default="Review panel",
        validators=[DataRequired(), Length(max=200)],
    )
    category_id = SelectField(
        "Covers",
        coerce=int,
        validators=[Optional()],
        description="A panel for one category, or for every category of the round.",
    )
    chair_id = SelectField(
        "Chair",
        coerce=int,
        validators=[DataRequired(message="Choose the chair.")],
        description="Only users with the reviewer role are listed.",
    )
    submit = SubmitField("Save panel")


class PanelEditForm(FlaskForm):
    name = StringField("Panel name", validators=[DataRequired(), Length(max=200)])
    category_id = SelectField("Covers", coerce=int, validators=[Optional()])
    submit = SubmitField("Save panel")


class MemberForm(FlaskForm):
    user_id = SelectField(
        "Reviewer", coerce=int, validators=[DataRequired(message="Choose a reviewer.")]
    )
    role = SelectField(
        "Role",
        choices=[(PanelRole.MEMBER.value, "Member"), (PanelRole.CHAIR.value, "Chair")],
        default=PanelRole.MEMBER.value,
        description="A new chair replaces the current one, who stays on as a member.",
    )
    submit = SubmitField("Add to the panel")


class CriterionForm(FlaskForm):
    name = StringField("Criterion", validators=[DataRequired(), Length(max=200)])
    guidance = TextAreaField("Guidance for reviewers", validators=[Optional(), Length(max=2000)])
    weight = FloatField(
        "Weight",
        default=1.0,
        validators=[InputRequired(message="Enter a weight."), NumberRange(min=0.01, max=100)],
        description="Relative weight in the weighted total (e.g. 2 counts twice as much as 1).",
    )
    scale_min = IntegerField(
        "Lowest score", default=1, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    scale_max = IntegerField(
        "Highest score", default=7, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    submit = SubmitField("Save criterion")


class ActionForm(FlaskForm):
    """A button that posts (CSRF only)."""

    submit = SubmitField("Confirm")
