"""How amounts, scores, statuses and names are written for people."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from flask_babel import lazy_gettext as _l

from nominations.languages import current_language, formatting_locale

# How a prize is written: "400 000 kr" in bokmål, "NOK 400,000" in English (whole units).
AMOUNT_PATTERNS = {"nb": "#,##0 ¤", "en": "¤ #,##0"}

# What the pages call each status (nominations, rounds, reviews, outbox messages, reminder
# rules): the stored value is English and fixed; the label is the reader's language.
STATUS_LABELS = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "withdrawn": _l("withdrawn"),
    "ineligible": _l("ineligible"),
    "shortlisted": _l("shortlisted"),
    "awarded": _l("awarded"),
    "not_awarded": _l("not awarded"),
    "open": _l("open"),
    "closed": _l("closed"),
    "decided": _l("decided"),
    "published": _l("published"),
    "to do": _l("to do"),
    "pending": _l("pending"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "disabled": _l("disabled"),
    "due": _l("due"),
    "skipped": _l("skipped"),
    "waiting": _l("waiting"),
    "past": _l("past"),
    "on opening": _l("on opening"),
    "on publishing": _l("on publishing"),
}

# A printf-style score format as the templates give it: "%.2f", "%+.3f".
SCORE_FORMAT = re.compile(r"%(\+?)\.(\d)f")


def format_amount(amount: int | None, currency: str = "NOK") -> str:
    """A prize amount in the reader's language, through Babel's currency formats."""
    if amount is None:
        return ""
    return format_currency(
        amount,
        currency,
        format=AMOUNT_PATTERNS[current_language()],
        locale=formatting_locale(),
        currency_digits=False,
    )


def format_score(value: float, fmt: str = "%.2f") -> str:
    """A score with the reader's decimal sign ("5.25" / "5,25"); ``fmt`` as in printf,
    "%.2f" or with a sign, "%+.3f".

    Written by printf and given the locale's signs: the same text as Babel's
    ``format_decimal`` of the float's exact value, which rounds as printf does (half to even on
    the exact value; tests/test_formatting_scores.py compares the two), at a twentieth of the
    cost: a ranking page writes 3 000 scores."""
    if SCORE_FORMAT.fullmatch(fmt) is None:
        raise ValueError(f"unknown score format {fmt!r}")
    signs = _language_signs(current_language())
    if signs is None:  # a locale that writes numbers otherwise: Babel itself
        return babel_score(value, fmt)
    decimal, minus, plus = signs
    return (fmt % value).translate({ord("."): decimal, ord("-"): minus, ord("+"): plus})


def babel_score(value: float, fmt: str = "%.2f") -> str:
    """``format_score`` as Babel writes it, from the printf format's pattern."""
    match = SCORE_FORMAT.fullmatch(fmt)
    if match is None:
        raise ValueError(f"unknown score format {fmt!r}")
    sign, digits = match.groups()
    pattern = "0." + "0" * int(digits) if int(digits) else "0"
    if sign:
        pattern = f"+{pattern};-{pattern}"
    # The float's exact value (not its shortest repr), so it rounds exactly as printf does.
    return format_decimal(Decimal(value), pattern, locale=formatting_locale())


@functools.cache
def _language_signs(language: str) -> tuple[str, str, str] | None:
    """``_number_signs`` of the formatting locale of ``language`` (the current one: the key)."""
    return _number_signs(str(formatting_locale()))


@functools.cache
def _number_signs(locale: str) -> tuple[str, str, str] | None:
    """The locale's decimal sign, minus and plus as Babel writes them ("," "−" "+" in
    bokmål), or None when its numbers are not written sign, digits, decimal sign, digits."""
    negative = format_decimal(Decimal("-1.5"), "+0.0;-0.0", locale=locale)
    positive = format_decimal(Decimal("1.5"), "+0.0;-0.0", locale=locale)
    if len(negative) != 4 or len(positive) != 4 or negative[1:] != positive[1:]:
        return None
    if negative[1] != "1" or negative[3] != "5":
        return None
    return negative[2], negative[0], positive[0]


def status_label(status: object) -> str:
    """A status as the pages name it, in the reader's language ("not awarded", "tildelt")."""
    key = str(status)
    label = STATUS_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def count_words(text: str | None) -> int:
    return len((text or "").split())
