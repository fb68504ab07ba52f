"""The nominee details as the nominator typed them: each field cleaned, checked and written
onto the nomination. Empty values are allowed here (a draft may be incomplete); whether the
nomination is complete is for ``rules.problems`` to say at submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from nominations.languages import localized
from nominations.models import AwardCategory, Department, Nomination, User, db
from nominations.workflow.errors import WorkflowError
from nominations.workflow.nominations.rules import departments_acting_for
from nominations.workflow.text import clean, refuse_disguised

MAX_LINE = 200
MAX_STATEMENT_CHARS = 100_000
# A one-line field that is too long, as a whole sentence per field (word order and forms differ).
TOO_LONG = {
    "nominee_name": _l("The name can be at most %(num)d characters long."),
    "nominee_position": _l("The position can be at most %(num)d characters long."),
}


@dataclass
class NominationData:
    """What the nominator typed; empty values are allowed in a draft."""

    nominee_name: str = ""
    nominee_email: str = ""
    nominee_department_id: int | None = None
    nominee_position: str = ""
    nominee_phd_date: date | None = None
    statement: str = ""
    on_behalf_of_department_id: int | None = None


def _line(value: str | None, field_name: str, label: str) -> str:
    text = " ".join(clean(value).split())
    if len(text) > MAX_LINE:
        raise WorkflowError(str(TOO_LONG[field_name]) % {"num": MAX_LINE}, field_name)
    return refuse_disguised(text, field_name, label)


def normalise_nominee_email(value: str | None) -> str:
    """The e-mail address as stored (lower case, ASCII); '' when empty."""
    raw = clean(value)
    if not raw:
        return ""
    try:
        checked = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise WorkflowError(
            gettext("Enter a valid e-mail address, such as name@example.org."), "nominee_email"
        ) from None
    email = (getattr(checked, "ascii_email", None) or checked.normalized).lower()
    if len(email) > 254:
        raise WorkflowError(gettext("The e-mail address is too long."), "nominee_email")
    return email


def _on_behalf_of(
    category: AwardCategory, department_id: int | None, actor: User
) -> Department | None:
    if not department_id:
        return None
    if not category.department_nomination_allowed:
        raise WorkflowError(
            gettext(
                "%(category)s does not take nominations on behalf of a department.",
                category=localized(category, "name"),
            ),
            "on_behalf_of_department_id",
        )
    if department_id not in {d.id for d in departments_acting_for(actor, category)}:
        raise WorkflowError(
            gettext("You can nominate on behalf of your own department only."),
            "on_behalf_of_department_id",
        )
    return db.session.get(Department, department_id)


def apply_details(
    nomination: Nomination, category: AwardCategory, data: NominationData, actor: User
) -> None:
    """Write the typed details onto ``nomination``; a WorkflowError names the first field
    that cannot be stored (nothing is flushed here)."""
    nominee_department = None
    if data.nominee_department_id:
        nominee_department = db.session.get(Department, data.nominee_department_id)
        if nominee_department is None:
            raise WorkflowError(
                gettext("Choose a department from the list."), "nominee_department_id"
            )
    on_behalf = _on_behalf_of(category, data.on_behalf_of_department_id, actor)
    statement = clean(data.statement, multiline=True)
    if len(statement) > MAX_STATEMENT_CHARS:
        raise WorkflowError(
            gettext("The statement is far too long (%(num)d characters).", num=len(statement)),
            "statement",
        )
    nomination.nominee_name = _line(data.nominee_name, "nominee_name", "name")
    nomination.nominee_email = normalise_nominee_email(data.nominee_email)
    nomination.nominee_department_id = nominee_department.id if nominee_department else None
    nomination.nominee_position = _line(data.nominee_position, "nominee_position", "position")
    nomination.nominee_phd_date = data.nominee_phd_date if category.phd_within_years else None
    nomination.statement = statement
    nomination.on_behalf_of_department_id = on_behalf.id if on_behalf else None
