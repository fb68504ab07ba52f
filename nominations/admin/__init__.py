from flask import Blueprint
from flask_login import current_user

from nominations.auth.access import role_required

bp = Blueprint("admin", __name__)


@bp.before_request
@role_required("admin")
def require_admin():
    """Every admin page needs the admin role; this runs before each of them."""
    assert current_user.is_admin


from nominations.admin import (  # noqa: E402,F401
    audit,
    charts,
    departments,
    email_texts,
    nominations,
    opening,
    outcomes,
    panels,
    people,
    privacy,
    publications,
    questions,
    results,
    retention,
    rounds,
    scheduling,
    staff_import,
    users,
)
