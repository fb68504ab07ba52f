"""The review panel's pages: nominations to review, the review form, conflicts of interest,
and the chair's ranking, progress and decisions."""

from flask import Blueprint

from nominations.auth.access import role_required

bp = Blueprint("review", __name__)


@bp.before_request
@role_required("reviewer", "admin")
def require_reviewer_or_admin():
    """Reviewers and admins only; each view then applies the finer rules of workflow/access."""


from nominations.review import (  # noqa: E402,F401
    charts,
    coauthors,
    conflicts,
    decisions,
    discussion,
    ranking,
    reviewing,
)
