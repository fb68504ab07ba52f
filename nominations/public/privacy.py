"""The privacy notice, for everyone (linked from every page's footer and from the forms that
collect personal data)."""

from flask import render_template

from nominations.data_controller import contact, controller
from nominations.languages import localized
from nominations.public import bp
from nominations.workflow.privacy_notice import current_notice, paragraphs


@bp.route("/privacy")
def privacy():
    notice = current_notice()
    return render_template(
        "public/privacy.html",
        notice=notice,
        paragraphs=paragraphs(localized(notice, "text")),
        controller=controller(),
        contact=contact(),
    )
