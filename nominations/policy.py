"""Who may do what to which object: every rule by name, in one place.

Views, workflow functions, CLI commands and jobs ask here, alike::

    authorize("ranking.view", current_user, category)   # raises Refused
    if allowed("review.view_others", user, nomination): ...

Each rule is a small predicate ``(actor, obj) -> bool`` built on the questions of
:mod:`nominations.workflow.access` (panels, conflicts, the call's clock). A refusal is one
exception type, :class:`Refused` (a :class:`PermissionDenied`, so a view that shows a
workflow's refusal in its form keeps doing so); :func:`nominations.errors.init_app` turns an
unhandled one into the answer: the sign-in page for an anonymous visitor, 404 for a rule whose
refusal must not tell that the object exists (``hidden``), 403 otherwise.

CLI commands run by an operator with shell access, and the demo loader, act as :data:`SYSTEM`:
the rules marked ``system`` (setting up rounds, categories, panels and users) allow it, no
other rule does, so the machine can never review, decide or see a nomination.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from nominations.workflow import access
from nominations.workflow.errors import NotFound, PermissionDenied


class Refused(PermissionDenied):
    """``actor`` may not do ``rule``; ``hidden``: answer as if the object did not exist."""

    hidden = False

    def __init__(self, rule: str, message: str, *, field: str | None = None):
        super().__init__(message, field)
        self.rule = rule


class HiddenRefused(Refused, NotFound):
    """A refusal that must not reveal the object: also a NotFound, so the callers that answer
    "no such thing" to a NotFound do so for it too."""

    hidden = True


class SystemActor:
    """The machine (CLI commands, the demo loader): no user, audit records show no one."""

    id = None
    is_authenticated = True
    is_active = True
    is_admin = False
    is_reviewer = False
    is_staff = False
    active = True
    email = ""
    name = "System"
    department_id = None

    def has_role(self, role: object) -> bool:
        return False

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[Any, Any], bool]
    message: str  # a lazy translation: the refusal is said in the reader's language
    hidden: bool = False  # refusing must not reveal that the object exists: 404
    system: bool = False  # the SYSTEM actor may do it


RULES: dict[str, Rule] = {}


def rule(name: str, message: str, *, hidden: bool = False, system: bool = False) -> Callable:
    def register(check: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
        RULES[name] = Rule(name, check, message, hidden, system)
        return check

    return register


def allowed(name: str, actor: Any, obj: Any = None) -> bool:
    policy = RULES[name]  # an unknown name is a programming error: KeyError
    if actor is None:
        return False
    if actor is SYSTEM:
        return policy.system
    if not actor.is_authenticated:
        return False
    return bool(policy.check(actor, obj))


def authorize(name: str, actor: Any, obj: Any = None, *, field: str | None = None) -> None:
    """Raise :class:`Refused` unless ``actor`` may do ``name`` to ``obj``."""
    if not allowed(name, actor, obj):
        policy = RULES[name]
        kind = HiddenRefused if policy.hidden else Refused
        raise kind(name, str(policy.message), field=field)  # in the reader's language


def requires(name: str) -> Callable:
    """View decorator: the current user must pass ``name`` (a rule about no object)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            authorize(name, current_user)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _admin(user, obj=None) -> bool:
    return bool(user.is_admin)


# --------------------------------------------------------------------------------------------
# Areas (the blueprint-wide gates)


rule("admin.area", _l("This page is for administrators."))(_admin)


@rule("review.area", _l("The review pages are for reviewers and administrators."))
def _review_area(user, obj=None) -> bool:
    return bool(user.is_reviewer or user.is_admin)


@rule("nomination.create", _l("Only staff can nominate."))
def _nominate(user, obj=None) -> bool:
    return bool(user.is_staff)


# --------------------------------------------------------------------------------------------
# Nominations and their documents (a nomination you may not see does not exist for you)


@rule("nomination.view", _l("No such nomination, or you may not see it."), hidden=True)
def _view_nomination(user, nomination) -> bool:
    return access.can_view_nomination(user, nomination)


@rule("nomination.download", _l("No such document, or you may not see it."), hidden=True)
def _download(user, nomination) -> bool:
    return access.can_view_nomination(user, nomination)


@rule("referee_letter.read", _l("No such letter, or you may not see it."), hidden=True)
def _read_letters(user, nomination) -> bool:
    return access.can_read_letters(user, nomination)


@rule("nomination.edit", _l("No such nomination, or you may not change it."), hidden=True)
def _edit_nomination(user, nomination) -> bool:
    return access.can_edit_nomination(user, nomination)


rule("nomination.manage", _l("Only administrators can mark a nomination ineligible."))(_admin)


