"""How amounts and names are written for people."""

from __future__ import annotations


def format_amount(amount: int | None, currency: str = "NOK") -> str:
    """'NOK 400 000': thousands grouped with spaces, as written in Norway."""
    if amount is None:
        return ""
    grouped = f"{amount:,}".replace(",", " ")
    return f"{currency} {grouped}"


def count_words(text: str | None) -> int:
    return len((text or "").split())
