"""The language of each recipient's e-mail: the one place that decides it.

Bulk messages are rendered once per kind and language (``mail.letters``), so each language a
person may have is one more rendering, not one per person. Until people have a language of
their own, every message is written in the site's language (None).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nominations.models import User


def recipient_language(user: User) -> str | None:
    """The language ``user`` reads e-mail in (e.g. "nb", "en"); None: the site's language."""
    return None


@contextmanager
def writing_in(language: str | None) -> Iterator[None]:
    """Render the templates inside this block in ``language`` (None: the site's language)."""
    yield
