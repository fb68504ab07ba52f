"""Jinja filters and globals: local time, amounts, and navigation helpers."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from nominations.confirming import confirmation
from nominations.formatting import count_words, format_amount, format_score, status_label
from nominations.languages import current_language, localized
from nominations.navigation import nav_items
from nominations.paging import page_args
from nominations.timeutil import format_date, format_local, humanize_remaining, to_local
from nominations.workflow.disclosure import (
    last_change_for_nominator,
    nomination_status_for_nominator,
)


def isolate(value: object) -> object:
    """User text (a name) in ``<bdi>``: whatever direction its letters run, it cannot reorder
    the text around it (an Arabic or Hebrew name beside a date or a score)."""
    if value is None or value == "":
        return value
    return Markup("<bdi>{}</bdi>").format(value)


def text_lang(obj: object, field: str) -> Markup:
    """``lang="en"`` when ``obj|localized(field)`` shows the other language's text (the
    reader's one is empty), for the element that holds it (WCAG 3.1.2, language of parts);
    else ''. Written after a space: ``<p {{ text_lang(c, 'description') }}>``."""
    reader = current_language()
    own = getattr(obj, field if reader == "en" else f"{field}_nb", "") or ""
    other = "nb" if reader == "en" else "en"
    other_text = getattr(obj, field if other == "en" else f"{field}_nb", "") or ""
    if own or not other_text:
        return Markup("")
    return Markup('lang="{}"').format(other)


def _answer_text(question, answer) -> str:
    from nominations.workflow.questions.reading import display

    return display(question, answer)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local=format_local,
        localdate=format_date,
        amount=format_amount,
        score=format_score,  # {{ value|score('%+.3f') }}: the reader's decimal sign
        status_label=status_label,
        remaining=humanize_remaining,
        words=count_words,
        to_local=to_local,
        localized=localized,  # {{ category|localized("name") }}: the reader's language
        bdi=isolate,
        nominator_status=nomination_status_for_nominator,
        nominator_last_change=last_change_for_nominator,
    )
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["text_lang"] = text_lang  # <p {{ text_lang(c, 'description') }}>
    app.jinja_env.globals["answer_text"] = _answer_text  # a category question's answer as text
    app.jinja_env.globals["page_args"] = page_args  # links of keyset-paged lists
    app.jinja_env.globals["confirmation"] = confirmation  # data-confirm="{{ confirmation(...) }}"
    app.jinja_env.globals["timezone_name"] = app.config["TIMEZONE"]
