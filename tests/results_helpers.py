"""Builders for results, exports and cloning tests: decisions, panels, conflicts and
attachments written with the models directly (their own workflows are built elsewhere)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app

from nominations.models import (
    Attachment,
    AttachmentKind,
    AwardCategory,
    AwardRound,
    ConflictKind,
    ConflictOfInterest,
    Decision,
    Nomination,
    NominationStatus,
    Panel,
    PanelMember,
    PanelRole,
    RoundStatus,
    User,
    db,
)
from nominations.storage import STORED_NAME_RE
from nominations.timeutil import now
from tests import documents, factories


def decide(item: Nomination, citation: str = "", decided_by: User | None = None) -> Decision:
    """Record a winner the way the decision workflow leaves it: a Decision, status awarded."""
    decision = Decision(
        category_id=item.category_id,
        nomination_id=item.id,
        citation=citation,
        decided_by_id=decided_by.id if decided_by else None,
    )
    item.status = NominationStatus.AWARDED
    db.session.add(decision)
    db.session.commit()
    return decision


def closed_round(name: str = "ICR Prizes", year: int | None = None, **extra) -> AwardRound:
    """A round whose call closed yesterday."""
    current = now()
    return factories.award_round(
        name,
        year=year,
        opens_at=current - timedelta(days=60),
        closes_at=current - timedelta(days=1),
        review_deadline=current + timedelta(days=20),
        **extra,
    )


def set_status(award_round: AwardRound, status: str) -> None:
    award_round.status = status
    db.session.commit()


def panel(
    award_round: AwardRound,
    members: list[tuple[User, str]],
    name: str = "Leadership group",
    category: AwardCategory | None = None,
) -> Panel:
    item = Panel(round_id=award_round.id, name=name, category_id=category.id if category else None)
    for user, role in members:
        item.members.append(PanelMember(user_id=user.id, role=role))
    db.session.add(item)
    db.session.commit()
    return item


def conflict(item: Nomination, reviewer: User, kind: str = ConflictKind.COLLABORATOR) -> None:
    db.session.add(ConflictOfInterest(nomination_id=item.id, reviewer_id=reviewer.id, kind=kind))
    db.session.commit()


def attach(
    item: Nomination,
    original_name: str,
    content: bytes,
    kind: str = AttachmentKind.CV,
    stored_name: str | None = None,
) -> Attachment:
    """An attachment row and its document, stored in the configured back-end under a new
    random name (or ``stored_name``; one that is not a stored name is written as a file
    relative to UPLOAD_FOLDER, wherever it points, for the tests of such names)."""
    digest = hashlib.sha256(content).hexdigest()
    stored = stored_name or secrets.token_hex(16) + ".pdf"
    if STORED_NAME_RE.fullmatch(stored):
        documents.put(stored, content)
    else:
        path = Path(current_app.config["UPLOAD_FOLDER"]) / stored
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    attachment = Attachment(
        nomination_id=item.id,
        kind=kind,
        original_name=original_name,
        stored_name=stored,
        sha256=digest,
        size_bytes=len(content),
    )
    db.session.add(attachment)
    db.session.commit()
    db.session.refresh(item)
    return attachment


CHAIR = PanelRole.CHAIR
MEMBER = PanelRole.MEMBER
DECIDED = RoundStatus.DECIDED
PUBLISHED = RoundStatus.PUBLISHED
