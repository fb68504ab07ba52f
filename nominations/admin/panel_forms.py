"""Admin forms for review panels and rubrics."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from nominations.models import PanelRole


class PanelForm(FlaskForm):
    name = StringField(
        _l("Panel name"),
        default=_l("Review panel"),
        validators=[DataRequired(), Length(max=200)],
    )
    category_id = SelectField(
        _l("Covers"),
        coerce=int,
        validators=[Optional()],
        description=_l("A panel for one category, or for every category of the round."),
    )
    chair_id = SelectField(
        _l("Chair"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose the chair."))],
        description=_l("Only users with the reviewer role are listed."),
    )
    submit = SubmitField(_l("Save panel"))


class PanelEditForm(FlaskForm):
    name = StringField(_l("Panel name"), validators=[DataRequired(), Length(max=200)])
    category_id = SelectField(_l("Covers"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Save panel"))


class MemberForm(FlaskForm):
    user_id = SelectField(
        _l("Reviewer"), coerce=int, validators=[DataRequired(message=_l("Choose a reviewer."))]
    )
    role = SelectField(
        _l("Role"),
        choices=[(PanelRole.MEMBER.value, _l("Member")), (PanelRole.CHAIR.value, _l("Chair"))],
        default=PanelRole.MEMBER.value,
        description=_l("A new chair replaces the current one, who stays on as a member."),
    )
    submit = SubmitField(_l("Add to the panel"))


class CriterionForm(FlaskForm):
    name = StringField(_l("Criterion (English)"), validators=[DataRequired(), Length(max=200)])
    name_nb = StringField(
        _l("Criterion (bokmål)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Optional: where it is empty, bokmål readers see the English."),
    )
    guidance = TextAreaField(
        _l("Guidance for reviewers (English)"), validators=[Optional(), Length(max=2000)]
    )
    guidance_nb = TextAreaField(
        _l("Guidance for reviewers (bokmål)"), validators=[Optional(), Length(max=2000)]
    )
    weight = FloatField(
        _l("Weight"),
        default=1.0,
        validators=[InputRequired(message=_l("Enter a weight.")), NumberRange(min=0.01, max=100)],
        description=_l("Relative weight in the weighted total (e.g. 2 counts twice as much as 1)."),
    )
    scale_min = IntegerField(
        _l("Lowest score"), default=1, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    scale_max = IntegerField(
        _l("Highest score"), default=7, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    submit = SubmitField(_l("Save criterion"))


class ActionForm(FlaskForm):
    """A button that posts (CSRF only)."""

    submit = SubmitField(_l("Confirm"))
