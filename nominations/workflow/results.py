"""Results: publishing a decided round, and reading the winners that are public.

Winners are the Decision rows of a round (recorded by the review panel's decision workflow).
A decision on a nomination that was later withdrawn or found ineligible is not a winner.
Nothing here shows the winners of a round that is not published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, false

from nominations import policy
from nominations.languages import in_language, localized, recipient_language
from nominations.mail.outbox import queue_email
from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    Decision,
    Nomination,
    NominationStatus,
    OutboxMessage,
    ReminderKind,
    ReminderRule,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import format_date
from nominations.timeutil import now as current_time
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError

# A decision counts as a winner while its nomination is still in the running.
WINNING_STATUSES = (
    NominationStatus.SUBMITTED,
    NominationStatus.SHORTLISTED,
    NominationStatus.AWARDED,
)

EMAIL_TEMPLATE = "round_results_published"

# A round's status in a sentence ("... is closed"), in the reader's language.
STATUS_WORDS = {
    RoundStatus.DRAFT.value: _l("draft"),
    RoundStatus.OPEN.value: _l("open"),
    RoundStatus.CLOSED.value: _l("closed"),
    RoundStatus.DECIDED.value: _l("decided"),
    RoundStatus.PUBLISHED.value: _l("published"),
}


def winners_query(
    round_ids: Iterable[int] | None = None,
    *,
    published_only: bool = True,
    newest_published_first: bool = False,
) -> Select:
    """Decisions (winners) with their nomination, nominee department, category and round loaded,
    ordered by year (newest first), round, category and nominee; or, for a news feed, by the
    time their round was published (newest first)."""
    statement = (
        db.select(Decision)
        .join(Decision.nomination)
        .join(Decision.category)
        .join(AwardCategory.round)
        .options(
            db.contains_eager(Decision.nomination).selectinload(Nomination.nominee_department),
            db.contains_eager(Decision.category).contains_eager(AwardCategory.round),
        )
        .where(Nomination.status.in_(WINNING_STATUSES))
        .order_by(
            *((AwardRound.published_at.desc(),) if newest_published_first else ()),
            AwardRound.year.desc(),
            AwardRound.name,
            AwardRound.id,
            AwardCategory.position,
            AwardCategory.id,
            Nomination.nominee_name,
            Decision.id,
        )
    )
    if published_only:
        statement = statement.where(AwardRound.status == RoundStatus.PUBLISHED)
    if round_ids is not None:
        statement = statement.where(AwardRound.id.in_(list(round_ids)))
    return statement


def round_winners(award_round: AwardRound, *, published_only: bool = True) -> list[Decision]:
    return list(
        db.session.execute(winners_query([award_round.id], published_only=published_only))
        .unique()
        .scalars()
    )


@dataclass
class CategoryResult:
    category: AwardCategory
    winners: list[Decision]


def published_results(award_round: AwardRound) -> list[CategoryResult]:
    """Each category of a published round with its winners; refuses an unpublished round."""
    if award_round.status != RoundStatus.PUBLISHED:
        raise WorkflowError(_("The results of this round are not published."))
    winners = round_winners(award_round)
    by_category: dict[int, list[Decision]] = {}
    for decision in winners:
        by_category.setdefault(decision.category_id, []).append(decision)
    return [CategoryResult(c, by_category.get(c.id, [])) for c in award_round.categories]


def history_query(*, name: str = "", award: str = "", year: int | None = None) -> Select:
    """Winners of every published round, searchable by nominee name, award (its English or
    its bokmål name) and year."""
    statement = winners_query()
    if name.strip():
        statement = statement.where(
            db.func.lower(Nomination.nominee_name).contains(name.strip().lower(), autoescape=True)
        )
    if award.strip():
        pattern = award.strip().lower()
        statement = statement.where(
            db.or_(
                db.func.lower(AwardCategory.name).contains(pattern, autoescape=True),
                db.func.lower(AwardCategory.name_nb).contains(pattern, autoescape=True),
                db.func.lower(AwardRound.name).contains(pattern, autoescape=True),
                db.func.lower(AwardRound.name_nb).contains(pattern, autoescape=True),
            )
        )
    if year:
        # Rounds lie in 2000-2200 (a CHECK constraint); a larger number would not even fit
        # the column's type.
        statement = statement.where(AwardRound.year == year if 2000 <= year <= 2200 else false())
    return statement


def published_years() -> list[int]:
    return list(
        db.session.execute(
            db.select(AwardRound.year)
            .where(AwardRound.status == RoundStatus.PUBLISHED)
            .distinct()
            .order_by(AwardRound.year.desc())
        ).scalars()
    )


def _results_rule_enabled(award_round: AwardRound) -> bool:
    return (
        db.session.execute(
            db.select(ReminderRule.id).where(
                ReminderRule.round_id == award_round.id,
                ReminderRule.kind == ReminderKind.RESULTS_PUBLISHED,
                ReminderRule.enabled.is_(True),
            )
        ).first()
        is not None
    )


def _recipients(award_round: AwardRound) -> dict[str, str]:
    """E-mail -> name of the nominators and nominees of the round's reviewable nominations."""
    rows = db.session.execute(
        db.select(Nomination.nominee_email, Nomination.nominee_name, User.email, User.name)
        .join(Nomination.category)
        .join(Nomination.nominator)
        .where(
            AwardCategory.round_id == award_round.id,
            Nomination.status.in_(REVIEWABLE_STATUSES),
        )
        .order_by(Nomination.id)
    ).all()
    people: dict[str, str] = {}
    for nominee_email, nominee_name, nominator_email, nominator_name in rows:
        for email, name in ((nominator_email, nominator_name), (nominee_email, nominee_name)):
            email = (email or "").strip().lower()
            if email and "@" in email:
                people.setdefault(email, name or "")
    return people


