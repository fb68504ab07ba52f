"""The kinds of e-mail administrators may reword: one ``register(Kind(...))`` entry each.

An entry says which placeholders the kind offers (with a description and a sample value), how
their values come from the context the sending code passes to the default templates, and the
default text: the sentences of the default templates (the same translations) with placeholders
where those put values. To make another kind editable, add one entry here with the key of its
templates in templates/emails/.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nominations.formatting import format_amount
from nominations.languages import localized
from nominations.mail.texts import Kind, Placeholder, register
from nominations.timeutil import format_date, format_local, humanize_remaining

Context = Mapping[str, Any]

# --- the default texts: translated sentences with placeholders --------------------------------


def _placeholder(name: str) -> str:
    return "{{ " + name + " }}"


def _src(translated: str, **names: str) -> str:
    """A translated sentence (unformatted: gettext without values) with each ``%(x)s`` /
    ``%(x)d`` made the placeholder ``{{ names[x] }}``."""
    filled = re.sub(
        r"%\((\w+)\)[sd]", lambda m: _placeholder(names.get(m.group(1), m.group(1))), translated
    )
    return filled.replace("%%", "%")


def _either(singular: str, plural: str, count: str, **names: str) -> str:
    """A sentence that depends on a number, as an if/else on the placeholder ``count``."""
    translations = get_translations()
    names = {"num": count, **names}
    one = _src(translations.ungettext(singular, plural, 1), **names)
    many = _src(translations.ungettext(singular, plural, 2), **names)
    return f"{{% if {count} == 1 %}}{one}{{% else %}}{many}{{% endif %}}"


def _hello() -> str:
    return _src(_("Hello %(name)s,"))


def _lines(*parts: str) -> str:
    return "\n".join(parts)


# --- sample values for the preview ----------------------------------------------------------

SAMPLE_CLOSES = datetime(2027, 3, 7, 22, 59, 59, tzinfo=UTC)
SAMPLE_AT = SAMPLE_CLOSES - timedelta(days=7)
SAMPLE_DEADLINE = datetime(2027, 4, 30, 21, 59, 59, tzinfo=UTC)


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _p(name: str, description: Any, sample) -> Placeholder:
    return Placeholder(name, description, sample if callable(sample) else (lambda: sample))


NAME = _p("name", _l("The recipient's name"), "Kari Nordmann")
ROUND = _p("round", _l("The round's title"), "OUH Research Awards 2027")
CLOSES = _p("closes", _l("When nominations close"), lambda: format_local(SAMPLE_CLOSES))
REMAINING = _p(
    "remaining",
    _l("The time left until the deadline, in words"),
    lambda: humanize_remaining(SAMPLE_CLOSES, SAMPLE_AT),
)
DEADLINE = _p("deadline", _l("When reviews are due"), lambda: format_local(SAMPLE_DEADLINE))
CATEGORIES = _p(
    "categories",
    _l("The round's categories with their prizes, one per line"),
    lambda: _lines(
        f"- Excellent Researcher Award: {format_amount(400_000)}",
        f"- Early Career Award: {format_amount(200_000)} "
        f"({ngettext('%(num)d prize', '%(num)d prizes', 2)})",
    ),
)
NOMINEE = _p("nominee", _l("The nominee's name"), "Ola Hansen")
CATEGORY = _p("category", _l("The category's name"), "Excellent Researcher Award")
PRIZE = _p("prize", _l("The prize (amount)"), lambda: format_amount(400_000))


def _link(description: Any, path: str) -> Placeholder:
    return _p("link", description, lambda: _base() + path)


# --- values from the templates' context --------------------------------------------------------


def _round_values(c: Context) -> dict[str, Any]:
    award_round = c["award_round"]
    return {"name": c["user"].name, "round": award_round.title}


def _categories(c: Context) -> str:
    return render_template("emails/_categories.txt", categories=c["categories"]).strip("\n")


def _call_opened(c: Context) -> dict[str, Any]:
    award_round = c["award_round"]
    return {
        **_round_values(c),
        "organiser": award_round.organiser or "",
        "categories": _categories(c),
        "closes": format_local(award_round.closes_at),
        "link": c["base_url"] + "/calls",
    }


register(
    Kind(
        "call_opened",
        _l("Call opened"),
        _l("To all active staff when a round opens (if the round's rule is on)."),
        (
            NAME,
            ROUND,
            _p(
                "organiser",
                _l("Who organises the round (may be empty)"),
                "Oslo University Hospital",
            ),
            CATEGORIES,
            CLOSES,
            _link(_l("The page of open calls"), "/calls"),
        ),
        _call_opened,
        lambda: _src(_("Call for nominations open: %(round)s")),
        lambda: _lines(
            _hello(),
            "",
            "{% if organiser %}"
            + _src(
                _(
                    "The call for nominations for %(round)s is open (%(organiser)s). You can "
                    "nominate a colleague in these categories:"
                )
            )
            + "{% else %}"
            + _src(
                _(
                    "The call for nominations for %(round)s is open. You can nominate a "
                    "colleague in these categories:"
                )
            )
            + "{% endif %}",
            "{{ categories }}",
            "",
            _src(_("Nominations close %(closes)s.")),
            "",
            _src(_("Nominate: %(url)s"), url="link"),
        ),
    )
)


def _call_closing(c: Context) -> dict[str, Any]:
    award_round = c["award_round"]
    return {
        **_round_values(c),
        "categories": _categories(c),
        "closes": format_local(award_round.closes_at),
        "remaining": humanize_remaining(award_round.closes_at, c["at"]),
        "link": c["base_url"] + "/calls",
    }


register(
    Kind(
        "call_closing",
        _l("Call closing soon"),
        _l("To all active staff some days before a call closes (the round's reminders)."),
        (NAME, ROUND, CLOSES, REMAINING, CATEGORIES, _link(_l("The page of open calls"), "/calls")),
        _call_closing,
        lambda: _src(_("Nominations for %(round)s close %(closes)s")),
        lambda: _lines(
            _hello(),
            "",
            _src(_("Nominations for %(round)s close %(closes)s (%(remaining)s). The categories:")),
            "{{ categories }}",
            "",
            _src(_("Nominate a colleague: %(url)s"), url="link"),
        ),
    )
)

COUNT = _p("count", _l("How many (a number)"), 2)


def _draft_pending(c: Context) -> dict[str, Any]:
    award_round = c["award_round"]
    drafts = "\n".join(
        "- {}: {}, {}".format(
            n.nominee_name or _("(nominee not named yet)"),
            localized(n.category, "name"),
            format_amount(n.category.prize_amount, n.category.currency),
        )
        for n in c["items"]
    )
    return {
        **_round_values(c),
        "count": c["count"],
        "drafts": drafts,
        "closes": format_local(award_round.closes_at),
        "remaining": humanize_remaining(award_round.closes_at, c["at"]),
        "link": c["base_url"] + "/nominations/mine",
    }


register(
    Kind(
        "draft_pending",
        _l("Draft not submitted"),
        _l("To nominators with drafts some days before the call closes (the round's reminders)."),
        (
            NAME,
            ROUND,
            COUNT,
            _p(
                "drafts",
                _l("The drafts (nominee, category, prize), one per line"),
                lambda: f"- Ola Hansen: Excellent Researcher Award, {format_amount(400_000)}",
            ),
            CLOSES,
            REMAINING,
            _link(_l("The nominator's list of nominations"), "/nominations/mine"),
        ),
        _draft_pending,
        lambda: _src(
            _("Your nomination %(num)d drafts are not submitted yet (%(round)s)"), num="count"
        ),
        lambda: _lines(
            _hello(),
            "",
            _either(
                "Your nomination for %(round)s is saved as a draft and not submitted yet:",
                "Your nominations for %(round)s are saved as drafts and not submitted yet:",
                "count",
            ),
            "{{ drafts }}",
            "",
            _src(
                _(
                    "A draft is not considered by the panel. Submit before the call closes "
                    "%(closes)s (%(remaining)s)."
                )
            ),
            "",
            _src(_("Your nominations: %(url)s"), url="link"),
        ),
    )
)


def _review_due(c: Context) -> dict[str, Any]:
    award_round = c["award_round"]
    reviews = render_template("emails/_review_list.txt", items=c["items"]).strip("\n")
    return {
        **_round_values(c),
        "count": c["count"],
        "reviews": reviews,
        "deadline": format_local(award_round.review_deadline),
        "remaining": humanize_remaining(award_round.review_deadline, c["at"]),
        "link": f"{c['base_url']}/review/#round-{award_round.id}",
    }


_REVIEWS_DUE = (
    "Reviews for %(round)s are due %(deadline)s (%(remaining)s). You still have %(num)d review "
    "to submit:",
    "Reviews for %(round)s are due %(deadline)s (%(remaining)s). You still have %(num)d reviews "
    "to submit:",
)

register(
    Kind(
        "review_due",
        _l("Reviews due"),
        _l("To panel members who owe reviews some days before the review deadline."),
        (
            NAME,
            ROUND,
            COUNT,
            _p(
                "reviews",
                _l("The nominations still to review, one per line (empty when there are many)"),
                lambda: f"- Ola Hansen: Excellent Researcher Award, {format_amount(400_000)}",
            ),
            DEADLINE,
            REMAINING,
            _link(_l("The reviewer's list"), "/review/#round-1"),
        ),
        _review_due,
        lambda: _either(
            "%(num)d review still to do for %(round)s, due %(deadline)s",
            "%(num)d reviews still to do for %(round)s, due %(deadline)s",
            "count",
        ),
        lambda: _lines(
            _hello(),
            "",
            _either(*_REVIEWS_DUE, "count"),
            "{% if reviews %}{{ reviews }}{% endif %}",
            "",
            _src(_("Review: %(url)s"), url="link"),
        ),
    )
)

from nominations.mail import text_kinds_more  # noqa: E402,F401  (the other kinds)

__all__ = ["SAMPLE_AT", "SAMPLE_CLOSES", "SAMPLE_DEADLINE", "format_date"]
