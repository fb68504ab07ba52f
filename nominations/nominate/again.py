"""Nominate again: the one-step copy of an earlier nomination into this year's call."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from nominations.auth.access import role_required
from nominations.forms import refuse
from nominations.languages import localized
from nominations.models import AwardCategory, db
from nominations.nominate import bp
from nominations.workflow import PermissionDenied, WorkflowError
from nominations.workflow.nominations import queries
from nominations.workflow.renominate import nominate_again


class AgainForm(FlaskForm):
    """The button on My nominations (CSRF only)."""


@bp.route("/nominations/<int:nomination_id>/again/<int:category_id>", methods=["POST"])
@role_required("staff")
def again(nomination_id: int, category_id: int):
    source = queries.nomination_with_documents(nomination_id) or abort(404)
    category = db.session.get(AwardCategory, category_id) or abort(404)
    if not AgainForm().validate_on_submit():
        flash(gettext("The form had expired; please try again."), "danger")
        return redirect(url_for("nominate.mine"))
    try:
        result = nominate_again(source, category, actor=current_user)
    except PermissionDenied:
        raise  # the policy's refusal (someone else's nomination: 404), nominations.errors
    except WorkflowError as error:
        refuse(error)
        return redirect(url_for("nominate.mine"))
    draft = result.nomination
    names = {"name": draft.nominee_name, "category": localized(category, "name")}
    if not result.created:
        flash(
            gettext(
                "You started this nomination of %(name)s in %(category)s already: here it is.",
                **names,
            ),
            "info",
        )
    else:
        flash(
            gettext(
                "A draft nomination of %(name)s in %(category)s, with the text and "
                "documents of the earlier one. Check it and submit it when it is ready: "
                "nothing has been submitted.",
                **names,
            ),
            "success",
        )
    if result.missing:
        flash(
            ngettext(
                "This document could not be copied; upload it again: %(names)s.",
                "These documents could not be copied; upload them again: %(names)s.",
                len(result.missing),
                names=", ".join(result.missing),
            ),
            "warning",
        )
    return redirect(url_for("nominate.edit", nomination_id=draft.id))
