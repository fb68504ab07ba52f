"""The personal outcomes (workflow/outcomes.py) as editable kinds: to a nominee and to a
nominator, awarded or not selected. A nominee's message has no placeholder for the nominator
or for scores: an edited text cannot reveal what its kind does not know."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nominations.formatting import format_amount
from nominations.languages import localized
from nominations.mail.text_kinds import CATEGORY, NAME, NOMINEE, PRIZE, ROUND, Context, _p, _src
from nominations.mail.text_kinds_more import RESULTS_LINK
from nominations.mail.texts import Kind, register

CITATION = _p(
    "citation",
    _l("The panel's citation from the decision (may be empty)"),
    _l("For outstanding work on the biology of radiation response."),
)
# The keys, in the order the outcomes page lists them: (recipient, result).
OUTCOME_KINDS = {
    ("nominee", True): "outcome_nominee_awarded",
    ("nominee", False): "outcome_nominee_not_selected",
    ("nominator", True): "outcome_nominator_awarded",
    ("nominator", False): "outcome_nominator_not_selected",
}


def outcome_values(c: Context) -> dict[str, Any]:
    category = c["category"]
    return {
        "name": c["user"].name,
        "nominee": c["nominee"],
        "category": localized(category, "name"),
        "round": c["award_round"].title,
        "prize": format_amount(category.prize_amount, category.currency),
        "citation": c.get("citation") or "",
        "results_link": c["results_url"],
    }


def _body(*middle: str) -> str:
    return "\n".join(
        [
            _src(_("Hello %(name)s,")),
            "",
            *middle,
            "",
            _src(_("All the results: %(url)s"), url="results_link"),
        ]
    )


def _citation() -> str:
    return "{% if citation %}\n" + _("The panel's citation:") + "\n{{ citation }}\n{% endif %}"


FOR_NOMINEE = (NAME, CATEGORY, ROUND, PRIZE, RESULTS_LINK)
FOR_NOMINATOR = (NAME, NOMINEE, CATEGORY, ROUND, PRIZE, RESULTS_LINK)

register(
    Kind(
        "outcome_nominee_awarded",
        _l("Outcome: you are awarded (to the nominee)"),
        _l("To a winner, when the administrator sends the personal outcomes."),
        (*FOR_NOMINEE, CITATION),
        outcome_values,
        lambda: _src(_("Congratulations: %(category)s, %(round)s")),
        lambda: _body(
            _src(
                _("Congratulations: you have been awarded %(category)s in %(round)s (%(prize)s).")
            ),
            _citation(),
        ),
    )
)
register(
    Kind(
        "outcome_nominee_not_selected",
        _l("Outcome: not selected (to the nominee)"),
        _l("To a nominee who was not selected, when the administrator sends the outcomes."),
        FOR_NOMINEE,
        outcome_values,
        lambda: _src(_("Your nomination for %(category)s, %(round)s")),
        lambda: _body(
            _src(
                _(
                    "You were nominated for %(category)s in %(round)s. The panel has made its "
                    "decision, and this time you were not selected."
                )
            ),
            "",
            _("Thank you for your work, and congratulations on the nomination."),
        ),
    )
)
register(
    Kind(
        "outcome_nominator_awarded",
        _l("Outcome: your nominee is awarded (to the nominator)"),
        _l("To the nominator of a winner, when the administrator sends the outcomes."),
        (*FOR_NOMINATOR, CITATION),
        outcome_values,
        lambda: _src(_("Your nominee is awarded: %(nominee)s, %(category)s")),
        lambda: _body(
            _src(
                _(
                    "%(nominee)s, whom you nominated for %(category)s in %(round)s, has been "
                    "awarded the prize (%(prize)s)."
                )
            ),
            _citation(),
            _("Thank you for your nomination."),
        ),
    )
)
register(
    Kind(
        "outcome_nominator_not_selected",
        _l("Outcome: not selected (to the nominator)"),
        _l("To the nominator of a nominee who was not selected, when the outcomes are sent."),
        FOR_NOMINATOR,
        outcome_values,
        lambda: _src(_("Outcome of your nomination: %(nominee)s, %(category)s")),
        lambda: _body(
            _src(
                _(
                    "Your nomination of %(nominee)s for %(category)s in %(round)s was not "
                    "selected this time."
                )
            ),
            "",
            _("Thank you for taking the time to nominate a colleague."),
        ),
    )
)
