"""Referee letters: the nominator names referees, each uploads a letter by a personal link.

* ``links``: the letter deadline, the secret links (stored hashed) and finding a referee by one;
* ``commands``: naming and removing referees (the nominator), uploading a letter (the referee);
* ``mailing``: the e-mails to referees (request, confirmation, reminders);
* ``counts``: letters received per nomination, for pages and exports in one query.

**The letter deadline** of a category is ``letter_days_after_close`` days (the category's
setting, else ``REFEREE_LETTER_DAYS``, 7) after the round's closing time, the same local clock
time (``shift_local``), and never later than the round's review deadline.

**A link works for one upload.** The link carries a random secret; the database keeps only its
SHA-256. Each accepted letter replaces the secret: the old link stops working and the referee
gets the new one on the confirmation page and by e-mail, so he can replace his letter with it
until the deadline. A wrong, used, revoked or expired link answers the same page.

**Completeness.** A category may require N letters (``required_letters``). Naming N referees is
needed to submit (the nominator can do that); receiving their letters is not, because it waits
on other people and may come after the call closes. A submitted nomination short of letters is
kept and reviewed like any other, and shows "1 of 2 letters received" to its nominator, the
administrators and the panel; as with any other eligibility question the rules cannot decide,
the administrators decide (and may mark it ineligible with a reason).
"""

from nominations.workflow.referees.commands import (
    RefereeData,
    name_referee,
    remove_referee,
    upload_letter,
)
from nominations.workflow.referees.counts import LetterCount, letter_count, letter_counts
from nominations.workflow.referees.links import (
    letter_deadline,
    letters_open,
    link_for,
    referee_for_token,
)
from nominations.workflow.referees.mailing import send_referee_reminders

__all__ = [
    "LetterCount",
    "RefereeData",
    "letter_count",
    "letter_counts",
    "letter_deadline",
    "letters_open",
    "link_for",
    "name_referee",
    "referee_for_token",
    "remove_referee",
    "send_referee_reminders",
    "upload_letter",
]
