"""The reads the nomination pages need, named: a nomination with what its page shows, the
nominator's list, the administrators' list with its filters, duplicates, the history.

Lists are returned as statements (``*_query``) for the view to paginate; each loads what
its page shows in a fixed number of queries, however many nominations there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy.orm import aliased

from nominations.models import (
    Attachment,
    AuditEvent,
    AwardCategory,
    AwardRound,
    Department,
    Nomination,
    NominationStatus,
    User,
    db,
)
from nominations.paging import (
    Cursor,
    KeysetPage,
    SortKey,
    grouped_keyset_page,
    keyset_page,
)
from nominations.workflow.nominations.rules import ACTIVE_STATUSES

# --- one nomination -----------------------------------------------------------------------


def category_with_round(category_id: int) -> AwardCategory | None:
    return db.session.execute(
        db.select(AwardCategory)
        .options(db.joinedload(AwardCategory.round))
        .where(AwardCategory.id == category_id)
    ).scalar_one_or_none()


def nomination_with_documents(nomination_id: int) -> Nomination | None:
    """A nomination with its category, round, nominator and documents (its pages show them);
    None when there is no such nomination. Who may see it is for the policy to say."""
    return db.session.execute(
        db.select(Nomination)
        .options(
            db.joinedload(Nomination.category).joinedload(AwardCategory.round),
            db.joinedload(Nomination.nominator),
            db.selectinload(Nomination.attachments),
            db.selectinload(Nomination.referees),
        )
        .where(Nomination.id == nomination_id)
    ).scalar_one_or_none()


def nomination_by_token(nominator: User, token: str) -> Nomination | None:
    """The nomination ``nominator``'s create form with ``token`` made, if it was sent before."""
    return db.session.execute(
        db.select(Nomination).where(
            Nomination.nominator_id == nominator.id, Nomination.idempotency_token == token
        )
    ).scalar_one_or_none()


def attachment_of(nomination_id: int, attachment_id: int) -> Attachment | None:
    """A document of that nomination (None when it belongs to another one), with its
    nomination, category and round loaded for the policy."""
    return db.session.execute(
        db.select(Attachment)
        .options(
            db.joinedload(Attachment.nomination)
            .joinedload(Nomination.category)
            .joinedload(AwardCategory.round)
        )
        .where(Attachment.id == attachment_id, Attachment.nomination_id == nomination_id)
    ).scalar_one_or_none()


def nomination_history(nomination: Nomination) -> list[AuditEvent]:
    """The audit events of a nomination, oldest first, with their actors."""
    return list(
        db.session.execute(
            db.select(AuditEvent)
            .options(db.joinedload(AuditEvent.actor))
            .where(AuditEvent.object_type == "Nomination", AuditEvent.object_id == nomination.id)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        ).scalars()
    )


def departments() -> list[Department]:
    """Every department, by name (the choices of the nominee's department)."""
    return list(db.session.execute(db.select(Department).order_by(Department.name)).scalars())


# --- duplicates ---------------------------------------------------------------------------


def duplicate_counts(nominations: Iterable[Nomination]) -> dict[int, int]:
    """For each nomination, how many *other* active nominations have the same nominee e-mail
    in the same category. One query, however many nominations."""
    nominations = [n for n in nominations if n.nominee_email]
    if not nominations:
        return {}
    rows = db.session.execute(
        db.select(Nomination.category_id, Nomination.nominee_email, db.func.count(Nomination.id))
        .where(
            Nomination.status.in_(ACTIVE_STATUSES),
            Nomination.category_id.in_({n.category_id for n in nominations}),
            Nomination.nominee_email.in_({n.nominee_email for n in nominations}),
        )
        .group_by(Nomination.category_id, Nomination.nominee_email)
    ).all()
    totals = {(category_id, email): count for category_id, email, count in rows}
    counts = {}
    for n in nominations:
        total = totals.get((n.category_id, n.nominee_email), 0)
        counts[n.id] = max(total - (1 if n.status in ACTIVE_STATUSES else 0), 0)
    return counts


def duplicate_count(nomination: Nomination) -> int:
    return duplicate_counts([nomination]).get(nomination.id, 0)


def duplicates_of(nomination: Nomination) -> list[Nomination]:
    """The other nominations (any status) of the same nominee in the category (for admins)."""
    if not nomination.nominee_email:
        return []
    return list(
        db.session.execute(
            db.select(Nomination)
            .options(db.joinedload(Nomination.nominator))
            .where(
                Nomination.category_id == nomination.category_id,
                Nomination.nominee_email == nomination.nominee_email,
                Nomination.id != nomination.id,
            )
            .order_by(Nomination.id)
        ).scalars()
    )


# --- lists --------------------------------------------------------------------------------


def my_nominations_query(nominator: User) -> Select:
    """The nominator's drafts and submissions, the latest change first."""
    return (
        db.select(Nomination)
        .join(Nomination.category)
        .join(AwardCategory.round)
        .options(db.contains_eager(Nomination.category).contains_eager(AwardCategory.round))
        .where(Nomination.nominator_id == nominator.id)
        .order_by(Nomination.updated_at.desc(), Nomination.id.desc())
    )


