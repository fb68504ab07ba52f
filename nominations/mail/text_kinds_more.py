"""More kinds of editable e-mail (see ``text_kinds``): the closing of a call, a held opening
and published results; then the modules of a nomination's changes, the outcomes, the
referees' letters and the notice to nominees."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from nominations.formatting import format_amount
from nominations.languages import localized
from nominations.mail.text_kinds import (
    CLOSES,
    COUNT,
    DEADLINE,
    NAME,
    ROUND,
    SAMPLE_AT,
    SAMPLE_CLOSES,
    Context,
    _base,
    _either,
    _hello,
    _lines,
    _link,
    _p,
    _round_values,
    _src,
)
from nominations.mail.texts import Kind, register
from nominations.timeutil import format_date, format_local


def _reviewing_open(c: Context) -> dict[str, Any]:
    award_round = c["award_round"]
    return {
        **_round_values(c),
        "closes": format_local(award_round.closes_at),
        "deadline": format_local(award_round.review_deadline),
        "count": c.get("count", 0),
        "link": f"{c['base_url']}/review/#round-{award_round.id}",
    }


register(
    Kind(
        "reviewing_open",
        _l("Reviewing open"),
        _l("To each panel member when a call closes: how many nominations to review."),
        (NAME, ROUND, CLOSES, DEADLINE, COUNT, _link(_l("The reviewer's list"), "/review/")),
        _reviewing_open,
        lambda: _src(_("Reviewing is open: %(round)s")),
        lambda: _lines(
            _hello(),
            "",
            _src(
                _(
                    "The call for %(round)s closed %(closes)s and reviewing is open. Reviews are "
                    "due %(deadline)s."
                )
            ),
            "",
            "{% if count %}"
            + _either(
                "You have %(num)d nomination to review:",
                "You have %(num)d nominations to review:",
                "count",
            ),
            "{{ link }}",
            "{% else %}" + _("There is no nomination for you to review at the moment."),
            _src(_("Review: %(url)s"), url="link") + "{% endif %}",
        ),
    )
)


def _count_line(row) -> str:
    counts = {"submitted": row.submitted, "withdrawn": row.withdrawn}
    if row.ineligible:
        words = ngettext(
            "%(submitted)d submitted, %(num)d draft not submitted, %(withdrawn)d withdrawn, "
            "%(ineligible)d ineligible",
            "%(submitted)d submitted, %(num)d drafts not submitted, %(withdrawn)d withdrawn, "
            "%(ineligible)d ineligible",
            row.drafts,
            ineligible=row.ineligible,
            **counts,
        )
    else:
        words = ngettext(
            "%(submitted)d submitted, %(num)d draft not submitted, %(withdrawn)d withdrawn",
            "%(submitted)d submitted, %(num)d drafts not submitted, %(withdrawn)d withdrawn",
            row.drafts,
            **counts,
        )
    category = row.category
    amount = format_amount(category.prize_amount, category.currency)
    return f"- {localized(category, 'name')} ({amount}): {words}"


def _close_summary(c: Context) -> dict[str, Any]:
    award_round, totals = c["award_round"], c["totals"]
    return {
        **_round_values(c),
        "closes": format_local(award_round.closes_at),
        "counts": "\n".join(_count_line(row) for row in c["counts"]),
        "submitted": totals.submitted,
        "drafts": totals.drafts,
        "withdrawn": totals.withdrawn,
        "deadline": format_local(award_round.review_deadline),
        "link": f"{c['base_url']}/admin/rounds/{award_round.id}",
    }


def _sample_counts() -> str:
    category = SimpleNamespace(
        name="Excellent Researcher Award", name_nb="", prize_amount=400_000, currency="NOK"
    )
    return _count_line(
        SimpleNamespace(category=category, submitted=5, drafts=1, withdrawn=0, ineligible=0)
    )


def _number(name: str, description: Any, sample: int):
    return _p(name, description, sample)


register(
    Kind(
        "close_summary",
        _l("Call closed (summary)"),
        _l("To the administrators when a call closes: nominations per category."),
        (
            NAME,
            ROUND,
            CLOSES,
            _p(
                "counts",
                _l("Nominations per category, one line each"),
                _sample_counts,
            ),
            _number("submitted", _l("Nominations submitted in all"), 5),
            _number("drafts", _l("Drafts not submitted in all"), 1),
            _number("withdrawn", _l("Nominations withdrawn in all"), 0),
            DEADLINE,
            _link(_l("The round's administration page"), "/admin/rounds/1"),
        ),
        _close_summary,
        lambda: _either(
            "Call closed: %(round)s, %(num)d nomination submitted",
            "Call closed: %(round)s, %(num)d nominations submitted",
            "submitted",
        ),
        lambda: _lines(
            _hello(),
            "",
            _src(_("The call for %(round)s closed %(closes)s. Nominations per category:")),
            "{{ counts }}",
            "",
            _either(
                "In all: %(submitted)d submitted, %(num)d draft, %(withdrawn)d withdrawn.",
                "In all: %(submitted)d submitted, %(num)d drafts, %(withdrawn)d withdrawn.",
                "drafts",
            ),
            _src(
                _("The panel has been told that reviewing is open; reviews are due %(deadline)s.")
            ),
            "",
            _src(_("The round: %(url)s"), url="link"),
        ),
    )
)


def _opening_held(c: Context) -> dict[str, Any]:
    award_round = c["award_round"]
    return {
        **_round_values(c),
        "opens": format_local(award_round.opens_at),
        "problems": "\n".join(f"- {problem}" for problem in c["problems"]),
        "link": f"{c['base_url']}/admin/rounds/{award_round.id}",
    }


register(
    Kind(
        "opening_held",
        _l("Round not opened"),
        _l("To the administrators when a round's opening time came but it could not open."),
        (
            NAME,
            ROUND,
            _p("opens", _l("When the round was due to open"), lambda: format_local(SAMPLE_AT)),
            _p(
                "problems",
                _l("What stops it, one per line"),
                lambda: "- " + _("Review the announcement and confirm the opening."),
            ),
            _link(_l("The round's administration page"), "/admin/rounds/1"),
        ),
        _opening_held,
        lambda: _src(_("Not opened: %(round)s is waiting for you")),
        lambda: _lines(
            _hello(),
            "",
            _src(
                _(
                    "%(round)s was due to open %(opens)s, but it has not opened: nobody has been "
                    "told and no nominations are accepted yet. To open it:"
                )
            ),
            "{{ problems }}",
            "",
            _src(_("Open the round: %(url)s"), url="link"),
        ),
    )
)

RESULTS_LINK = _p(
    "results_link", _l("The public page of the round's results"), lambda: _base() + "/results/1"
)
CEREMONY = _p(
    "ceremony",
    _l("The day the prizes are presented (may be empty)"),
    lambda: format_date(SAMPLE_CLOSES),
)


def _results_published(c: Context) -> dict[str, Any]:
    return {
        "name": c.get("name") or "",
        "round": c["award_round"].title,
        "results_link": c["results_url"],
        "ceremony": format_date(c["ceremony"]) if c.get("ceremony") else "",
    }


register(
    Kind(
        "round_results_published",
        _l("Results published"),
        _l("To every nominator and nominee of the round when its results are published."),
        (
            _p("name", _l("The recipient's name (may be empty)"), "Kari Nordmann"),
            ROUND,
            RESULTS_LINK,
            CEREMONY,
        ),
        _results_published,
        lambda: _src(_("Results of %(round)s are published")),
        lambda: _lines(
            "{% if name %}" + _hello() + "{% else %}" + _("Hello there,") + "{% endif %}",
            "",
            _src(_("The results of %(round)s are published."))
            + " "
            + _("See the winners of each category here:"),
            "",
            "{{ results_link }}",
            "{% if ceremony %}",
            _src(_("The prizes are presented on %(day)s."), day="ceremony"),
            "{% endif %}",
            _("Thank you for taking part."),
        ),
    )
)

# The other kinds: a nomination's changes, the personal outcomes, the referees' letters and
# the nominees' notice.
from nominations.mail import (  # noqa: E402,F401
    text_nominations,
    text_nominee_notice,
    text_outcomes,
    text_referees,
)
