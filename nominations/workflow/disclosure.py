"""What a nominator may know about the outcome of a nomination.

Shortlisting and the panel's decision (awarded, not awarded) stay inside the panel and the
administrators until the round's results are published: before that, every page, e-mail and
feed that a nominator reaches shows such a nomination as simply "submitted". After
publication the nominator sees the real status.
"""

from __future__ import annotations

from datetime import datetime

from nominations.models import AwardRound, Nomination, NominationStatus, RoundStatus

# Statuses that tell the panel's view of a nomination.
OUTCOME_STATUSES = frozenset(
    {NominationStatus.SHORTLISTED, NominationStatus.AWARDED, NominationStatus.NOT_AWARDED}
)


def status_for_nominator(status: str, award_round: AwardRound) -> str:
    """The status as the nominator may see it, for a nomination in ``award_round``."""
    if status in OUTCOME_STATUSES and award_round.status != RoundStatus.PUBLISHED:
        return NominationStatus.SUBMITTED.value
    return str(status)


def nomination_status_for_nominator(nomination: Nomination) -> str:
    return status_for_nominator(nomination.status, nomination.category.round)


def last_change_for_nominator(nomination: Nomination) -> datetime:
    """When the nomination last changed, as far as the nominator may know: a decision that is
    not published yet moves ``updated_at``, so until then it is the submission time."""
    hidden = nomination_status_for_nominator(nomination) != nomination.status
    if hidden and nomination.submitted_at is not None:
        return nomination.submitted_at
    return nomination.updated_at
