"""Forms of the review pages. The review form is built per rubric (one field per criterion)."""

from __future__ import annotations

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from nominations.languages import formatting_locale, localized
from nominations.models import Criterion
from nominations.workflow.conflicts import DECLARABLE_KINDS, MAX_REASON
from nominations.workflow.decisions import MAX_CITATION
from nominations.workflow.disagreement import MAX_NOTE
from nominations.workflow.reviews import MAX_COMMENT, RECOMMENDATION_LABELS


class ReviewFormBase(FlaskForm):
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=MAX_COMMENT)],
        description=_l("For the panel: strengths, weaknesses, anything the scores do not say."),
    )
    recommendation = SelectField(
        _l("Recommendation"),
        choices=[("", "—")] + list(RECOMMENDATION_LABELS.items()),
        validators=[Optional()],
    )
    save_draft = SubmitField(_l("Save draft"))
    submit_review = SubmitField(_l("Submit review"))

    criteria: list[Criterion] = []

    def score_fields(self):
        return [(c, self[f"score_{c.id}"]) for c in self.criteria]

    def scores(self) -> dict[int, int | None]:
        # Optional() lets blank input through unchecked (it clears the choice error): a
        # score of only spaces is no score, like the empty choice.
        result: dict[int, int | None] = {}
        for criterion, field in self.score_fields():
            value = (field.data or "").strip()
            result[criterion.id] = int(value) if value else None
        return result

    def recommendation_value(self) -> str | None:
        return (self.recommendation.data or "").strip() or None


def review_form(criteria: list[Criterion], **kwargs) -> ReviewFormBase:
    """A review form with a score field per criterion (``score_<criterion id>``)."""

    class ReviewForm(ReviewFormBase):
        pass

    for criterion in criteria:
        low, high = criterion.scale_min, criterion.scale_max
        setattr(
            ReviewForm,
            f"score_{criterion.id}",
            SelectField(
                _(
                    "%(criterion)s (weight %(weight)s, %(low)d–%(high)d)",
                    criterion=localized(criterion, "name"),
                    weight=format_decimal(criterion.weight, locale=formatting_locale()),
                    low=low,
                    high=high,
                ),
                choices=[("", "—")] + [(str(v), str(v)) for v in range(low, high + 1)],
                validators=[Optional()],
                description=localized(criterion, "guidance") or None,
            ),
        )
    ReviewForm.criteria = criteria
    return ReviewForm(**kwargs)


class ConflictForm(FlaskForm):
    kind = SelectField(
        _l("Kind of conflict"),
        choices=[("", "—")] + [(k.value, label) for k, label in DECLARABLE_KINDS],
        validators=[DataRequired(message=_l("Choose the kind of conflict."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Say briefly why (the chair reads it).")),
            Length(max=MAX_REASON),
        ],
        description=_l("Seen by the panel's chair and administrators."),
    )
    # Asks first: data-confirm is set by the view (nominations/confirming.py).
    submit = SubmitField(_l("Declare conflict of interest"))


class ClearConflictForm(FlaskForm):
    reason = StringField(
        _l("Reason for clearing"),
        validators=[
            DataRequired(message=_l("Give the reason (it is logged).")),
            Length(max=MAX_REASON),
        ],
    )
    submit = SubmitField(_l("Clear conflict"))


class AwardForm(FlaskForm):
    nomination_id = SelectField(_l("Nomination"), coerce=int, validators=[DataRequired()])
    citation = TextAreaField(
        _l("Citation for the new winner"),
        validators=[
            DataRequired(message=_l("Write a short citation.")),
            Length(max=MAX_CITATION),
        ],
        description=_l("One or two sentences, as they would appear on the results page."),
    )
    submit = SubmitField(_l("Award the prize"))


class CitationForm(FlaskForm):
    citation = TextAreaField(
        _l("Citation"),
        validators=[DataRequired(message=_l("Write a short citation.")), Length(max=MAX_CITATION)],
    )
    submit = SubmitField(_l("Save citation"))


class DiscussionNoteForm(FlaskForm):
    """The chair's note on how a disagreement was resolved; empty removes the note."""

    note = TextAreaField(
        _l("How it was resolved"),
        validators=[Optional(), Length(max=MAX_NOTE)],
        description=_l("Shown to the panel once saved. Leave empty to remove the note."),
    )
    submit = SubmitField(_l("Save the note"))


class ActionForm(FlaskForm):
    """A button that posts (CSRF only)."""

    submit = SubmitField(_l("Confirm"))
