"""Telling nominees that they have been nominated (GDPR article 14), when the call closes.

A round with ``inform_nominees`` queues, in the transaction that closes its call
(``lifecycle.close_round_if_due``, which only one run wins), one e-mail per nominee address:
the categories they are nominated for, who holds the data, what is held, how long it is kept
(the round's retention periods) and where to read the privacy notice and whom to ask. Never
who nominated them: nominees see that nowhere else either. Each message has a deduplication
key (round and address), so a second close run, on this process or another, queues nothing.

Nominees usually have no account: the e-mail is written in the language of the account with
that address when there is one (``recipient_language``), else in the institute's default.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import gettext as _

from nominations.data_controller import contact, controller
from nominations.languages import in_language, recipient_language
from nominations.mail import queue_email
from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    Nomination,
    NominationStatus,
    User,
    db,
)

# Nominations that went in and were not taken out: their data stays with the institute.
INFORMED_STATUSES = (*REVIEWABLE_STATUSES, NominationStatus.INELIGIBLE)


@dataclass
class Nominee:
    email: str
    name: str
    categories: list[AwardCategory] = field(default_factory=list)


def nominees(award_round: AwardRound) -> list[Nominee]:
    """The round's nominees with an e-mail address, each once, with their categories."""
    rows = db.session.execute(
        db.select(Nomination.nominee_email, Nomination.nominee_name, AwardCategory)
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .where(
            AwardCategory.round_id == award_round.id,
            Nomination.status.in_(INFORMED_STATUSES),
            Nomination.nominee_email != "",
        )
        .order_by(Nomination.nominee_email, AwardCategory.position, AwardCategory.id)
    ).all()
    found: dict[str, Nominee] = {}
    for email, name, category in rows:
        nominee = found.setdefault(email, Nominee(email, name))
        if category not in nominee.categories:
            nominee.categories.append(category)
    return list(found.values())


def _accounts(emails: list[str]) -> dict[str, User]:
    accounts: dict[str, User] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        for user in db.session.execute(
            db.select(User).where(db.func.lower(User.email).in_(chunk))
        ).scalars():
            accounts[user.email.lower()] = user
    return accounts


def _privacy_link() -> str:
    try:
        path = url_for("public.privacy")
    except RuntimeError:  # no request (a job): build it from the URL map
        path = current_app.url_map.bind("localhost").build("public.privacy")
    return current_app.config["BASE_URL"].rstrip("/") + path


def queue_nominee_notices(award_round: AwardRound) -> int:
    """Queue the notice to each nominee of the round (when the round asks for it); how many
    were queued now (an address told before is not told again)."""
    if not award_round.inform_nominees:
        return 0
    people = nominees(award_round)
    accounts = _accounts([person.email for person in people])
    link = _privacy_link()
    by_language: dict[str, list[Nominee]] = defaultdict(list)
    for person in people:
        by_language[recipient_language(accounts.get(person.email))].append(person)
    queued = 0
    for language, group in by_language.items():
        with in_language(language):
            holder = controller()
            subject = _("You have been nominated: %(round)s", round=award_round.title)
        for person in group:
            queued += queue_email(
                dedupe_key=f"privacy:nominee_notice:r{award_round.id}:{person.email}",
                recipient=person.email,
                subject=subject,
                template="nominee_notice",
                language=language,
                nominee=person,
                award_round=award_round,
                controller=holder,
                contact=contact(),
                privacy_link=link,
            )
    return queued
