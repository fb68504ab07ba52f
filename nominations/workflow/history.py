"""Memory across years: a person's earlier nominations, and the rule on earlier winners.

A person is known by the nominee's e-mail address (stored in lower case, so the match is
case-insensitive); for staff that is their account's address, so a nominee with an account
and one without are found alike. There is no other link to a person: two addresses are two
people.

What is shown is the fact of an earlier nomination: its round, year, category and outcome.
Never its statement, nominator, reviews or scores. The outcome of a round whose results are
not published stays with the administrators: the panel sees "not published" instead
(``disclosure.py`` keeps it from the nominator the same way).

"This prize" for the earlier-winner rule is the category's lineage
(``AwardCategory.lineage``): a new category starts one, cloning into next year's round carries
it on, so the rule still knows the prize after a rename. A category made by hand with the same
name as last year's is a new prize; clone the round to keep the memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import ngettext

from nominations.languages import localized
from nominations.models import (
    AwardCategory,
    AwardRound,
    Nomination,
    NominationStatus,
    RoundStatus,
    User,
    db,
)


@dataclass(frozen=True)
class EarlierNomination:
    nomination_id: int
    round_title: str
    year: int
    category_name: str
    published: bool
    # The status as this viewer may know it; None: the outcome is not published (panels).
    outcome: str | None


def nominee_history(nomination: Nomination, viewer: User) -> list[EarlierNomination]:
    """The nominee's nominations in earlier rounds (submitted at some point: drafts never
    count), the latest first, in one query. Administrators see every outcome, marked as
    published or not; everyone else only the outcomes of published rounds."""
    email = nomination.nominee_email
    if not email:
        return []
    current = nomination.category.round
    rows = db.session.execute(
        db.select(Nomination.id, Nomination.status, AwardCategory, AwardRound)
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .join(AwardRound, AwardRound.id == AwardCategory.round_id)
        .where(
            Nomination.nominee_email == email,
            Nomination.status != NominationStatus.DRAFT,
            AwardRound.id != current.id,
            AwardRound.opens_at < current.opens_at,
        )
        .order_by(AwardRound.opens_at.desc(), AwardCategory.position, Nomination.id)
    ).all()
    history = []
    for nomination_id, status, category, award_round in rows:
        published = award_round.status == RoundStatus.PUBLISHED
        history.append(
            EarlierNomination(
                nomination_id=nomination_id,
                round_title=award_round.title,
                year=award_round.year,
                category_name=localized(category, "name"),
                published=published,
                outcome=str(status) if published or viewer.is_admin else None,
            )
        )
    return history


def earlier_win(category: AwardCategory, email: str) -> tuple[str, int] | None:
    """(round title, year) of a published win of ``category``'s prize by ``email`` within the
    category's ``exclude_winners_within_years`` before its round's year; None when there is
    none or no rule. Only published results count: an unpublished decision is not to be
    learnt by refusing a nomination."""
    years = category.exclude_winners_within_years
    if not years or not email or not category.lineage:  # "": a row written outside the ORM
        return None
    award_round = category.round
    row = db.session.execute(
        db.select(AwardRound)
        .join(AwardCategory, AwardCategory.round_id == AwardRound.id)
        .join(Nomination, Nomination.category_id == AwardCategory.id)
        .where(
            AwardCategory.lineage == category.lineage,
            AwardCategory.id != category.id,
            Nomination.nominee_email == email.strip().lower(),
            Nomination.status == NominationStatus.AWARDED,
            AwardRound.status == RoundStatus.PUBLISHED,
            AwardRound.year >= award_round.year - years,
            AwardRound.year <= award_round.year,
        )
        .order_by(AwardRound.year.desc())
        .limit(1)
    ).scalar_one_or_none()
    return (row.title, row.year) if row is not None else None


def earlier_winner_message(category: AwardCategory, email: str) -> str | None:
    """What to tell the nominator when ``email`` won this prize too recently; else None."""
    won = earlier_win(category, email)
    if won is None:
        return None
    title, year = won
    return ngettext(
        "%(category)s is not open to those who won it in the last %(num)d year: this nominee "
        "won it in %(round)s. They can be nominated again from %(next)d.",
        "%(category)s is not open to those who won it in the last %(num)d years: this nominee "
        "won it in %(round)s. They can be nominated again from %(next)d.",
        category.exclude_winners_within_years,
        category=localized(category, "name"),
        round=title,
        next=year + category.exclude_winners_within_years + 1,
    )
