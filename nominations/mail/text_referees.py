"""The e-mails to referees (workflow/referees/mailing.py) as editable kinds: the request, the
reminder and the confirmation of a letter (see ``text_kinds``). Each carries the referee's
personal link, the only way to upload a letter: the placeholder ``link`` is required, so a
text without it is refused, and a message that loses it is sent as the standard text."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nominations.languages import localized
from nominations.mail.text_kinds import (
    CATEGORY,
    NOMINEE,
    ROUND,
    SAMPLE_DEADLINE,
    Context,
    _base,
    _hello,
    _lines,
    _p,
    _src,
)
from nominations.mail.texts import Kind, Placeholder, register
from nominations.timeutil import format_local

REFEREE = _p("name", _l("The referee's name"), "Kari Nordmann")
NOMINATOR = _p("nominator", _l("The nominator's name"), "Nina Berg")
LETTERS_DUE = _p(
    "deadline", _l("When letters of reference are due"), lambda: format_local(SAMPLE_DEADLINE)
)
LINK = Placeholder(
    "link",
    _l("The referee's personal link to upload the letter (the only way to send it)"),
    lambda: _base() + "/referee/Sample-personal-link-4f9c2a7e",
    required=True,
)
REPLACED = _p("replaced", _l("1 when the letter replaces one sent before, else 0"), 0)
PLACEHOLDERS = (REFEREE, NOMINEE, CATEGORY, ROUND, NOMINATOR, LETTERS_DUE, LINK)


def referee_values(c: Context) -> dict[str, Any]:
    nomination = c["nomination"]
    return {
        "name": c["referee"].name,
        "nominee": nomination.nominee_name or nomination.nominee_email,
        "category": localized(c["category"], "name"),
        "round": c["award_round"].title,
        "nominator": c["nominator"].name,
        "deadline": format_local(c["deadline"]),
        "link": c["link"],
        "replaced": 1 if c.get("replaced") else 0,
    }


def _facts() -> str:
    """The lines of emails/_referee_facts.txt."""
    return _lines(
        _src(_("Nominee: %(nominee)s")),
        _src(_("Category: %(category)s (%(round)s)")),
        _src(_("Nominated by: %(nominator)s")),
        _src(_("Letters are due: %(deadline)s")),
    )


def _body(*parts: str) -> str:
    return _lines(_hello(), "", *parts)


register(
    Kind(
        "referee_request",
        _l("Letter of reference requested (to a referee)"),
        _l("To a referee, once named by the nominator: asks for a letter, with the personal link."),
        PLACEHOLDERS,
        referee_values,
        lambda: _src(_("Letter of reference requested: %(nominee)s for %(category)s")),
        lambda: _body(
            _src(
                _(
                    "%(nominator)s has nominated %(nominee)s for %(category)s and named you as "
                    "a referee. We would be grateful for your letter of reference, as a PDF file."
                )
            ),
            "",
            _facts(),
            "",
            _(
                "Upload your letter here (no account needed; the link is personal, do not pass "
                "it on):"
            ),
            "{{ link }}",
            "",
            _(
                "Only the award panel and the administrators read your letter; the nominator is "
                "told only that it has come."
            ),
        ),
    )
)
register(
    Kind(
        "referee_reminder",
        _l("Letter of reference reminder (to a referee)"),
        _l(
            "To a referee without a letter some days before the letter deadline, with a new "
            "personal link (the earlier one stops working)."
        ),
        PLACEHOLDERS,
        referee_values,
        lambda: _src(_("Reminder: your letter of reference for %(nominee)s is due %(deadline)s")),
        lambda: _body(
            _src(
                _(
                    "A reminder: %(nominator)s named you as a referee for %(nominee)s, and we "
                    "have not received your letter of reference yet. Letters are due "
                    "%(deadline)s."
                )
            ),
            "",
            _facts(),
            "",
            _("Upload your letter here (this link replaces the one in earlier messages):"),
            "{{ link }}",
        ),
    )
)
register(
    Kind(
        "referee_received",
        _l("Letter of reference received (to a referee)"),
        _l(
            "To a referee whose letter has come, with a new personal link to replace it until "
            "the deadline."
        ),
        (*PLACEHOLDERS, REPLACED),
        referee_values,
        lambda: _src(_("Letter of reference received: %(nominee)s for %(category)s")),
        lambda: _body(
            "{% if replaced %}"
            + _src(
                _(
                    "Thank you: your new letter of reference for %(nominee)s has been received. "
                    "It replaces the one you sent before."
                )
            )
            + "{% else %}"
            + _src(_("Thank you: your letter of reference for %(nominee)s has been received."))
            + "{% endif %}",
            "",
            _facts(),
            "",
            _(
                "To replace your letter until the deadline, use this new link (the earlier one "
                "no longer works):"
            ),
            "{{ link }}",
        ),
    )
)
