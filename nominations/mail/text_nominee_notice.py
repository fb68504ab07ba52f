"""The notice to nominees when a call closes (workflow/nominee_notice.py, GDPR article 14) as
an editable kind (see ``text_kinds``). Like the standard text, it has no placeholder for who
nominated them or for scores: an edited text cannot reveal what its kind does not know."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nominations.data_controller import contact, controller
from nominations.languages import localized
from nominations.mail.text_kinds import ROUND, Context, _base, _hello, _lines, _p, _src
from nominations.mail.texts import Kind, Placeholder, register


def notice_values(c: Context) -> dict[str, Any]:
    nominee, award_round = c["nominee"], c["award_round"]
    return {
        "name": nominee.name,
        "categories": ", ".join(localized(category, "name") for category in nominee.categories),
        "round": award_round.title,
        "controller": c["controller"],
        "documents": award_round.retain_documents_months,
        "comments": award_round.retain_comments_months,
        "privacy_link": c["privacy_link"],
        "contact": c["contact"] or "",
    }


register(
    Kind(
        "nominee_notice",
        _l("You have been nominated (to the nominee)"),
        _l(
            "To each nominee with an e-mail address when the call closes, if the round informs "
            "nominees: what is held about them, for how long, and where to read the privacy "
            "notice."
        ),
        (
            _p("name", _l("The nominee's name"), "Ola Hansen"),
            _p(
                "categories",
                _l("The categories the nominee is nominated for, separated by commas"),
                "Excellent Researcher Award, Early Career Award",
            ),
            ROUND,
            _p("controller", _l("Who holds the data (from the configuration)"), controller),
            _p("documents", _l("Months the documents are kept after publication (a number)"), 12),
            _p("comments", _l("Months the review comments are kept (a number)"), 12),
            # Required: the notice the law asks for (GDPR article 14) must point to the rest.
            Placeholder(
                "privacy_link",
                _l("The page of the privacy notice"),
                lambda: _base() + "/privacy",
                required=True,
            ),
            _p(
                "contact",
                _l("The address for questions about personal data (may be empty)"),
                contact,
            ),
        ),
        notice_values,
        lambda: _src(_("You have been nominated: %(round)s")),
        lambda: _lines(
            _hello(),
            "",
            _src(
                _(
                    "You have been nominated for %(categories)s in %(round)s. The call for "
                    "nominations has closed, and the review panel will now assess the "
                    "nominations."
                )
            ),
            "",
            _("We tell you because the nomination holds personal data about you."),
            "",
            _src(_("Who holds the data: %(controller)s.")),
            "",
            _(
                "What is held: your name, e-mail address, position and department, the "
                "nomination statement and the documents uploaded with it (such as a CV, a "
                "publication list and letters of support), and the review panel's scores, "
                "recommendations and comments."
            ),
            "",
            _src(
                _(
                    "How long: the documents are deleted %(documents)d months after the results "
                    "are published, unless you win the prize; the review comments %(comments)d "
                    "months after publication. The names of the winners and the citations are "
                    "kept as the record of the prize."
                )
            ),
            "",
            _("Read the privacy notice:") + " {{ privacy_link }}",
            "{% if contact %}"
            + _src(_("Questions about your personal data: %(address)s"), address="contact")
            + "{% endif %}",
        ),
    )
)
