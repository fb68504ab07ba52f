"""Asking before an action that cannot be undone, with or without JavaScript.

A button that asks carries ``data-confirm="{{ confirmation(endpoint, obj) }}"``. With
JavaScript, app.js asks with ``window.confirm`` and adds ``confirmed=1`` to the form. Without
it, the view answers the POST with a page of its own that asks (the question, what will happen,
a button that sends the same fields again with ``confirmed=1`` and a fresh CSRF token, and a
link back). Each action's question is written once, beside its view::

    @asks("admin.publish_results")
    def _publishing(award_round: AwardRound) -> Question:
        return Question(...)

and the view, once the action has gone through, asks::

    publish_round(award_round, actor=current_user)
    if (page := ask_first(award_round)) is not None:
        return page

The action runs before the page asks, so that everything that would refuse it (the policy,
the round's state, a deadline) answers exactly as it would after a confirmation: nobody is
asked to confirm what they may not do. Unconfirmed, :func:`ask_first` rolls the request's
unit of work back (workflow functions flush, never commit), so the page changes nothing. An
action that asks must therefore keep its effects in the database until the commit (mail goes
through the outbox, files are removed after the commit), as every workflow function does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for

from nominations.extensions import db

CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Question:
    question: str  # "Publish the results of ICR Prizes 2024?"
    consequence: str  # what will happen
    button: str  # the confirm button's label: what it does ("Publish results")
    back: str  # where Cancel leads: the page the button was on

    def __str__(self) -> str:
        """What ``window.confirm`` shows."""
        return f"{self.question} {self.consequence}"


QUESTIONS: dict[str, Callable[[Any], Question]] = {}


def asks(endpoint: str) -> Callable:
    """Register the question the view ``endpoint`` asks; it gets the object acted on."""

    def register(build: Callable[[Any], Question]) -> Callable[[Any], Question]:
        QUESTIONS[endpoint] = build
        return build

    return register


def confirmation(endpoint: str, obj: Any) -> Question:
    """The question of ``endpoint`` about ``obj`` (a template global, for ``data-confirm``)."""
    return QUESTIONS[endpoint](obj)


def confirmed() -> bool:
    return request.form.get(CONFIRMED) == "1"


def ask_first(obj: Any):
    """None when the person has confirmed; otherwise undo what the request did and answer
    with the page that asks (200). Call it after the action went through."""
    if confirmed():
        return None
    db.session.rollback()
    kept = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", CONFIRMED)
    ]
    return render_template(
        "confirm.html",
        question=confirmation(request.endpoint, obj),
        action=url_for(request.endpoint, **(request.view_args or {})),
        fields=kept,
    )
