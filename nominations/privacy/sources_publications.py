"""Publication lists, co-authorship decisions and the chair's discussion notes as sources of
personal data (see ``privacy.sources``).

Erasure:
- **publication list** (``PublicationHolder`` rows for the person's e-mail, a nominee's or a
  reviewer's): deleted; a publication no other list names goes with it.
- **co-authorship decisions** about a nomination of the person (nominee) or about the person
  as reviewer: the decision (accepted / dismissed) stays, its reason is cleared.
- **discussion notes** on nominations about the person: deleted (a note without text is no
  note, as when the chair empties it). Notes *written* by the person as chair are kept (they
  are about someone else) and attributed to the anonymised account.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists

from nominations.models import (
    CoauthorDecision,
    DiscussionNote,
    Publication,
    PublicationHolder,
    db,
)
from nominations.privacy.person_data import (
    Erasing,
    _about,
    _of_user,
    _select,
    clearing,
    iso,
    source,
)

# --- publication lists ----------------------------------------------------------------------


def _erase_publication_list(holders: list[PublicationHolder], erasing: Erasing) -> None:
    publication_ids = sorted({h.publication_id for h in holders})
    for holder in holders:
        db.session.delete(holder)
    db.session.flush()
    # A publication on no list any more would only say whose list it was on.
    db.session.execute(
        db.delete(Publication)
        .where(
            Publication.id.in_(publication_ids),
            ~exists().where(PublicationHolder.publication_id == Publication.id),
        )
        .execution_options(synchronize_session=False)
    )
    erasing.touch("PublicationHolder", [h.id for h in holders])


source(
    "publication_list",
    "publications",
    _l("Publication list"),
    describe=lambda h: {
        "title": h.publication.title,
        "year": h.publication.year,
        "doi": h.publication.doi,
        "imported_from": h.source,
        "added_at": iso(h.added_at),
    },
    on_erase=_l("deleted"),
    erase=_erase_publication_list,
)(
    lambda person: _select(
        PublicationHolder, PublicationHolder.email == person.email if person.email else None
    )
)


# --- co-authorship decisions ----------------------------------------------------------------


def _describe_coauthor(decision: CoauthorDecision) -> dict:
    return {
        "nomination": decision.nomination_id,
        "outcome": decision.outcome,
        "reason": decision.reason,
        "decided_at": iso(decision.decided_at),
    }


source(
    "coauthor_decisions_about",
    "nominee",
    _l("Co-authorship decisions on nominations of the person"),
    describe=_describe_coauthor,
    on_erase=_l("kept, reasons removed"),
    erase=clearing("reason"),
)(lambda person: _select(CoauthorDecision, _about(person), CoauthorDecision.nomination))


source(
    "coauthor_decisions_on",
    "reviewer",
    _l("Co-authorship decisions about the person as reviewer"),
    describe=_describe_coauthor,
    on_erase=_l("kept, reasons removed"),
    erase=clearing("reason"),
)(lambda person: _select(CoauthorDecision, _of_user(CoauthorDecision.reviewer_id, person)))


source(
    "coauthor_decisions_made",
    "panel",
    _l("Co-authorship decisions made by the person"),
    describe=lambda d: {"nomination": d.nomination_id, "outcome": d.outcome},
    on_erase=_l("kept; made by the anonymised account"),
)(lambda person: _select(CoauthorDecision, _of_user(CoauthorDecision.decided_by_id, person)))


# --- the chair's discussion notes -----------------------------------------------------------


def _delete_notes(notes: list[DiscussionNote], erasing: Erasing) -> None:
    for note in notes:
        db.session.delete(note)
    erasing.touch("DiscussionNote", [n.id for n in notes])


source(
    "discussion_notes_about",
    "nominee",
    _l("Discussion notes on nominations of the person"),
    describe=lambda n: {
        "nomination": n.nomination_id,
        "note": n.note,
        "updated_at": iso(n.updated_at),
    },
    on_erase=_l("deleted"),
    erase=_delete_notes,
)(lambda person: _select(DiscussionNote, _about(person), DiscussionNote.nomination))


source(
    "discussion_notes_by",
    "panel",
    _l("Discussion notes written by the person"),
    describe=lambda n: {
        "nomination": n.nomination_id,
        "note": n.note,
        "updated_at": iso(n.updated_at),
    },
    on_erase=_l("kept (about someone else); written by the anonymised account"),
)(lambda person: _select(DiscussionNote, _of_user(DiscussionNote.updated_by_id, person)))
