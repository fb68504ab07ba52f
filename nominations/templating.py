"""Jinja filters and globals: local time, amounts, and navigation helpers."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from nominations.confirming import confirmation
from nominations.formatting import count_words, format_amount
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


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local=format_local,
        localdate=format_date,
        amount=format_amount,
        remaining=humanize_remaining,
        words=count_words,
        to_local=to_local,
        bdi=isolate,
        nominator_status=nomination_status_for_nominator,
        nominator_last_change=last_change_for_nominator,
    )
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["page_args"] = page_args  # links of keyset-paged lists
    app.jinja_env.globals["confirmation"] = confirmation  # data-confirm="{{ confirmation(...) }}"
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    app.jinja_env.globals["timezone_name"] = app.config["TIMEZONE"]