# --------------------------------------------------------------------------------------------
# The panel: reviews and conflicts


@rule("review.category", _l("No such category on your panels."), hidden=True)
def _review_category(user, category) -> bool:
    return access.is_panel_member(user, category)


@rule("review.read", _l("No such nomination, or you may not see it."), hidden=True)
def _read_for_panel(user, nomination) -> bool:
    return bool(user.is_admin) or access.panel_can_view(user, nomination)


@rule("review.write", _l("Only the panel reviews this nomination."))
def _write_review(user, nomination) -> bool:
    return access.can_review(user, nomination)


@rule("review.view_others", _l("The other reviews are not shown to you."))
def _view_other_reviews(user, nomination) -> bool:
    return access.can_view_reviews(user, nomination)


@rule("conflict.declare", _l("No such nomination, or you may not see it."), hidden=True)
def _declare_conflict(user, nomination) -> bool:
    return access.panel_can_view(user, nomination)


@rule("conflict.clear", _l("Only the panel's chair or an administrator clears conflicts."))
def _clear_conflict(user, conflict) -> bool:
    return access.can_view_ranking(user, conflict.nomination.category)


# --------------------------------------------------------------------------------------------
# The chair: what they oversee, no wider


@rule(
    "coauthor.view",
    _l(
        "The co-authorship proposals are for administrators, and for the round's panel chairs "
        "once the call has closed."
    ),
)
def _view_coauthors(user, award_round) -> bool:
    return access.can_view_progress(user, award_round)


@rule(
    "coauthor.decide",
    _l(
        "Only the chair of a panel covering the category (once the call has closed) or an "
        "administrator decides a co-authorship proposal."
    ),
)
def _decide_coauthor(user, category) -> bool:
    return access.can_view_ranking(user, category)


@rule(
    "ranking.view",
    _l(
        "The ranking is for administrators, and for the chair of a panel covering the category "
        "once the call has closed."
    ),
)
def _view_ranking(user, category) -> bool:
    return access.can_view_ranking(user, category)


@rule(
    "discussion.note",
    _l(
        "Only the chair of a panel covering the category (once the call has closed) or an "
        "administrator writes the note on a discussion, and not on a nomination they have a "
        "conflict with."
    ),
)
def _write_discussion_note(user, nomination) -> bool:
    category = nomination.category
    return (
        access.can_decide(user, category)
        and access.can_view_ranking(user, category)
        and not access.has_conflict(user, nomination)
    )


@rule(
    "progress.view",
    _l(
        "The round's overview and exports are for administrators, and for its panel chairs once "
        "the call has closed."
    ),
)
def _view_progress(user, award_round) -> bool:
    return access.can_view_progress(user, award_round)


@rule(
    "decision.record",
    _l(
        "Only the chair of a panel covering the category (once the call has closed) or an "
        "administrator records decisions."
    ),
)
def _record_decision(user, category) -> bool:
    return access.can_decide(user, category) and access.can_view_ranking(user, category)


@rule(
    "round.complete",
    _l(
        "Only an administrator, or a chair whose panels cover every category of the round, marks "
        "its decisions complete."
    ),
)
def _complete_round(user, award_round) -> bool:
    if user.is_admin:
        return True
    if not access.is_chair(user, award_round):
        return False
    overseen = access.overseen_categories(user, award_round)
    return overseen is None or {c.id for c in award_round.categories} <= overseen


# --------------------------------------------------------------------------------------------
# Administration


rule("round.manage", _l("Only administrators manage rounds and categories."), system=True)(_admin)
rule("panel.manage", _l("Only administrators manage panels and rubrics."), system=True)(_admin)
rule("user.manage", _l("Only administrators manage users."), system=True)(_admin)
rule("department.manage", _l("Only administrators manage departments."), system=True)(_admin)
rule("staff.import", _l("Only administrators import staff."))(_admin)
rule("publication.import", _l("Only administrators import publication lists."))(_admin)
rule("publication.remove", _l("Only administrators correct publication lists."))(_admin)
rule("reminder.manage", _l("Only administrators manage reminders."))(_admin)
rule("results.publish", _l("Only administrators publish results."))(_admin)
rule("round.clone", _l("Only administrators open next year's round."))(_admin)
rule("outbox.manage", _l("Only administrators send e-mails again."))(_admin)
rule("email_text.manage", _l("Only administrators edit e-mail texts."))(_admin)
rule("outcomes.send", _l("Only administrators send the personal outcomes."))(_admin)
rule("person.export", _l("Only administrators export a person's data."))(_admin)
rule("person.erase", _l("Only administrators erase a person's data."))(_admin)
rule("privacy.manage", _l("Only administrators edit the privacy notice."))(_admin)