# The orders the administrators' list offers (the first is the default). Each pages by keyset
# through an index: "round" by category (in the order of ``filter_categories``: the latest
# round first, then position) and nominee within it (``ix_nominations_category_lower_name``),
# "changed" and "name" through ``ix_nominations_updated_at_id`` and
# ``ix_nominations_lower_nominee_name_id``.
ADMIN_SORTS = {
    "round": _l("Round and category"),
    "changed": _l("Last change, newest first"),
    "name": _l("Nominee"),
}
_NAME = db.func.lower(Nomination.nominee_name)
_SORT_KEYS = {
    "round": [SortKey(_NAME), SortKey(Nomination.id)],  # within each category
    "changed": [SortKey(Nomination.updated_at, descending=True), SortKey(Nomination.id, True)],
    "name": [SortKey(_NAME), SortKey(Nomination.id)],
}


@dataclass(frozen=True)
class AdminFilters:
    """The administrators' list filters; empty values filter nothing."""

    round_id: int | None = None
    category_id: int | None = None
    status: str = ""
    text: str = ""  # a part of the nominee's name or e-mail
    only_duplicates: bool = False
    sort: str = "round"


# What each row of the list shows, loaded with the page's rows.
ADMIN_LIST_LOADS = (
    db.contains_eager(Nomination.category).contains_eager(AwardCategory.round),
    db.joinedload(Nomination.nominator),
    db.joinedload(Nomination.nominee_department),
    db.joinedload(Nomination.on_behalf_of_department),
)


def admin_nominations_page(
    filters: AdminFilters, cursor: Cursor, *, per_page: int, categories: list[AwardCategory]
) -> KeysetPage:
    """The page of the administrators' list the cursor asks for, in the order of
    ``filters.sort``; ``categories``: every category the filters allow, as
    :func:`filter_categories` orders them (the order of the default sort)."""
    statement = admin_nominations_query(filters)
    if filters.sort == "round":
        return grouped_keyset_page(
            statement,
            Nomination.category_id,
            [c.id for c in categories],
            _SORT_KEYS["round"],
            cursor,
            per_page=per_page,
            options=ADMIN_LIST_LOADS,
        )
    return keyset_page(
        statement, _SORT_KEYS[filters.sort], cursor, per_page=per_page, options=ADMIN_LIST_LOADS
    )


def admin_nominations_query(filters: AdminFilters) -> Select:
    """Every nomination matching the filters, with its category and round joined (unordered:
    the page orders it by ``admin_sort_keys``)."""
    statement = db.select(Nomination).join(Nomination.category).join(AwardCategory.round)
    if filters.round_id:
        statement = statement.where(AwardCategory.round_id == filters.round_id)
    if filters.category_id:
        statement = statement.where(Nomination.category_id == filters.category_id)
    if filters.status:
        statement = statement.where(Nomination.status == filters.status)
    if filters.text:
        text = filters.text.lower()
        statement = statement.where(
            db.or_(
                db.func.lower(Nomination.nominee_name).contains(text, autoescape=True),
                Nomination.nominee_email.contains(text, autoescape=True),
            )
        )
    if filters.only_duplicates:
        other = aliased(Nomination)
        statement = statement.where(
            Nomination.nominee_email != "",
            db.select(other.id)
            .where(
                other.category_id == Nomination.category_id,
                other.nominee_email == Nomination.nominee_email,
                other.id != Nomination.id,
                other.status.in_(ACTIVE_STATUSES),
            )
            .exists(),
        )
    return statement


def filter_rounds() -> list[AwardRound]:
    """The rounds to filter the admin list by, the latest year first."""
    return list(
        db.session.execute(
            db.select(AwardRound).order_by(AwardRound.year.desc(), AwardRound.name)
        ).scalars()
    )


def filter_categories(round_id: int | None) -> list[AwardCategory]:
    """The categories to filter the admin list by (of one round, when one is chosen): the
    latest round first, each round's in their order (the list's default order too)."""
    statement = (
        db.select(AwardCategory)
        .join(AwardCategory.round)
        .options(db.contains_eager(AwardCategory.round))
        .order_by(
            AwardRound.closes_at.desc(),
            AwardRound.id,
            AwardCategory.position,
            AwardCategory.id,
        )
    )
    if round_id:
        statement = statement.where(AwardCategory.round_id == round_id)
    return list(db.session.execute(statement).scalars())


def round_nomination_counts(award_round: AwardRound) -> list[tuple[AwardCategory, dict]]:
    """Each category of the round with its number of nominations per status (one grouped
    query)."""
    rows = db.session.execute(
        db.select(Nomination.category_id, Nomination.status, db.func.count(Nomination.id))
        .join(Nomination.category)
        .where(AwardCategory.round_id == award_round.id)
        .group_by(Nomination.category_id, Nomination.status)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for category_id, status, count in rows:
        counts.setdefault(category_id, {})[status] = count
    return [(c, counts.get(c.id, {})) for c in award_round.categories]


def valid_status(value: str) -> str:
    """``value`` when it names a nomination status, else '' (no filter)."""
    return value if value in set(NominationStatus) else ""
