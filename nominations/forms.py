"""Form pieces shared by several blueprints."""

from __future__ import annotations

from datetime import datetime, time

from flask import flash
from wtforms import DateField, Field, TimeField

from nominations.models import db
from nominations.timeutil import NonexistentLocalTime, from_local, to_local
from nominations.workflow.errors import WorkflowError


def local_instant(
    date_field: DateField, time_field: TimeField, default: time | None
) -> datetime | None:
    """The UTC instant of a local date and optional time; a field error and None on failure.

    ``default`` None means the end of the day (a closing date without a time).
    """
    if date_field.data is None:
        return None
    try:
        return from_local(date_field.data, time_field.data or default)
    except NonexistentLocalTime as error:
        time_field.errors = [*time_field.errors, str(error)]
        return None
    except OverflowError:  # e.g. 1 January of the year 1, before UTC's calendar starts
        date_field.errors = [*date_field.errors, "Enter a date in the years 2000 to 2200."]
        return None


def fill_local(value: datetime | None, date_field: DateField, time_field: TimeField) -> None:
    if value is None:
        return
    local = to_local(value)
    date_field.data = local.date()
    time_field.data = local.time().replace(microsecond=0)


def refuse(error: WorkflowError, form=None, field: str | None = None) -> None:
    """A rule refused the change: undo what the workflow had begun, then say why, at the
    field (``field`` overrides the error's own) when there is a form, else in a flash."""
    db.session.rollback()
    if form is None:
        flash(error.message, "danger")
    else:
        add_error(form, field or error.field, error.message)


def add_error(form, field_name: str | None, message: str) -> None:
    """Attach a workflow message to its field, or to the form when it has none."""
    field: Field | None = getattr(form, field_name, None) if field_name else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
