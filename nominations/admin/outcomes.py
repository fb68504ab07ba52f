"""Admin: the personal outcomes of a round: who gets which message (with a rendered sample
of each kind and language, and the counts), then one button that sends them, once."""

from __future__ import annotations

from collections import Counter

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from nominations.admin import bp
from nominations.forms import refuse
from nominations.languages import LANGUAGES, in_language
from nominations.mail import texts
from nominations.mail.outbox import render_email
from nominations.mail.text_outcomes import OUTCOME_KINDS
from nominations.models import AwardRound, EmailText, RoundStatus, db
from nominations.timeutil import format_local
from nominations.workflow import WorkflowError
from nominations.workflow.outcomes import context_of, plan, send_outcomes, sent, subject_of


class SendOutcomesForm(FlaskForm):
    pass


def _round(round_id: int) -> AwardRound:
    return db.session.get(AwardRound, round_id) or abort(404)


def _samples(award_round: AwardRound, outcomes: list) -> list[dict]:
    """The first planned message of each kind and language, rendered as it would be sent."""
    edited = {
        (row.kind, row.language): row
        for row in db.session.execute(
            db.select(EmailText).where(EmailText.kind.in_(list(OUTCOME_KINDS.values())))
        ).scalars()
    }
    firsts = {}
    for outcome in outcomes:
        firsts.setdefault((outcome.kind, outcome.language), outcome)
    samples = []
    for (kind, language), outcome in sorted(firsts.items()):
        context = {**context_of(outcome, award_round), "user": outcome.person}
        entry = edited.get((kind, language))
        rendered = texts.render_edited(entry, language, context) if entry is not None else None
        if rendered is not None:
            subject, text = rendered.subject, rendered.text
        else:
            with in_language(language):
                subject = subject_of(outcome, award_round)
            text, _html = render_email(kind, language=language, subject=subject, **context)
        samples.append(
            {
                "kind": texts.KINDS[kind],
                "language": language,
                "to": outcome.person,
                "subject": subject,
                "text": text,
                "edited": rendered is not None,
            }
        )
    return samples


@bp.get("/rounds/<int:round_id>/outcomes")
def outcomes(round_id: int):
    award_round = _round(round_id)
    planned = plan(award_round)
    counts = Counter((o.kind, o.language) for o in planned)
    return render_template(
        "admin/outcomes.html",
        award_round=award_round,
        outcomes=planned,
        counts=counts,
        kinds=[texts.KINDS[key] for key in OUTCOME_KINDS.values()],
        languages=LANGUAGES,
        samples=_samples(award_round, planned),
        sent=sent(award_round),
        published=award_round.status == RoundStatus.PUBLISHED,
        form=SendOutcomesForm(),
    )


@bp.post("/rounds/<int:round_id>/outcomes/send")
def send_round_outcomes(round_id: int):
    award_round = _round(round_id)
    form = SendOutcomesForm()
    if form.validate_on_submit():
        try:
            queued = send_outcomes(award_round, actor=current_user)
        except WorkflowError as error:
            refuse(error)
        else:
            if queued:
                flash(
                    ngettext(
                        "%(num)d personal outcome message is queued for sending.",
                        "%(num)d personal outcome messages are queued for sending.",
                        queued,
                    ),
                    "success",
                )
            else:
                previous = sent(award_round)
                flash(
                    _(
                        "The outcomes were sent on %(when)s; nothing was sent twice.",
                        when=format_local(previous.last_at),
                    )
                    if previous.last_at
                    else _("There is nobody to send an outcome to."),
                    "info",
                )
    return redirect(url_for("admin.outcomes", round_id=round_id))
