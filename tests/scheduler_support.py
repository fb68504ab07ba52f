"""Builders and helpers for the scheduler, lifecycle and reminder tests."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import time_machine

from nominations.models import (
    AwardCategory,
    AwardRound,
    ConflictKind,
    ConflictOfInterest,
    Nomination,
    OutboxMessage,
    Panel,
    PanelMember,
    ReminderRule,
    Review,
    ReviewStatus,
    User,
    db,
)
from nominations.scheduling.jobs import run_job
from nominations.timeutil import now


def tick(at: datetime, job: str = "due_work"):
    """Run one scheduler job as if the clock said ``at``."""
    with time_machine.travel(at, tick=False):
        return run_job(job, holder="test")


def panel(
    award_round: AwardRound,
    members: list[User],
    category: AwardCategory | None = None,
    name: str = "Leadership group",
) -> Panel:
    item = Panel(round_id=award_round.id, category_id=category.id if category else None, name=name)
    item.members = [PanelMember(user_id=user.id) for user in members]
    db.session.add(item)
    db.session.commit()
    return item


def review(item: Nomination, reviewer: User, status: str = ReviewStatus.SUBMITTED) -> Review:
    result = Review(nomination_id=item.id, reviewer_id=reviewer.id, status=status)
    db.session.add(result)
    db.session.commit()
    return result


def conflict(item: Nomination, reviewer: User, cleared: bool = False) -> ConflictOfInterest:
    result = ConflictOfInterest(
        nomination_id=item.id,
        reviewer_id=reviewer.id,
        kind=ConflictKind.COLLABORATOR,
        cleared_at=now() if cleared else None,
    )
    db.session.add(result)
    db.session.commit()
    return result


def only_rules(award_round: AwardRound, *rules: tuple[str, int | None]) -> None:
    """Replace the round's reminder rules with these (kind, days_before)."""
    db.session.execute(db.delete(ReminderRule).where(ReminderRule.round_id == award_round.id))
    for kind, days in rules:
        db.session.add(ReminderRule(round_id=award_round.id, kind=kind, days_before=days))
    db.session.commit()


def outbox(prefix: str = "") -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.startswith(prefix))
            .order_by(OutboxMessage.id)
        ).scalars()
    )


def recipients(prefix: str) -> Counter:
    """How many messages each address got among the keys starting with ``prefix``."""
    return Counter(message.recipient for message in outbox(prefix))
