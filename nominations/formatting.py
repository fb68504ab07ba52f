"""How amounts and names are written for people."""

from __future__ import annotations

from babel.numbers import format_currency

from nominations.languages import current_language, formatting_locale

# How a prize is written: "400 000 kr" in bokmål, "NOK 400,000" in English (whole units).
AMOUNT_PATTERNS = {"nb": "#,##0 ¤", "en": "¤ #,##0"}


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


def count_words(text: str | None) -> int:
    return len((text or "").split())
