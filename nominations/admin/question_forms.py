"""Admin forms for a category's questions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from nominations.models import QuestionKind

KIND_LABELS = {
    QuestionKind.SHORT_TEXT.value: _l("Short text"),
    QuestionKind.LONG_TEXT.value: _l("Long text"),
    QuestionKind.SINGLE_CHOICE.value: _l("Single choice"),
    QuestionKind.MULTIPLE_CHOICE.value: _l("Multiple choice"),
    QuestionKind.YES_NO.value: _l("Yes or no"),
    QuestionKind.NUMBER.value: _l("Number"),
    QuestionKind.FILE.value: _l("File (PDF)"),
}


class PlainDecimalField(DecimalField):
    """A number as typed: 3.5, not the column's 3.500000."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format(self.data.normalize(), "f")


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Kind of answer"),
        choices=list(KIND_LABELS.items()),
        validators=[DataRequired(message=_l("Choose the kind of answer."))],
        description=_l("It cannot change once the question is added."),
    )
    label = StringField(
        _l("Question (English)"),
        validators=[DataRequired(message=_l("Write the question in English.")), Length(max=300)],
    )
    label_nb = StringField(
        _l("Question (bokmål)"),
        validators=[Optional(), Length(max=300)],
        description=_l("Optional: where it is empty, bokmål readers see the English."),
    )
    help_text = TextAreaField(_l("Help text (English)"), validators=[Optional(), Length(max=2000)])
    help_text_nb = TextAreaField(
        _l("Help text (bokmål)"), validators=[Optional(), Length(max=2000)]
    )
    required = BooleanField(_l("An answer is required to submit"))
    word_limit = IntegerField(
        _l("Word limit"),
        validators=[Optional()],
        description=_l("Short and long text only; leave it empty for no limit."),
    )
    options = TextAreaField(
        _l("Options (English)"),
        validators=[Optional()],
        description=_l("Single and multiple choice only: one option a line."),
    )
    options_nb = TextAreaField(
        _l("Options (bokmål)"),
        validators=[Optional()],
        description=_l("Optional: one line for each English option, in the same order."),
    )
    min_value = PlainDecimalField(
        _l("Lowest number"),
        places=None,
        validators=[Optional()],
        description=_l("Numbers only; leave it empty for no limit."),
    )
    max_value = PlainDecimalField(
        _l("Highest number"),
        places=None,
        validators=[Optional()],
        description=_l("Numbers only; leave it empty for no limit."),
    )
    whole_numbers = BooleanField(_l("Whole numbers only"))
    submit = SubmitField(_l("Save question"))
