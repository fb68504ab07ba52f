"""Admin: the privacy notice's text, in English and bokmål."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from nominations.admin import bp
from nominations.data_controller import contact, controller
from nominations.policy import requires
from nominations.workflow.privacy_notice import MAX_NOTICE_CHARS, current_notice, update_notice

PLAIN_TEXT = _l(
    "Plain text: leave an empty line between paragraphs. HTML and formatting are shown as typed."
)


class PrivacyNoticeForm(FlaskForm):
    text = TextAreaField(
        _l("Privacy notice (English)"),
        validators=[Optional(), Length(max=MAX_NOTICE_CHARS)],
        description=PLAIN_TEXT,
    )
    text_nb = TextAreaField(
        _l("Privacy notice (bokmål)"),
        validators=[Optional(), Length(max=MAX_NOTICE_CHARS)],
        description=_l("Where one language is empty, its readers see the other."),
    )
    submit = SubmitField(_l("Save the privacy notice"))


@bp.route("/privacy", methods=["GET", "POST"])
@requires("privacy.manage")
def privacy_notice():
    notice = current_notice()
    form = PrivacyNoticeForm(data={"text": notice.text, "text_nb": notice.text_nb})
    if form.validate_on_submit():
        if update_notice(form.text.data or "", form.text_nb.data or "", actor=current_user):
            flash(_("The privacy notice is saved."), "success")
        else:
            flash(_("The privacy notice was already so: nothing changed."), "info")
        return redirect(url_for("public.privacy"))
    return render_template(
        "admin/privacy_notice.html",
        form=form,
        is_default=notice.is_default,
        controller=controller(),
        contact=contact(),
    )
