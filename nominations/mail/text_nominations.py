"""The editable kinds about a nomination's changes, to its nominator (see ``text_kinds``):
received, withdrawn, marked ineligible."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nominations.formatting import format_amount
from nominations.languages import localized
from nominations.mail.text_kinds import (
    CATEGORY,
    CLOSES,
    NAME,
    NOMINEE,
    PRIZE,
    ROUND,
    SAMPLE_AT,
    Context,
    _hello,
    _lines,
    _link,
    _p,
    _src,
)
from nominations.mail.texts import Kind, register
from nominations.timeutil import format_local


def _nomination_values(c: Context) -> dict[str, Any]:
    nomination, category = c["nomination"], c["category"]
    if category.prize_count > 1:
        prize = _(
            "%(num)d prizes of %(amount)s",
            num=category.prize_count,
            amount=format_amount(category.prize_amount, category.currency),
        )
    else:
        prize = format_amount(category.prize_amount, category.currency)
    return {
        "name": c["nominator"].name,
        "nominee": nomination.nominee_name,
        "category": localized(category, "name"),
        "round": c["award_round"].title,
        "prize": prize,
        "closes": format_local(c["award_round"].closes_at),
        "submitted": format_local(nomination.submitted_at),
        "withdrawn": format_local(nomination.withdrawn_at),
        "reason": nomination.ineligible_reason,
        "link": c["link"],
    }


def _facts() -> str:
    return _lines(
        _src(_("Category:")) + " {{ category }} ({{ round }})",
        _src(_("Prize:")) + " {{ prize }}",
        _src(_("Nominee:")) + " {{ nominee }}",
        _src(_("Closing date:")) + " {{ closes }}",
    )


NOMINATION_LINK = _link(_l("The nominator's page of the nomination"), "/nominations/1")
NOMINATION_PLACEHOLDERS = (NAME, NOMINEE, CATEGORY, ROUND, PRIZE, CLOSES, NOMINATION_LINK)
WHEN = lambda: format_local(SAMPLE_AT)  # noqa: E731

register(
    Kind(
        "nomination_submitted",
        _l("Nomination received"),
        _l("To the nominator when a nomination is submitted."),
        (*NOMINATION_PLACEHOLDERS, _p("submitted", _l("When it was submitted"), WHEN)),
        _nomination_values,
        lambda: _src(_("Nomination received: %(nominee)s for %(category)s")),
        lambda: _lines(
            _hello(),
            "",
            _("Thank you: your nomination has been received."),
            "",
            _facts(),
            _("Submitted:") + " {{ submitted }}",
            "",
            _("You can see, edit or withdraw it until the closing date") + ":",
            "{{ link }}",
        ),
    )
)
register(
    Kind(
        "nomination_withdrawn",
        _l("Nomination withdrawn"),
        _l("To the nominator when a nomination is withdrawn."),
        (*NOMINATION_PLACEHOLDERS, _p("withdrawn", _l("When it was withdrawn"), WHEN)),
        _nomination_values,
        lambda: _src(_("Nomination withdrawn: %(nominee)s for %(category)s")),
        lambda: _lines(
            _hello(),
            "",
            _("Your nomination has been withdrawn; the review panel will not see it."),
            "",
            _facts(),
            _("Withdrawn:") + " {{ withdrawn }}",
            "",
            _("Changed your mind?")
            + " "
            + _("You can submit it again until the closing date")
            + ":",
            "{{ link }}",
        ),
    )
)
register(
    Kind(
        "nomination_ineligible",
        _l("Nomination ineligible"),
        _l("To the nominator when an administrator marks a nomination ineligible."),
        (
            *NOMINATION_PLACEHOLDERS,
            _p(
                "reason",
                _l("The reason the administrator gave"),
                _l("The nominee is not employed at the institute."),
            ),
        ),
        _nomination_values,
        lambda: _src(_("Nomination marked ineligible: %(nominee)s for %(category)s")),
        lambda: _lines(
            _hello(),
            "",
            _(
                "The administrators have marked your nomination as ineligible, so it will not go "
                "to the review panel."
            ),
            "",
            _("Reason given:"),
            "{{ reason }}",
            "",
            _facts(),
            "",
            _("The nomination") + ":",
            "{{ link }}",
            "",
            _(
                "If you think this is a mistake, reply to the award administrators at the "
                "institute."
            ),
        ),
    )
)
