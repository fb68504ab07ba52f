"""The privacy notice (GDPR articles 13 and 14): the text at /privacy, written by the
administrators in English and bokmål, with a built-in default until they do.

The text is plain paragraphs (a blank line between them), never HTML: the page escapes it.
Who to contact (PRIVACY_CONTACT) and who holds the data (PRIVACY_CONTROLLER, else the site's
name) come from the configuration, so the nominee e-mail and the page say the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from nominations import policy
from nominations.data_controller import controller
from nominations.languages import in_language
from nominations.models import PrivacyNotice, User, db
from nominations.timeutil import now
from nominations.workflow import audit
from nominations.workflow.text import clean

MAX_NOTICE_CHARS = 20_000


@dataclass(frozen=True)
class NoticeText:
    """The notice in both languages (``localized(notice, "text")`` picks the reader's)."""

    text: str
    text_nb: str
    is_default: bool = False


def default_text() -> str:
    """The built-in notice, in the current language: what the system holds, why, for how
    long by default, and the rights of the people it is about."""
    paragraphs = [
        _(
            "%(controller)s uses this service to run its award programmes: staff nominate "
            "colleagues, a review panel assesses the nominations and the winners are announced.",
            controller=controller(),
        ),
        _(
            "About people who are nominated, the service holds what the nominator enters: "
            "name, e-mail address, position, department, the date of the PhD, the nomination "
            "statement and the documents uploaded (such as a CV, a publication list and letters "
            "of support). The review panel adds scores, recommendations and comments, and the "
            "chair records the decisions and the citations of the winners."
        ),
        _(
            "About staff who sign in, the service holds name, e-mail address, department, "
            "roles and language, the nominations they made and the reviews they wrote. Every "
            "change is recorded in an audit log."
        ),
        _(
            "Nominees can be told by e-mail, when the call for nominations closes, that they "
            "have been nominated (never by whom). Only the review panel and the administrators "
            "see nominations; nominators never see reviews or scores."
        ),
        _(
            "How long it is kept is set per round. Unless a round says otherwise, the documents "
            "of nominations that did not win are deleted 12 months after the results are "
            "published, review comments 12 months after publication, and drafts that were never "
            "submitted 30 days after the call closed. The names of the winners and the "
            "citations are kept as the record of the prize."
        ),
        _(
            "You may ask to see the data held about you, to have it corrected, or to have it "
            "erased where no rule requires it to be kept."
        ),
    ]
    return "\n\n".join(paragraphs)


def current_notice() -> NoticeText:
    """The administrators' notice, or the built-in one (in each language) before they wrote
    one, or when they emptied both."""
    saved = db.session.get(PrivacyNotice, 1)
    if saved is not None and (saved.text or saved.text_nb):
        return NoticeText(saved.text, saved.text_nb)
    with in_language("en"):
        english = default_text()
    with in_language("nb"):
        bokmal = default_text()
    return NoticeText(english, bokmal, is_default=True)


def paragraphs(text: str) -> list[list[str]]:
    """The text as paragraphs (split at blank lines), each a list of its lines."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [[line.strip() for line in block.split("\n")] for block in blocks if block]


def update_notice(text: str, text_nb: str, *, actor: User) -> bool:
    """Save the notice's texts; False when nothing changed (saving unchanged is harmless)."""
    policy.authorize("privacy.manage", actor)
    text, text_nb = clean(text, multiline=True), clean(text_nb, multiline=True)
    saved = db.session.get(PrivacyNotice, 1)
    before = {"text": saved.text, "text_nb": saved.text_nb} if saved else {}
    after = {"text": text, "text_nb": text_nb}
    if saved is None:
        saved = PrivacyNotice(id=1)
        db.session.add(saved)
    old, new = audit.changed(before, after)
    if not new:
        return False
    saved.text, saved.text_nb = text, text_nb
    saved.updated_at, saved.updated_by_id = now(), actor.id
    db.session.flush()
    audit.record("privacy_notice.update", saved, actor=actor, before=old, after=new)
    db.session.flush()
    return True
