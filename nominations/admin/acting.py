"""The POST behind an administrator's button that asks first and then does one thing."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect

from nominations.admin.panel_forms import ActionForm
from nominations.confirming import ask_first
from nominations.forms import refuse
from nominations.workflow import WorkflowError


def act_after_asking(obj: object, action: Callable[[], object], done: str, back: str):
    """Run ``action`` (a workflow call that flushes); a refusal is flashed. Not confirmed yet:
    the question page for ``obj`` answers and the action is undone (``confirming``).
    Confirmed: ``done`` is flashed. Every other answer goes back to ``back``."""
    if ActionForm().validate_on_submit():
        try:
            action()
        except WorkflowError as error:
            refuse(error)
        else:
            if (page := ask_first(obj)) is not None:
                return page
            flash(done, "success")
    return redirect(back)
