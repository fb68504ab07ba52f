"""Who may export what, and which rows and files an export holds.

An export follows the same permissions as the pages: administrators may export any round;
the chair of one of a round's panels may export it once its call has closed, and a category
of it when their panel covers that category. Within an export, the nominations are those of
``access.visible_nominations_query`` (the SQL twin of ``access.can_view_nomination``, so a
reviewer with a conflict of interest gets neither the row nor the files of that nomination),
in one query. Drafts are not nominations yet and are never exported.

The ranking export (:func:`ranking_for_export`) follows the ranking page: ``can_view_ranking``,
and the rows of nominations the viewer has a conflict with are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nominations.languages import localized
from nominations.models import (
    AwardCategory,
    AwardRound,
    Nomination,
    NominationStatus,
    User,
    db,
)
from nominations.timeutil import to_local
from nominations.workflow import access
from nominations.workflow.errors import NotFound, PermissionDenied
from nominations.workflow.questions.reading import display, questions_of
from nominations.workflow.ranking import compute_ranking
from nominations.workflow.ranking_details import RankingDetails, ranking_details


def may_export(user: User, award_round: AwardRound) -> bool:
    """Administrators, and a chair of one of the round's panels once the call has closed (the
    rule of the chair's round pages, ``access.can_view_progress``)."""
    return access.can_view_progress(user, award_round)


def require_export(user: User, award_round: AwardRound) -> None:
    if not may_export(user, award_round):
        raise PermissionDenied(
            _("Exports are for administrators, and for the panel chair once the call has closed.")
        )


def exportable_rounds(user: User) -> list[AwardRound]:
    """The rounds whose exports ``user`` may open, newest year first: :func:`may_export` as
    SQL, one query."""
    statement = (
        db.select(AwardRound)
        .where(access.progress_clause(user))
        .order_by(AwardRound.year.desc(), AwardRound.name)
    )
    return list(db.session.execute(statement).scalars())


def visible_nominations(
    user: User, award_round: AwardRound, category: AwardCategory | None = None
) -> list[Nomination]:
    """The round's (or category's) nominations ``user`` may export, in page order."""
    require_export(user, award_round)
    if category is not None:
        if category.round_id != award_round.id:
            raise NotFound(_("No such category in this round."))
        if not access.can_view_ranking(user, category):
            raise PermissionDenied(_("Your panel does not cover this category."))
    # The visibility rule as SQL (access.visibility_clause, the twin of can_view_nomination):
    # one query whatever the number of rows.
    statement = (
        access.visible_nominations_query(user, category, award_round=award_round)
        .options(
            db.contains_eager(Nomination.category),
            db.joinedload(Nomination.nominator),
            db.joinedload(Nomination.nominee_department),
            db.joinedload(Nomination.on_behalf_of_department),
            db.selectinload(Nomination.attachments),
            db.selectinload(Nomination.referees),
        )
        .where(Nomination.status != NominationStatus.DRAFT)
        .order_by(None)
        .order_by(AwardCategory.position, AwardCategory.id, Nomination.nominee_name, Nomination.id)
    )
    return list(db.session.execute(statement).unique().scalars())


def letter_readers_ids(user: User, nominations: list[Nomination]) -> set[int]:
    """The nominations (of ``nominations``) whose referee letters ``user`` may have in an
    export: the rule ``referee_letter.read`` as SQL (``access.letters_clause``), one query."""
    ids = [n.id for n in nominations if any(r.received for r in n.referees)]
    if not ids:
        return set()
    statement = (
        db.select(Nomination.id)
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .join(AwardRound, AwardRound.id == AwardCategory.round_id)
        .where(Nomination.id.in_(ids), access.letters_clause(user))
    )
    return set(db.session.execute(statement).scalars())


def ranking_for_export(
    user: User,
    category: AwardCategory,
    *,
    sort: str = "normalised",
    descending: bool | None = None,
) -> RankingDetails:
    """The category's ranking with every reviewer's scores, as ``user`` sees it on the ranking
    page (same permission, same order; rows hidden from a conflicted viewer left out)."""
    if not access.can_view_ranking(user, category):
        raise PermissionDenied(
            _(
                "The ranking is for administrators, and for the chair of a panel covering the "
                "category once the call has closed."
            )
        )
    ranking = compute_ranking(category, sort=sort, descending=descending, viewer=user)
    return ranking_details(ranking)


