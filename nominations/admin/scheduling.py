"""Admin: the scheduled work, the mail outbox and each round's reminder rules."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.validators import NumberRange, Optional

from nominations.admin import bp
from nominations.auth.access import safe_next
from nominations.confirming import Question, ask_first, asks
from nominations.forms import refuse
from nominations.models import AwardRound, OutboxStatus, ReminderKind, db
from nominations.scheduling.status import job_runs_page, scheduler_status
from nominations.workflow import NotFound, WorkflowError
from nominations.workflow.outbox import counts_by_status, messages_page, send_again
from nominations.workflow.reminders.overview import reminder_overview, upcoming_events
from nominations.workflow.reminders.rules import (
    add_reminder_rule,
    get_rule,
    remove_reminder_rule,
    set_reminder_enabled,
)
from nominations.workflow.reminders.schedule import KIND_LABELS, MAX_DAYS_BEFORE

OUTCOMES = ("ok", "error", "idle", "running")
# The jobs as the page names them, in the reader's language (scheduling/jobs.py titles them
# in English, for the log and APScheduler).
JOB_TITLES = {
    "due_work": _l("Open and close calls, send due reminders"),
    "outbox": _l("Deliver queued e-mail"),
    "sweep_uploads": _l("Delete uploaded files no document names"),
    "retention": _l("Delete documents, review comments and drafts whose retention period ended"),
    "heartbeat": _l("Renew the leadership lease (heartbeat)"),
}


class ReminderRuleForm(FlaskForm):
    kind = SelectField(
        _l("Reminder"),
        choices=[(kind.value, KIND_LABELS[kind]) for kind in ReminderKind],
        default=ReminderKind.CALL_CLOSING.value,
    )
    days_before = IntegerField(
        _l("Days before the deadline"),
        validators=[Optional(), NumberRange(min=1, max=MAX_DAYS_BEFORE)],
        description=_l(
            "Sent at the same local clock time this many days before the closing time "
            "(call and draft reminders) or the review deadline (review reminders). "
            "Leave empty for “Call opened” and “Results published”."
        ),
    )
    submit = SubmitField(_l("Add reminder"))


def _round(round_id: int) -> AwardRound:
    return db.session.get(AwardRound, round_id) or abort(404)


# -- the round page's reminders part (templates/admin/_round_reminders.html) ----------------------


@bp.app_template_global()
def round_reminders(award_round: AwardRound) -> list:
    """The round's reminder rules with their due time and state, for the round page."""
    return reminder_overview(award_round)


@bp.route("/rounds/<int:round_id>/reminders/new", methods=["GET", "POST"])
def new_reminder(round_id: int):
    award_round = _round(round_id)
    form = ReminderRuleForm()
    if form.validate_on_submit():
        try:
            rule = add_reminder_rule(
                award_round,
                kind=form.kind.data,
                days_before=form.days_before.data,
                actor=current_user,
            )
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_added(rule), "success")
            return redirect(url_for("admin.round_detail", round_id=round_id, _anchor="reminders"))
    return render_template("admin/reminder_form.html", form=form, award_round=award_round)


def _added(rule) -> str:
    label = KIND_LABELS[ReminderKind(rule.kind)]
    if not rule.days_before:
        return _("Reminder “%(label)s” added.", label=label)
    return ngettext(
        "Reminder “%(label)s”, %(num)d day before added.",
        "Reminder “%(label)s”, %(num)d days before added.",
        rule.days_before,
        label=label,
    )


def _rule_action(rule_id: int, action, *, ask: bool = False) -> object:
    try:
        rule = get_rule(rule_id)
    except NotFound:
        abort(404)
    round_id = rule.round_id
    try:
        message = action(rule)
    except WorkflowError as error:
        refuse(error)
    else:
        if ask and (page := ask_first(rule)) is not None:
            return page
        flash(message, "success")
    return redirect(url_for("admin.round_detail", round_id=round_id, _anchor="reminders"))


def _describe(rule) -> str:
    """The rule as the messages name it: “Call closes soon” (7 days before)."""
    label = KIND_LABELS[ReminderKind(rule.kind)]
    if not rule.days_before:
        return _("“%(label)s”", label=label)
    return ngettext(
        "“%(label)s” (%(num)d day before)",
        "“%(label)s” (%(num)d days before)",
        rule.days_before,
        label=label,
    )


@bp.post("/reminders/<int:rule_id>/enable")
def enable_reminder(rule_id: int):
    def action(rule):
        set_reminder_enabled(rule, enabled=True, actor=current_user)
        return _("Reminder %(reminder)s enabled.", reminder=_describe(rule))

    return _rule_action(rule_id, action)


@bp.post("/reminders/<int:rule_id>/disable")
def disable_reminder(rule_id: int):
    def action(rule):
        set_reminder_enabled(rule, enabled=False, actor=current_user)
        return _("Reminder %(reminder)s disabled.", reminder=_describe(rule))

    return _rule_action(rule_id, action)


@asks("admin.delete_reminder")
def _removing_reminder(rule) -> Question:
    return Question(
        _("Remove the reminder %(reminder)s?", reminder=_describe(rule)),
        _("It is no longer sent for this round; you can add it again."),
        _("Remove the reminder"),
        url_for("admin.round_detail", round_id=rule.round_id, _anchor="reminders"),
    )


@bp.post("/reminders/<int:rule_id>/delete")
def delete_reminder(rule_id: int):
    def action(rule):
        text = _describe(rule)
        remove_reminder_rule(rule, actor=current_user)
        return _("Reminder %(reminder)s removed.", reminder=text)

    return _rule_action(rule_id, action, ask=True)


# -- the outbox ----------------------------------------------------------------------------------


@bp.route("/outbox")
def outbox():
    status = request.args.get("status", "")
    if status not in set(OutboxStatus):
        status = ""
    return render_template(
        "admin/outbox.html",
        page=messages_page(status, page_size=current_app.config["PER_PAGE"]),
        status=status,
        counts=counts_by_status(),
        statuses=list(OutboxStatus),
    )


@bp.post("/outbox/<int:message_id>/send-again")
def outbox_send_again(message_id: int):
    try:
        message = send_again(message_id, actor=current_user)
    except NotFound:
        abort(404)
    except WorkflowError as error:
        db.session.rollback()
        flash(error.message, "warning")
    else:
        flash(
            _(
                "The message to %(recipient)s will be sent again at the next delivery run.",
                recipient=message.recipient,
            ),
            "success",
        )
    return redirect(safe_next(request.form.get("next")) or url_for("admin.outbox"))


# -- the scheduled work --------------------------------------------------------------------------


@bp.route("/scheduling")
def scheduling():
    outcome = request.args.get("outcome", "")
    if outcome not in OUTCOMES:
        outcome = ""
    return render_template(
        "admin/scheduling.html",
        status=scheduler_status(),
        upcoming=upcoming_events(),
        runs=job_runs_page(outcome, page_size=current_app.config["PER_PAGE"]),
        outcome=outcome,
        outcomes=OUTCOMES,
        job_titles=JOB_TITLES,
    )
