"""Admin: the audit log, filtered by actor, action, round and time, with before and after."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, render_template, request
from wtforms import DateField, Form, SelectField
from wtforms.validators import Optional

from nominations.admin import bp
from nominations.models import db
from nominations.routing import valid_id
from nominations.timeutil import format_date, format_local
from nominations.workflow.reports import audit_actions, audit_actors, audit_query, round_titles

SYSTEM = "system"


class AuditFilterForm(Form):
    """A GET form (no CSRF: it only reads)."""

    actor = SelectField("Who", validators=[Optional()], validate_choice=False)
    action = SelectField("Action", validators=[Optional()], validate_choice=False)
    round = SelectField("Round", validators=[Optional()], validate_choice=False)
    since = DateField("From (date)", validators=[Optional()])
    until = DateField("To (date)", validators=[Optional()])


def readable(value) -> str:
    """A logged value as people read it: local times, yes/no, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(readable(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {readable(v)}" for k, v in value.items()) or "—"
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) == 10:
            return format_date(date.fromisoformat(value))
        if parsed.tzinfo is not None:
            return format_local(parsed)
    return str(value)


def changes(event) -> list[tuple[str, str, str]]:
    """(field, before, after) rows of one event, in the order the workflow logged them."""
    before, after = event.before or {}, event.after or {}
    keys = list(before) + [k for k in after if k not in before]
    return [
        (
            key.replace("_", " "),
            readable(before.get(key)) if key in before else "",
            readable(after.get(key)) if key in after else "",
        )
        for key in keys
    ]


def _int(value: str | None) -> int | None:
    return valid_id(value) if value else None


def _day(field: DateField) -> date | None:
    """The date of a filter field; a date the log cannot hold is reported and ignored."""
    if field.errors or field.data is None:
        return None
    if not 1900 <= field.data.year <= 9000:
        field.errors = [*field.errors, "Enter a date between the years 1900 and 9000."]
        return None
    return field.data


@bp.route("/audit", endpoint="audit")
def audit_log():
    form = AuditFilterForm(request.args)
    actors = audit_actors()
    rounds = round_titles()
    form.actor.choices = [("", "Anyone"), (SYSTEM, "The system (scheduler, set-up)")] + [
        (str(u.id), f"{u.name} ({u.email})") for u in actors
    ]
    form.action.choices = [("", "Any action")] + [(a, a) for a in audit_actions()]
    form.round.choices = [("", "Any round")] + [(str(i), t) for i, t in rounds.items()]
    form.validate()  # date fields that do not parse are reported and ignored

    statement = audit_query(
        actor_id=_int(form.actor.data),
        system_only=form.actor.data == SYSTEM,
        action=form.action.data or None,
        round_id=_int(form.round.data),
        since=_day(form.since),
        until=_day(form.until),
    )
    page = db.paginate(statement, per_page=current_app.config["PER_PAGE"], error_out=False)
    entries = [(event, changes(event)) for event in page.items]
    return render_template(
        "admin/audit.html", form=form, page=page, entries=entries, round_titles=rounds
    )
