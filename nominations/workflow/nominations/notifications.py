"""The e-mails a nomination's changes queue for its nominator: received, withdrawn, marked
ineligible. Each carries a dedupe key holding the occasion (e.g. the submission time), so a
new submission gets its own confirmation while a retried request queues nothing twice."""

from __future__ import annotations

from flask import current_app

from nominations.formatting import format_amount
from nominations.mail import queue_email
from nominations.models import Nomination
from nominations.timeutil import format_local

SUBJECTS = {
    "submitted": "Nomination received: {nominee} for {category}",
    "withdrawn": "Nomination withdrawn: {nominee} for {category}",
    "ineligible": "Nomination marked ineligible: {nominee} for {category}",
}


def nomination_link(nomination: Nomination) -> str:
    """An absolute link to the nominator's page of a nomination (BASE_URL + path)."""
    try:
        path = current_app.url_map.bind("localhost").build(
            "nominate.edit", {"nomination_id": nomination.id}
        )
    except Exception:  # the nominate blueprint is not registered (e.g. a bare CLI app)
        path = f"/nominations/{nomination.id}"
    return current_app.config["BASE_URL"].rstrip("/") + path


def notify_nominator(nomination: Nomination, event: str, occasion: str) -> None:
    """Queue the e-mail for ``event`` (a key of SUBJECTS) about ``nomination``."""
    category = nomination.category
    nominee = nomination.nominee_name or nomination.nominee_email or "a nominee"
    queue_email(
        dedupe_key=f"nomination-{event}:{nomination.id}:{occasion}",
        recipient=nomination.nominator.email,
        subject=SUBJECTS[event].format(nominee=nominee, category=category.name),
        template=f"nomination_{event}",
        nomination=nomination,
        nominator=nomination.nominator,
        category=category,
        award_round=category.round,
        prize=format_amount(category.prize_amount, category.currency),
        closes=format_local(category.round.closes_at),
        link=nomination_link(nomination),
    )