def exportable_nomination(user: User, nomination: Nomination) -> Nomination:
    """One nomination for an export of its attachments, if ``user`` may have it."""
    require_export(user, nomination.category.round)
    if nomination.status == NominationStatus.DRAFT or not access.can_view_nomination(
        user, nomination
    ):
        raise NotFound(_("No such nomination, or you may not see it."))
    return nomination


# The headings, in the reader's language (lazy; ``column_names`` gives them as text).
COLUMNS = (
    _l("ID"),
    _l("Category"),
    _l("Nominee"),
    _l("Nominee e-mail"),
    _l("Nominee department"),
    _l("Position"),
    _l("PhD date"),
    _l("Nominated by"),
    _l("Nominator e-mail"),
    _l("On behalf of"),
    _l("Status"),
    _l("Submitted"),
    _l("Words"),
    _l("Attachments"),
    _l("Letters of reference received"),
    _l("Letters of reference required"),
    _l("Statement"),
)
# The columns the export page shows (the files add each statement in full).
PAGE_COLUMNS = COLUMNS[:-1]

Cell = str | int | date | datetime | None

STATUS_LABELS = {
    NominationStatus.DRAFT.value: _l("draft"),
    NominationStatus.SUBMITTED.value: _l("submitted"),
    NominationStatus.WITHDRAWN.value: _l("withdrawn"),
    NominationStatus.INELIGIBLE.value: _l("ineligible"),
    NominationStatus.SHORTLISTED.value: _l("shortlisted"),
    NominationStatus.AWARDED.value: _l("awarded"),
    NominationStatus.NOT_AWARDED.value: _l("not awarded"),
}


def column_names(columns=COLUMNS) -> list[str]:
    """The headings as text in the reader's language."""
    return [str(column) for column in columns]


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status.replace("_", " ")))


def nomination_row(nomination: Nomination) -> list[Cell]:
    """One export row: plain values; instants in local time (naive, as spreadsheets want)."""
    submitted = (
        to_local(nomination.submitted_at).replace(tzinfo=None, microsecond=0)
        if nomination.submitted_at
        else None
    )
    return [
        nomination.id,
        localized(nomination.category, "name"),
        nomination.nominee_name,
        nomination.nominee_email,
        nomination.nominee_department.name if nomination.nominee_department else "",
        nomination.nominee_position,
        nomination.nominee_phd_date,
        nomination.nominator.name,
        nomination.nominator.email,
        nomination.on_behalf_of_department.name if nomination.on_behalf_of_department else "",
        status_label(nomination.status),
        submitted,
        len((nomination.statement or "").split()),
        len(nomination.attachments),
        sum(1 for r in nomination.referees if r.received),
        nomination.category.required_letters,
        nomination.statement,
    ]


@dataclass
class ExportTable:
    title: str
    filename: str
    rows: list[list[Cell]]
    columns: tuple[str, ...] = COLUMNS


def question_columns(categories: list[AwardCategory]) -> tuple[list, list[str]]:
    """The questions of the exported categories, in the categories' order, and a column
    heading for each ("Category: question" when the export spans several categories)."""
    order = {c.id: i for i, c in enumerate(categories)}
    questions = sorted(questions_of(list(order)), key=lambda q: order[q.category_id])
    several = len(categories) > 1
    headings = [
        f"{localized(q.category, 'name')}: {localized(q, 'label')}"
        if several
        else localized(q, "label")
        for q in questions
    ]
    return questions, headings


def answer_cells(nomination: Nomination, questions: list, answers: dict) -> list[Cell]:
    """The nomination's answer to each question (blank for another category's)."""
    mine = answers.get(nomination.id, {})
    return [
        display(q, mine.get(q.id)) if q.category_id == nomination.category_id else ""
        for q in questions
    ]
