"""Letters received and referees named per nomination, in one query for any number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import ngettext

from nominations.models import Nomination, Referee, db


@dataclass(frozen=True)
class LetterCount:
    received: int = 0
    named: int = 0
    required: int = 0

    @property
    def missing(self) -> int:
        return max(self.required - self.received, 0)

    @property
    def complete(self) -> bool:
        return self.received >= self.required

    def __str__(self) -> str:
        """'1 of 2 letters received' (of the required number when there is one)."""
        total = self.required or self.named
        return ngettext(
            "%(received)d of %(num)d letter received",
            "%(received)d of %(num)d letters received",
            total,
            received=self.received,
        )


def letter_counts(nominations: Iterable[Nomination]) -> dict[int, LetterCount]:
    """The letter count of each nomination (by id); one query."""
    items = list(nominations)
    ids = [n.id for n in items]
    rows: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), 500):
        rows.update(
            (nomination_id, (received or 0, named))
            for nomination_id, received, named in db.session.execute(
                db.select(
                    Referee.nomination_id,
                    db.func.count(Referee.stored_name),
                    db.func.count(Referee.id),
                )
                .where(Referee.nomination_id.in_(ids[start : start + 500]))
                .group_by(Referee.nomination_id)
            ).all()
        )
    return {
        n.id: LetterCount(*rows.get(n.id, (0, 0)), required=n.category.required_letters)
        for n in items
    }


def letter_count(nomination: Nomination) -> LetterCount:
    """One nomination's count, from its loaded referees."""
    referees = nomination.referees
    return LetterCount(
        sum(1 for r in referees if r.received), len(referees), nomination.category.required_letters
    )
