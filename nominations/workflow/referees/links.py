"""The letter deadline and the referees' personal links (the secret kept only as a hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from flask import current_app

from nominations.models import AwardCategory, Nomination, NominationStatus, Referee, db
from nominations.timeutil import now, shift_local

# Nominations whose referees may still upload (not withdrawn, ineligible or decided).
LETTER_STATUSES = (NominationStatus.DRAFT, NominationStatus.SUBMITTED, NominationStatus.SHORTLISTED)
TOKEN_BYTES = 32


def letter_deadline(category: AwardCategory) -> datetime:
    """When referees' letters are due for nominations in ``category``."""
    award_round = category.round
    days = category.letter_days_after_close
    if days is None:
        days = int(current_app.config["REFEREE_LETTER_DAYS"])
    return min(shift_local(award_round.closes_at, days=days), award_round.review_deadline)


def letters_open(nomination: Nomination, at: datetime | None = None) -> bool:
    """Whether referees may upload (and the nominator change referees) now."""
    at = at or now()
    return nomination.status in LETTER_STATUSES and at < letter_deadline(nomination.category)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(referee: Referee) -> str:
    """A new secret for ``referee``'s link (the old one stops working); returns the secret."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    referee.token_hash = hash_token(token)
    return token


def link_for(token: str) -> str:
    """The absolute link of a secret (BASE_URL + path), also outside a request."""
    try:
        path = current_app.url_map.bind("localhost").build("referee.letter", {"token": token})
    except Exception:  # the referee blueprint is not registered (a bare CLI app)
        path = f"/referee/{token}"
    return current_app.config["BASE_URL"].rstrip("/") + path


def referee_for_token(token: str, at: datetime | None = None) -> Referee | None:
    """The referee whose current link carries ``token`` while it may be used; None for a wrong,
    replaced, revoked or expired link, and for a nomination no longer taking letters (one
    answer for all, so that a link tells nothing about why it does not work)."""
    if not token or len(token) > 100:
        return None
    digest = hash_token(token)
    referee = db.session.execute(
        db.select(Referee)
        .where(Referee.token_hash == digest)
        .options(db.joinedload(Referee.nomination).joinedload(Nomination.category))
    ).scalar_one_or_none()
    # The lookup is by the hash (so nothing about the secret can be timed); compared again in
    # constant time so that no equality of a shorter prefix could ever count.
    if referee is None or not hmac.compare_digest(referee.token_hash or "", digest):
        return None
    if not letters_open(referee.nomination, at):
        return None
    return referee
