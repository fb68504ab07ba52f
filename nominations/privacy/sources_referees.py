"""Referees and their letters as sources of personal data (see ``privacy.sources``).

A letter is the referee's personal data (he wrote it) and it is about the nominee. So the
referee's access export holds the letter's bytes (``letters/`` in the ZIP); the nominee's
lists that letters exist (who wrote them, whether received), not their content.

Erasure:
- **referee** (matched by e-mail): the row stays, so the nomination still shows a referee was
  named, but his name is replaced, e-mail becomes a placeholder that receives nothing,
  relation is cleared, the link is revoked (no token hash) and the letter is deleted (bytes
  from either storage back-end, and its columns). The letters *received* count drops.
- **nominee**: the letters about them are deleted the same way (documents about them); the
  referees' names stay (they are the referees' data).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from nominations.exports.archives import safe_name
from nominations.models import Referee
from nominations.privacy.person_data import Erasing, _about, _select, iso, source
from nominations.storage import delete_stored


def letter_path(referee: Referee) -> str:
    """Where the referee's access export puts his letter in its ZIP."""
    name = safe_name(f"{referee.id}-{referee.original_name}", f"{referee.id}.pdf")
    return f"letters/{name}"


def _delete_letter(referee: Referee) -> None:
    if referee.stored_name is not None:
        delete_stored(referee.stored_name)  # once the erasure commits
    referee.stored_name = None
    referee.original_name = ""
    referee.sha256 = None
    referee.size_bytes = None
    referee.uploaded_at = None


def _describe_letter_by(referee: Referee) -> dict:
    nomination = referee.nomination
    return {
        "nomination": referee.nomination_id,
        "round": nomination.category.round.title,
        "category": nomination.category.name,
        "nominee": nomination.nominee_name,
        "name": referee.name,
        "email": referee.email,
        "relation": referee.relation,
        "named_at": iso(referee.created_at),
        "letter_received": referee.received,
        "file_name": referee.original_name if referee.received else None,
        "size_bytes": referee.size_bytes,
        "sha256": referee.sha256,
        "uploaded_at": iso(referee.uploaded_at),
        # Where the letter's bytes are in the ZIP (privacy.export writes them there).
        "file": letter_path(referee) if referee.received else None,
    }


def _erase_referee(referees: list[Referee], erasing: Erasing) -> None:
    for referee in referees:
        referee.name = erasing.replacement
        # Unique on the nomination, lower case, and no mail reaches it.
        referee.email = f"erased-referee-{referee.id}@erased.invalid"
        referee.relation = ""
        referee.token_hash = None  # the link no longer works
        _delete_letter(referee)
    erasing.touch("Referee", [r.id for r in referees])


source(
    "letters_by",
    "referee",
    _l("Referee for nominations, and the letters written"),
    describe=_describe_letter_by,
    on_erase=_l(
        "kept as a referee named; name replaced, e-mail and relation cleared, link revoked, "
        "letter deleted"
    ),
    erase=_erase_referee,
)(lambda person: _select(Referee, Referee.email == person.email if person.email else None))


def _erase_letters_about(referees: list[Referee], erasing: Erasing) -> None:
    # The audit rows about these referees hold the referee's name, not the nominee's: kept.
    for referee in referees:
        _delete_letter(referee)


source(
    "letters_about",
    "nominee",
    _l("Letters of reference about the person"),
    describe=lambda r: {
        "nomination": r.nomination_id,
        "referee": r.name,
        "letter_received": r.received,
        "uploaded_at": iso(r.uploaded_at),
    },
    on_erase=_l("letters deleted; the referees stay named"),
    erase=_erase_letters_about,
)(lambda person: _select(Referee, _about(person), Referee.nomination))
