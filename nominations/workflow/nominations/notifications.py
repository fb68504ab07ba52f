"""The e-mails a nomination's changes queue for its nominator: received, withdrawn, marked
ineligible. Each carries a dedupe key holding the occasion (e.g. the submission time), so a
new submission gets its own confirmation while a retried request queues nothing twice.
Each is written in the nominator's language (``languages.recipient_language``)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from nominations.languages import in_language, localized, recipient_language
from nominations.mail import queue_email
from nominations.models import Nomination

EVENTS = ("submitted", "withdrawn", "ineligible")


def _subject(event: str, nominee: str, category: str) -> str:
    """The subject of ``event``'s e-mail, in the language in force."""
    if event == "submitted":
        return _(
            "Nomination received: %(nominee)s for %(category)s", nominee=nominee, category=category
        )
    if event == "withdrawn":
        return _(
            "Nomination withdrawn: %(nominee)s for %(category)s", nominee=nominee, category=category
        )
    return _(
        "Nomination marked ineligible: %(nominee)s for %(category)s",
        nominee=nominee,
        category=category,
    )


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
    """Queue the e-mail for ``event`` (one of EVENTS) about ``nomination``."""
    category = nomination.category
    language = recipient_language(nomination.nominator)
    with in_language(language):
        nominee = nomination.nominee_name or nomination.nominee_email or _("a nominee")
        subject = _subject(event, nominee, localized(category, "name"))
    queue_email(
        dedupe_key=f"nomination-{event}:{nomination.id}:{occasion}",
        recipient=nomination.nominator.email,
        subject=subject,
        template=f"nomination_{event}",
        language=language,
        nomination=nomination,
        nominator=nomination.nominator,
        category=category,
        award_round=category.round,
        link=nomination_link(nomination),
    )