def _accounts(emails: list[str]) -> dict[str, User]:
    """The accounts of these addresses (lower case), for the language each reads."""
    found: dict[str, User] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        found.update(
            (user.email, user)
            for user in db.session.execute(db.select(User).where(User.email.in_(chunk))).scalars()
        )
    return found


def notify_results_published(award_round: AwardRound) -> int:
    """Queue the "results published" message to the round's nominators and nominees (in the
    caller's transaction), when the round's rule is enabled; returns how many were new. Each
    is written in the recipient's language (a nominee without an account: the institute's
    default)."""
    if not _results_rule_enabled(award_round):
        return 0
    base_url = current_app.config["BASE_URL"].rstrip("/")
    results_url = f"{base_url}/results/{award_round.id}"
    prefix = f"results_published:{award_round.id}:"
    before = _queued_count(prefix)
    people = _recipients(award_round)
    accounts = _accounts(list(people))
    for email, name in people.items():
        language = recipient_language(accounts.get(email))
        with in_language(language):
            subject = _("Results of %(round)s are published", round=award_round.title)
        queue_email(
            dedupe_key=f"results_published:{award_round.id}:{email}",
            recipient=email,
            subject=subject,
            template=EMAIL_TEMPLATE,
            language=language,
            name=name,
            award_round=award_round,
            results_url=results_url,
            ceremony=award_round.ceremony_on,
        )
    # Counted in the outbox rather than from queue_email's answer, which relies on the
    # driver's rowcount.
    return _queued_count(prefix) - before


def _queued_count(prefix: str) -> int:
    return db.session.execute(
        db.select(db.func.count(OutboxMessage.id)).where(
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True)
        )
    ).scalar_one()


def publish_round(award_round: AwardRound, *, actor: User) -> int:
    """Publish a decided round: its results become public and nominators and nominees are
    told. Returns the number of messages queued."""
    policy.authorize("results.publish", actor, award_round)
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(
            _(
                "The results of %(round)s were already published on %(date)s.",
                round=award_round.title,
                date=format_date(award_round.published_at),
            )
        )
    if award_round.status != RoundStatus.DECIDED:
        raise WorkflowError(
            _(
                "Only a decided round can be published; %(round)s is %(status)s. Record the "
                "panel's decisions first.",
                round=award_round.title,
                status=STATUS_WORDS.get(award_round.status, award_round.status),
            )
        )
    winners = round_winners(award_round, published_only=False)
    if not winners:
        raise WorkflowError(
            _(
                "%(round)s has no winners yet; there is nothing to publish.",
                round=award_round.title,
            )
        )
    per_category: dict[int, int] = {}
    for decision in winners:
        per_category[decision.category_id] = per_category.get(decision.category_id, 0) + 1
    for category in award_round.categories:
        if per_category.get(category.id, 0) > category.prize_count:
            raise WorkflowError(
                ngettext(
                    "%(category)s has %(winners)d winners but only %(num)d prize; correct the "
                    "decisions before publishing.",
                    "%(category)s has %(winners)d winners but only %(num)d prizes; correct the "
                    "decisions before publishing.",
                    category.prize_count,
                    category=localized(category, "name"),
                    winners=per_category[category.id],
                )
            )
    # Take the row: of two admins pressing the button at once only one publishes.
    claimed = db.session.execute(
        db.update(AwardRound)
        .where(AwardRound.id == award_round.id, AwardRound.status == RoundStatus.DECIDED)
        .values(status=RoundStatus.PUBLISHED, published_at=current_time())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:  # the edge rolls back what this request had begun
        raise WorkflowError(
            _("The results of %(round)s were already published.", round=award_round.title)
        )
    db.session.refresh(award_round)
    queued = notify_results_published(award_round)
    audit.record(
        "round.publish",
        award_round,
        actor=actor,
        before={"status": RoundStatus.DECIDED.value, "published_at": None},
        after={
            "status": award_round.status,
            "published_at": award_round.published_at,
            "winners": [
                f"{d.nomination.nominee_name} ({d.category.name})"
                for d in sorted(winners, key=lambda d: (d.category.position, d.category_id, d.id))
            ],
            "notifications_queued": queued,
        },
        round_id=award_round.id,
    )
    db.session.flush()
    return queued
