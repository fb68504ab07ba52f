"""Personal outcomes: after the results are published, each nominee (with an e-mail) and each
nominator gets a message about their own result: awarded, with the panel's citation, or not
selected, with thanks; each in the recipient's language, in the administrators' words when they
edited the kind (mail/texts.py).

Publication does not send them: the administrator previews the messages (``plan``) and sends
them with one action (``send_outcomes``) once the results are published, so nobody learns a
result before it is public. Each message has a deduplication key, so sending twice (a double
click, a reload, a second administrator) sends nothing twice.

Confidentiality: a nominee's message names the category, the round, the prize and the citation,
never the nominator, other nominees or any score (its kind has no such placeholder). Nominees
nominated twice in one category get one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from nominations import policy
from nominations.languages import in_language, localized, recipient_language
from nominations.mail.letters import Letter, queue_letters
from nominations.mail.text_outcomes import OUTCOME_KINDS
from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    Decision,
    Nomination,
    OutboxMessage,
    RoundStatus,
    User,
    db,
)
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.results import WINNING_STATUSES, _accounts


@dataclass(frozen=True)
class Person:
    """A recipient, with or without an account (a nominee may have none)."""

    email: str
    name: str
    locale: str | None = None


@dataclass(frozen=True)
class Outcome:
    kind: str  # a key of OUTCOME_KINDS' values
    role: str  # "nominee" or "nominator"
    awarded: bool
    person: Person
    language: str
    nominee: str
    category: AwardCategory
    citation: str
    dedupe_key: str


def key_prefix(award_round: AwardRound) -> str:
    return f"outcome:r{award_round.id}:"


def _nominations(award_round: AwardRound) -> list[Nomination]:
    return list(
        db.session.execute(
            db.select(Nomination)
            .join(Nomination.category)
            .join(Nomination.nominator)
            .options(
                db.contains_eager(Nomination.category), db.contains_eager(Nomination.nominator)
            )
            .where(
                AwardCategory.round_id == award_round.id,
                Nomination.status.in_(REVIEWABLE_STATUSES),
            )
            .order_by(AwardCategory.position, AwardCategory.id, Nomination.id)
        ).scalars()
    )


def _citations(award_round: AwardRound) -> dict[int, str]:
    """The winners' citations by nomination id."""
    rows = db.session.execute(
        db.select(Decision.nomination_id, Decision.citation)
        .join(Decision.nomination)
        .join(Decision.category)
        .where(AwardCategory.round_id == award_round.id, Nomination.status.in_(WINNING_STATUSES))
    ).all()
    return {nomination_id: citation or "" for nomination_id, citation in rows}


def plan(award_round: AwardRound) -> list[Outcome]:
    """Who gets which message: the nominees (once per category), then the nominators."""
    nominations = _nominations(award_round)
    citations = _citations(award_round)
    prefix = key_prefix(award_round)
    emails = sorted({n.nominee_email for n in nominations if "@" in (n.nominee_email or "")})
    accounts = _accounts(emails)
    nominees: dict[tuple[int, str], Outcome] = {}
    nominators: list[Outcome] = []
    for n in nominations:
        awarded = n.id in citations
        citation = citations.get(n.id, "")
        nominee = n.nominee_name or n.nominee_email
        email = (n.nominee_email or "").lower()
        if "@" in email:
            key = (n.category_id, email)
            account = accounts.get(email)
            earlier = nominees.get(key)
            if earlier is None or (awarded and not earlier.awarded):
                nominees[key] = Outcome(
                    OUTCOME_KINDS[("nominee", awarded)],
                    "nominee",
                    awarded,
                    Person(email, n.nominee_name or email, getattr(account, "locale", None)),
                    recipient_language(account),
                    nominee,
                    n.category,
                    citation,
                    f"{prefix}nominee:c{n.category_id}:{email}",
                )
        nominator: User = n.nominator
        nominators.append(
            Outcome(
                OUTCOME_KINDS[("nominator", awarded)],
                "nominator",
                awarded,
                Person(nominator.email, nominator.name, nominator.locale),
                recipient_language(nominator),
                nominee,
                n.category,
                citation,
                f"{prefix}nominator:n{n.id}",
            )
        )
    return [*nominees.values(), *nominators]


def results_url(award_round: AwardRound) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/results/{award_round.id}"


def subject_of(outcome: Outcome, award_round: AwardRound) -> str:
    """The default subject of an outcome, in the language in force."""
    category = localized(outcome.category, "name")
    if outcome.role == "nominee":
        if outcome.awarded:
            return _(
                "Congratulations: %(category)s, %(round)s",
                category=category,
                round=award_round.title,
            )
        return _(
            "Your nomination for %(category)s, %(round)s",
            category=category,
            round=award_round.title,
        )
    if outcome.awarded:
        return _(
            "Your nominee is awarded: %(nominee)s, %(category)s",
            nominee=outcome.nominee,
            category=category,
        )
    return _(
        "Outcome of your nomination: %(nominee)s, %(category)s",
        nominee=outcome.nominee,
        category=category,
    )


def context_of(outcome: Outcome, award_round: AwardRound) -> dict:
    """The templates' context of one outcome (besides ``user``, the recipient)."""
    return {
        "award_round": award_round,
        "results_url": results_url(award_round),
        "nominee": outcome.nominee,
        "category": outcome.category,
        "citation": outcome.citation,
    }


@dataclass(frozen=True)
class Sent:
    count: int
    last_at: datetime | None


def sent(award_round: AwardRound) -> Sent:
    """How many outcome messages of the round are in the outbox, and when the last was queued."""
    count, last_at = db.session.execute(
        db.select(db.func.count(OutboxMessage.id), db.func.max(OutboxMessage.created_at)).where(
            OutboxMessage.dedupe_key.startswith(key_prefix(award_round), autoescape=True)
        )
    ).one()
    return Sent(count, last_at)


def send_outcomes(award_round: AwardRound, *, actor: User) -> int:
    """Queue every planned outcome message not queued before; how many are new."""
    policy.authorize("outcomes.send", actor, award_round)
    if award_round.status != RoundStatus.PUBLISHED:
        raise WorkflowError(
            _(
                "Publish the results of %(round)s first; then send the outcomes.",
                round=award_round.title,
            )
        )
    queued: dict[str, int] = {}
    counts: dict[str, int] = {}
    outcomes = plan(award_round)
    for kind in OUTCOME_KINDS.values():
        letters = []
        for outcome in (o for o in outcomes if o.kind == kind):
            with in_language(outcome.language):
                subject = subject_of(outcome, award_round)
            wording = tuple(
                sorted(
                    (k, v)
                    for k, v in context_of(outcome, award_round).items()
                    if k != "award_round" and k != "results_url"
                )
            )
            letters.append(Letter(outcome.dedupe_key, outcome.person, subject, wording))
        new = queue_letters(
            kind, letters, award_round=award_round, results_url=results_url(award_round)
        )
        queued.update(new)
        if new:
            counts[kind] = len(new)
    if queued:
        audit.record(
            "round.outcomes_sent",
            award_round,
            actor=actor,
            after={"queued": len(queued), "by_kind": counts},
            round_id=award_round.id,
        )
        db.session.flush()
    return len(queued)
