"""Forms of the review pages. The review form is built per rubric (one field per criterion)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from nominations.models import Criterion
from nominations.workflow.conflicts import DECLARABLE_KINDS, MAX_REASON
from nominations.workflow.decisions import MAX_CITATION
from nominations.workflow.reviews import MAX_COMMENT, RECOMMENDATION_LABELS


class ReviewFormBase(FlaskForm):
    comment = TextAreaField(
        "Comment",
        validators=[Optional(), Length(max=MAX_COMMENT)],
        description="For the panel: strengths, weaknesses, anything the scores do not say.",
    )
    recommendation = SelectField(
        "Recommendation",
        choices=[("", "—")] + list(RECOMMENDATION_LABELS.items()),
        validators=[Optional()],
    )
    save_draft = SubmitField("Save draft")
    submit_review = SubmitField("Submit review")

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
                f"{criterion.name} (weight {criterion.weight:g}, {low}–{high})",
                choices=[("", "—")] + [(str(v), str(v)) for v in range(low, high + 1)],
                validators=[Optional()],
                description=criterion.guidance or None,
            ),
        )
    ReviewForm.criteria = criteria
    return ReviewForm(**kwargs)


class ConflictForm(FlaskForm):
    kind = SelectField(
        "Kind of conflict",
        choices=[("", "—")] + [(k.value, label) for k, label in DECLARABLE_KINDS],
        validators=[DataRequired(message="Choose the kind of conflict.")],
    )
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired(message="Say briefly why (the chair reads it)."),
            Length(max=MAX_REASON),
        ],
        description="Seen by the panel's chair and administrators.",
    )
    # Asks first: data-confirm is set by the view (nominations/confirming.py).
    submit = SubmitField("Declare conflict of interest")


class ClearConflictForm(FlaskForm):
    reason = StringField(
        "Reason for clearing",
        validators=[
            DataRequired(message="Give the reason (it is logged)."),
            Length(max=MAX_REASON),
        ],
    )
    submit = SubmitField("Clear conflict")


class AwardForm(FlaskForm):
    nomination_id = SelectField("Nomination", coerce=int, validators=[DataRequired()])
    citation = TextAreaField(
        "Citation for the new winner",
        validators=[
            DataRequired(message="Write a short citation."),
            Length(max=MAX_CITATION),
        ],
        description="One or two sentences, as they would appear on the results page.",
    )
    submit = SubmitField("Award the prize")


class CitationForm(FlaskForm):
    citation = TextAreaField(
        "Citation",
        validators=[DataRequired(message="Write a short citation."), Length(max=MAX_CITATION)],
    )
    submit = SubmitField("Save citation")


class ActionForm(FlaskForm):
    """A button that posts (CSRF only)."""

    submit = SubmitField("Confirm")
