"""Admin: the audit log, filtered by actor, action, round and time, with before and after."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SelectField
from wtforms.validators import Optional

from nominations.admin import bp
from nominations.models import db
from nominations.routing import valid_id
from nominations.timeutil import format_date, format_local
from nominations.workflow.reports import audit_actions, audit_actors, audit_query, round_titles

SYSTEM = "system"

# The logged fields of the administrators' workflow as the log shows them (other fields show
# their key with spaces): the key with spaces in English.
FIELD_LABELS = {
    "name": _l("name"),
    "name_nb": _l("name nb"),
    "year": _l("year"),
    "organiser": _l("organiser"),
    "description": _l("description"),
    "description_nb": _l("description nb"),
    "opens_at": _l("opens at"),
    "closes_at": _l("closes at"),
    "review_deadline": _l("review deadline"),
    "ceremony_on": _l("ceremony on"),
    "blind_mode": _l("blind mode"),
    "department_conflicts": _l("department conflicts"),
    "status": _l("status"),
    "eligibility_text": _l("eligibility text"),
    "eligibility_text_nb": _l("eligibility text nb"),
    "phd_within_years": _l("phd within years"),
    "exclude_winners_within_years": _l("earlier winners excluded for years"),
    "prize_amount": _l("prize amount"),
    "currency": _l("currency"),
    "prize_count": _l("prize count"),
    "funder": _l("funder"),
    "self_nomination_allowed": _l("self nomination allowed"),
    "department_nomination_allowed": _l("department nomination allowed"),
    "word_limit": _l("word limit"),
    "requires_cv": _l("requires cv"),
    "requires_publications": _l("requires publications"),
    "max_support_letters": _l("max support letters"),
    "required_letters": _l("letters of reference required"),
    "letter_days_after_close": _l("letters due, days after the close"),
    "guidance": _l("guidance"),
    "guidance_nb": _l("guidance nb"),
    "weight": _l("weight"),
    "scale_min": _l("scale min"),
    "scale_max": _l("scale max"),
    "position": _l("position"),
    "category_id": _l("category id"),
    "members": _l("members"),
    "email": _l("email"),
    "department_id": _l("department id"),
    "is_staff": _l("is staff"),
    "is_reviewer": _l("is reviewer"),
    "is_admin": _l("is admin"),
    "active": _l("active"),
    "password": _l("password"),
    "via": _l("via"),
    "method": _l("method"),
    "source": _l("source"),
    "into": _l("into"),
    "into_id": _l("into id"),
    "people": _l("people"),
    "nominations": _l("nominations"),
    "created": _l("created"),
    "updated": _l("updated"),
    "unchanged": _l("unchanged"),
    "departments_created": _l("departments created"),
    "deactivated": _l("deactivated"),
    "full": _l("full"),
    "cloned_from": _l("cloned from"),
    "cloned_from_id": _l("cloned from id"),
    "categories": _l("categories"),
    "criteria": _l("criteria"),
    "panel_members": _l("panel members"),
    "reminder_rules": _l("reminder rules"),
    "inactive_members_left_out": _l("inactive members left out"),
    "opening_confirmed_at": _l("opening confirmed at"),
    "problems": _l("problems"),
    "notified_admins": _l("notified admins"),
}


class AuditFilterForm(Form):
    """A GET form (no CSRF: it only reads)."""

    actor = SelectField(_l("Who"), validators=[Optional()], validate_choice=False)
    action = SelectField(_l("Action"), validators=[Optional()], validate_choice=False)
    round = SelectField(_l("Round"), validators=[Optional()], validate_choice=False)
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("To (date)"), validators=[Optional()])


def readable(value) -> str:
    """A logged value as people read it: local times, yes/no, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
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
            str(FIELD_LABELS.get(key, key.replace("_", " "))),
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
        field.errors = [
            *field.errors,
            _("Enter a date between the years %(low)d and %(high)d.", low=1900, high=9000),
        ]
        return None
    return field.data


@bp.route("/audit", endpoint="audit")
def audit_log():
    form = AuditFilterForm(request.args)
    actors = audit_actors()
    rounds = round_titles()
    form.actor.choices = [("", _("Anyone")), (SYSTEM, _("The system (scheduler, set-up)"))] + [
        (str(u.id), f"{u.name} ({u.email})") for u in actors
    ]
    form.action.choices = [("", _("Any action"))] + [(a, a) for a in audit_actions()]
    form.round.choices = [("", _("Any round"))] + [(str(i), t) for i, t in rounds.items()]
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
