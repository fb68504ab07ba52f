"""What a nomination must satisfy, and when a nominator may change it.

Completeness (required fields and documents), the word limit, the career-stage rule, the
rule on earlier winners, self-nomination, and the call's clock: the server checks each at the
moment of the change.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext, ngettext

from nominations.formatting import count_words
from nominations.languages import localized
from nominations.models import (
    REVIEWABLE_STATUSES,
    AttachmentKind,
    AwardCategory,
    AwardRound,
    Department,
    Nomination,
    NominationStatus,
    User,
    db,
)
from nominations.timeutil import format_date, format_local, now, to_local
from nominations.workflow.calls import CallState, call_state
from nominations.workflow.errors import WorkflowError
from nominations.workflow.history import earlier_winner_message
from nominations.workflow.questions.validating import problems as answer_problems
from nominations.workflow.retention import letters_deleted

# What a nominator may still change (while the call is open).
NOMINATOR_EDITABLE = (
    NominationStatus.DRAFT,
    NominationStatus.SUBMITTED,
    NominationStatus.WITHDRAWN,
)
# Nominations that count when looking for duplicates: went in and were not taken out.
ACTIVE_STATUSES = REVIEWABLE_STATUSES
# What an administrator may mark ineligible (not after the chair's decision).
INELIGIBLE_FROM = (NominationStatus.SUBMITTED, NominationStatus.SHORTLISTED)

MAX_REASON_CHARS = 5_000

Problems = list[tuple[str | None, str]]


class NominationProblems(WorkflowError):
    """Several fields need attention; ``problems`` is a list of (field, message)."""

    def __init__(self, problems: Problems):
        message = (
            problems[0][1]
            if len(problems) == 1
            else gettext("The nomination is not complete yet: see the fields marked below.")
        )
        super().__init__(message, problems[0][0] if len(problems) == 1 else None)
        self.problems = problems


class CallNotOpen(WorkflowError):
    """The call does not accept nominations now (not open yet, or closed)."""


class AlreadySubmitted(WorkflowError):
    """The nomination was submitted by another request (the first click of a double click,
    or another tab) after this one read it."""


def departments_acting_for(user: User, category: AwardCategory) -> list[Department]:
    """Departments on whose behalf ``user`` may nominate in ``category``: their own one,
    where the category takes departmental nominations."""
    if not category.department_nomination_allowed or user.department is None:
        return []
    return [user.department]


def is_self_nomination(nomination: Nomination) -> bool:
    return bool(nomination.nominee_email) and nomination.nominee_email == (
        nomination.nominator.email if nomination.nominator else ""
    )


def phd_earliest(category: AwardCategory) -> date | None:
    """The earliest PhD date the career-stage rule accepts: N years before the closing date
    (the local date of the round's closing time)."""
    return phd_earliest_for(category.phd_within_years, category.round.closes_at)


def phd_earliest_for(years: int | None, closes_at: datetime) -> date | None:
    """``phd_earliest`` from the rule's years and the round's closing time."""
    if not years:
        return None
    closing_day = to_local(closes_at).date()
    try:
        return closing_day.replace(year=closing_day.year - years)
    except ValueError:  # 29 February
        return closing_day.replace(year=closing_day.year - years, day=28)


def problems(nomination: Nomination) -> Problems:
    """Everything that stops this nomination from being submitted, as (field, message)."""
    category = nomination.category
    found: Problems = []
    required = (
        ("nominee_name", nomination.nominee_name, gettext("Enter the nominee's name.")),
        (
            "nominee_email",
            nomination.nominee_email,
            gettext("Enter the nominee's e-mail address."),
        ),
        (
            "nominee_department_id",
            nomination.nominee_department_id,
            gettext("Choose a department."),
        ),
        ("nominee_position", nomination.nominee_position, gettext("Enter the nominee's position.")),
    )
    found += [(name, message) for name, value, message in required if not value]
    if is_self_nomination(nomination) and not category.self_nomination_allowed:
        found.append(
            (
                "nominee_email",
                gettext(
                    "%(category)s does not accept self-nominations: ask a colleague or your "
                    "department to nominate you.",
                    category=localized(category, "name"),
                ),
            )
        )
    found += eligibility_problems(category, nomination.nominee_phd_date)
    found += earlier_winner_problems(nomination)
    found += _statement_problems(nomination)
    found += _document_problems(nomination)
    found += answer_problems(nomination)
    found += referee_problems(nomination)
    return found


def referee_problems(nomination: Nomination) -> Problems:
    """A category requiring N letters needs N referees named before submitting (their letters
    may come later, until the letter deadline: see :func:`letter_problems`)."""
    required = nomination.category.required_letters
    named = len(nomination.referees)
    if named >= required:
        return []
    return [
        (
            "referees",
            ngettext(
                "%(category)s requires %(num)d letter of reference: name %(more)d more "
                "referee on the Referees page.",
                "%(category)s requires %(num)d letters of reference: name %(more)d more "
                "referees on the Referees page.",
                required,
                category=localized(nomination.category, "name"),
                more=required - named,
            ),
        )
    ]


def letter_problems(nomination: Nomination) -> Problems:
    """What keeps a nomination incomplete after it went in: required letters not received yet.
    Shown to the nominator, the administrators and the panel; it does not stop a submission
    (the letters depend on the referees and may come until the letter deadline)."""
    required = nomination.category.required_letters
    if letters_deleted(nomination):
        return []  # the retention rule deleted them: nothing is missing any more
    received = sum(1 for r in nomination.referees if r.received)
    if received >= required:
        return []
    return [
        (
            "referees",
            ngettext(
                "%(received)d of the %(num)d required letter of reference received.",
                "%(received)d of the %(num)d required letters of reference received.",
                required,
                received=received,
            ),
        )
    ]


def earlier_winner_problems(nomination: Nomination) -> Problems:
    """The category's rule on earlier winners of its prize (workflow/history.py)."""
    message = earlier_winner_message(nomination.category, nomination.nominee_email)
    return [("nominee_email", message)] if message else []


def _statement_problems(nomination: Nomination) -> Problems:
    category = nomination.category
    words = count_words(nomination.statement)
    if words == 0:
        return [("statement", gettext("Write the statement in support of the nominee."))]
    if words > category.word_limit:
        return [
            (
                "statement",
                gettext(
                    "The statement has %(words)d words; the limit for %(category)s is "
                    "%(limit)d. Shorten it by %(over)d.",
                    words=words,
                    category=localized(category, "name"),
                    limit=category.word_limit,
                    over=words - category.word_limit,
                ),
            )
        ]
    return []


def _document_problems(nomination: Nomination) -> Problems:
    category = nomination.category
    found: Problems = []
    kinds = [a.kind for a in nomination.attachments]
    if category.requires_cv and AttachmentKind.CV not in kinds:
        found.append(("cv", gettext("Upload the nominee's CV (PDF).")))
    if category.requires_publications and AttachmentKind.PUBLICATIONS not in kinds:
        found.append(("publications", gettext("Upload the nominee's publication list (PDF).")))
    letters = kinds.count(AttachmentKind.SUPPORT_LETTER)
    if letters > category.max_support_letters:
        found.append(
            (
                "support_letters",
                ngettext(
                    "%(category)s takes at most %(num)d support letter; remove %(over)d.",
                    "%(category)s takes at most %(num)d support letters; remove %(over)d.",
                    category.max_support_letters,
                    category=localized(category, "name"),
                    over=letters - category.max_support_letters,
                ),
            )
        )
    return found


def eligibility_problems(category: AwardCategory, phd_date: date | None) -> Problems:
    """The career-stage rule: the PhD within the last N years, at the round's closing date."""
    earliest = phd_earliest(category)
    if earliest is None:
        return []
    closing_day = to_local(category.round.closes_at).date()
    if phd_date is None:
        return [("nominee_phd_date", gettext("Enter the date of the nominee's PhD."))]
    if phd_date > closing_day:
        return [
            (
                "nominee_phd_date",
                gettext(
                    "The PhD date must not be after the closing date (%(date)s).",
                    date=format_date(closing_day),
                ),
            )
        ]
    if phd_date < earliest:
        return [
            (
                "nominee_phd_date",
                ngettext(
                    "%(category)s is for researchers whose PhD was awarded within the last "
                    "%(num)d year before the closing date: on or after %(date)s.",
                    "%(category)s is for researchers whose PhD was awarded within the last "
                    "%(num)d years before the closing date: on or after %(date)s.",
                    category.phd_within_years,
                    category=localized(category, "name"),
                    date=format_date(earliest),
                ),
            )
        ]
    return []


# --- the call's clock ---------------------------------------------------------------------


def call_not_open_reason(award_round: AwardRound, at: datetime | None = None) -> str | None:
    """None while the call accepts nominations; else why not, with the time in local time."""
    at = at or now()
    state = call_state(award_round, at)
    if state is CallState.OPEN:
        return None
    if state is CallState.UPCOMING:
        return gettext("The call opens at %(time)s.", time=format_local(award_round.opens_at))
    if at >= award_round.closes_at:
        return gettext("The call closed at %(time)s.", time=format_local(award_round.closes_at))
    return gettext("The call has been closed by the administrators.")


def closed_message(
    award_round: AwardRound,
    *,
    stored: bool,
    just_saved: bool = False,
    at: datetime | None = None,
) -> str | None:
    """None while the call accepts nominations; else what to tell a nominator whose change
    was refused: ``stored`` when the nomination exists (its saved version is kept),
    ``just_saved`` when the same request saved it as a draft and only the submission that
    followed came too late (the closing time passed in between)."""
    reason = call_not_open_reason(award_round, at)
    if reason is None:
        return None
    if just_saved:
        then = gettext("Your draft is saved with what you typed, but it was not submitted.")
    elif stored:
        then = gettext(
            "Your nomination is kept as it was saved; the changes you just made were not saved "
            "(they are still in the form below)."
        )
    else:
        then = gettext("Nothing was saved; what you typed is still in the form below.")
    return f"{reason} {then}"


def require_open(award_round: AwardRound, *, stored: bool) -> datetime:
    """Refuse the change unless the call accepts nominations now; returns the instant checked
    (the change is stamped with it, so a nomination accepted before the closing time never
    carries a later time).

    The round's row is held in share mode until the change commits (PostgreSQL; SQLite
    serialises writers anyway). Closing the round updates that row, so the close waits for
    every change that was checked before the closing time and then counts it in its summary
    and notifications, and a change that comes after the close waits for it and finds the
    round closed. Without it a submission checked a moment before the closing time could
    commit just after the close had counted, and the summary would miss it.
    """
    db.session.execute(
        db.select(AwardRound)
        .where(AwardRound.id == award_round.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    at = now()
    message = closed_message(award_round, stored=stored, at=at)
    if message is not None:
        raise CallNotOpen(message)
    return at
