"""Nominate again: this year's draft from last year's unsuccessful nomination, in one step.

The nominator's own earlier nomination that did not win (not awarded, once the results are
published; ineligible; withdrawn) can start a new draft in an open call of the same prize: a
category of the same lineage (cloned from it, even if renamed since) or, failing that, of the
same name. The nominee's details, the statement and the documents are copied (the documents
through the storage interface, so in whichever back-end is configured); nothing is submitted:
the nominator checks the draft and submits it as any other.

One draft per earlier nomination and category: a second click, a retry or two requests at
once find the first draft (the unique constraint on ``(category_id, renominated_from_id)``
is the last word).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from nominations import policy, storage
from nominations.models import (
    Attachment,
    AwardCategory,
    Nomination,
    NominationStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow import audit
from nominations.workflow.calls import open_categories_query
from nominations.workflow.disclosure import status_for_nominator
from nominations.workflow.errors import WorkflowError
from nominations.workflow.nominations.rules import require_open

# What a nomination may be started again from, as its nominator sees its status.
AGAIN_FROM = frozenset(
    {NominationStatus.NOT_AWARDED, NominationStatus.INELIGIBLE, NominationStatus.WITHDRAWN}
)
COPIED_FIELDS = (
    "nominee_name",
    "nominee_email",
    "nominee_department_id",
    "nominee_position",
    "statement",
)


@dataclass
class Renominated:
    nomination: Nomination
    created: bool  # False: the draft made from this nomination before
    missing: list[str] = field(default_factory=list)  # documents whose bytes were not found


def may_start_from(source: Nomination) -> bool:
    return status_for_nominator(source.status, source.category.round) in AGAIN_FROM


def _same_lineage(source: AwardCategory, target: AwardCategory) -> bool:
    return bool(source.lineage) and target.lineage == source.lineage


def _same_prize(source: AwardCategory, target: AwardCategory) -> bool:
    return _same_lineage(source, target) or target.name == source.name


def _later(source: AwardCategory, target: AwardCategory) -> bool:
    return target.round_id != source.round_id and target.round.opens_at > source.round.opens_at


def targets(sources: Iterable[Nomination]) -> dict[int, AwardCategory]:
    """For each nomination that can be started again: the open category to start it in (the
    same lineage first, else the same name); one query for any number of nominations."""
    sources = [s for s in sources if may_start_from(s)]
    # Asked even for none, so that a page costs the same number of queries whatever it lists.
    lineages = {s.category.lineage for s in sources}
    names = {s.category.name for s in sources}
    open_categories = list(
        db.session.execute(
            open_categories_query().where(
                db.or_(AwardCategory.lineage.in_(lineages), AwardCategory.name.in_(names))
            )
        ).scalars()
    )
    found: dict[int, AwardCategory] = {}
    for source in sources:
        candidates = [c for c in open_categories if _later(source.category, c)]
        match = next((c for c in candidates if _same_lineage(source.category, c)), None)
        match = match or next((c for c in candidates if c.name == source.category.name), None)
        if match is not None:
            found[source.id] = match
    return found


def _existing(source: Nomination, category: AwardCategory) -> Nomination | None:
    return db.session.execute(
        db.select(Nomination).where(
            Nomination.category_id == category.id, Nomination.renominated_from_id == source.id
        )
    ).scalar_one_or_none()


def nominate_again(source: Nomination, category: AwardCategory, *, actor: User) -> Renominated:
    """A new draft in ``category`` from ``source`` (see the module's text); changes and
    flushes, the caller commits."""
    policy.authorize("nomination.create", actor)
    policy.authorize("nomination.edit", actor, source)  # only one's own: 404 otherwise
    if not may_start_from(source):
        raise WorkflowError(
            gettext(
                "Only a nomination that was not awarded, withdrawn or ineligible can be "
                "started again."
            )
        )
    if not (_same_prize(source.category, category) and _later(source.category, category)):
        raise WorkflowError(gettext("This nomination cannot be started again in that category."))
    require_open(category.round, stored=False)
    # The nominator's own row, written without a change: a second request waits here until
    # the first commits, then finds its draft (as nominations are created, commands._create).
    db.session.execute(
        db.update(User)
        .where(User.id == actor.id)
        .values(id=User.id)
        .execution_options(synchronize_session=False)
    )
    existing = _existing(source, category)
    if existing is not None:
        return Renominated(existing, created=False)
    draft = Nomination(
        category_id=category.id,
        nominator_id=actor.id,
        status=NominationStatus.DRAFT,
        renominated_from_id=source.id,
        nominee_phd_date=source.nominee_phd_date if category.phd_within_years else None,
        on_behalf_of_department_id=(
            source.on_behalf_of_department_id if category.department_nomination_allowed else None
        ),
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )
    try:
        with db.session.begin_nested():
            db.session.add(draft)
            db.session.flush()
    except IntegrityError:
        existing = _existing(source, category)
        if existing is None:
            raise
        return Renominated(existing, created=False)
    missing = _copy_documents(source, draft, actor)
    audit.record(
        "nomination.renominate",
        draft,
        actor=actor,
        after={
            "from_nomination_id": source.id,
            **audit.snapshot(draft, (*COPIED_FIELDS, "status")),
            "documents": [a.original_name for a in draft.attachments],
            "documents_missing": missing,
        },
        round_id=category.round_id,
    )
    db.session.flush()
    return Renominated(draft, created=True, missing=missing)


def _copy_documents(source: Nomination, draft: Nomination, actor: User) -> list[str]:
    """Copy each document's bytes under a new name (the draft's own: removing one from the
    draft never touches the earlier nomination's); the names of those not found."""
    missing = []
    for original in source.attachments:
        try:
            stored_name = storage.copy_stored(original.stored_name)
        except FileNotFoundError:
            missing.append(original.original_name)
            continue
        draft.attachments.append(
            Attachment(
                kind=original.kind,
                original_name=original.original_name,
                stored_name=stored_name,
                sha256=original.sha256,
                size_bytes=original.size_bytes,
                uploaded_by_id=actor.id,
                uploaded_at=now(),
            )
        )
    db.session.flush()
    return missing
