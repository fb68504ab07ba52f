"""Erasing a person: every source of ``person_data`` forgets them the way its entry says
(``privacy.sources``: anonymised, cleared or deleted), so that counts, scores, rankings and
decisions stay as they were; the audit log keeps one row of the erasure (who, when, how many
rows of each kind; not the erased data).

Some data must be kept: each reason is a named rule (:data:`KEEP_RULES`, like the policy's
rules), and a refusal says which one. Add a rule with ``@keep_rule``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nominations.models import AwardCategory, AwardRound, Decision, Nomination, RoundStatus, db
from nominations.policy import authorize
from nominations.privacy.person_data import SOURCES, Erasing, Person, held
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError


@dataclass(frozen=True)
class KeepRule:
    name: str  # "published_prize"
    title: Any  # what the refusal calls it ("A published prize is public record")
    check: Callable[[Person, Any], str | None]  # why this person's data must stay, or None


KEEP_RULES: dict[str, KeepRule] = {}


def keep_rule(name: str, title: Any) -> Callable:
    def register(check: Callable[[Person, Any], str | None]) -> Callable:
        KEEP_RULES[name] = KeepRule(name, title, check)
        return check

    return register


class ErasureRefused(WorkflowError):
    def __init__(self, rule: KeepRule, detail: str):
        super().__init__(
            _(
                "Not erased: rule “%(rule)s” (%(title)s). %(detail)s",
                rule=rule.name,
                title=rule.title,
                detail=detail,
            )
        )
        self.rule = rule.name


@keep_rule("published_prize", _l("a published prize keeps the winner's name and citation"))
def _published_prize(person: Person, actor: Any) -> str | None:
    if not person.email:
        return None
    won = db.session.execute(
        db.select(AwardCategory.name, AwardRound.name, AwardRound.year)
        .select_from(Decision)
        .join(Nomination, Decision.nomination_id == Nomination.id)
        .join(AwardCategory, Decision.category_id == AwardCategory.id)
        .join(AwardRound, AwardCategory.round_id == AwardRound.id)
        .where(
            Nomination.nominee_email == person.email,
            AwardRound.status == RoundStatus.PUBLISHED,
        )
        .order_by(AwardRound.year, AwardCategory.name)
        .limit(1)
    ).first()
    if won is None:
        return None
    category, round_name, year = won
    return _(
        "%(name)s won %(category)s in %(round)s, and the results are published.",
        name=person.display_name,
        category=category,
        round=AwardRound.title_of(round_name, year),
    )


@keep_rule("own_account", _l("administrators do not erase their own account"))
def _own_account(person: Person, actor: Any) -> str | None:
    if person.user is not None and person.user.id == getattr(actor, "id", None):
        return _("This is your own account; another administrator can erase it.")
    return None


def refusals(person: Person, actor: Any) -> list[tuple[KeepRule, str]]:
    """Every rule that keeps this person's data, with the reason it gives."""
    found = []
    for rule in KEEP_RULES.values():
        detail = rule.check(person, actor)
        if detail is not None:
            found.append((rule, detail))
    return found


@dataclass(frozen=True)
class Erased:
    replacement: str  # the name the person's records carry now ("Erased person #12")
    counts: dict[str, int]  # rows of each kind (source) erased or anonymised


def erase_person(person: Person, *, actor: Any) -> Erased:
    """Erase ``person`` (changes flushed, not committed). Raises :class:`ErasureRefused`
    naming the first rule that keeps the data, and changes nothing then."""
    authorize("person.erase", actor)
    refused = refusals(person, actor)
    if refused:
        raise ErasureRefused(*refused[0])
    found = held(person)
    counts = {key: len(rows) for key, rows in found.items() if rows}
    needles = person.needles
    record = audit.record("person.erase", person, actor=actor, after={"counts": counts})
    db.session.flush()
    erasing = Erasing(
        person,
        replacement=_("Erased person #%(number)d", number=record.id),
        needles=needles,
        record_id=record.id,
    )
    record.after = {"name": erasing.replacement, "counts": counts}
    for key, source in SOURCES.items():
        if source.erase is not None and found[key]:
            source.erase(found[key], erasing)
    db.session.flush()
    return Erased(erasing.replacement, counts)
