"""A person's publication list as imported: read it, and take an entry off it.

An import for the wrong address, or a paper that is not the person's, would otherwise keep
proposing co-authorship conflicts for ever. Taking an entry off stops the proposals it made;
a conflict the chair has already accepted (or a proposal dismissed) stays as decided. A
publication no one's list names any more is deleted with its last entry.
"""

from __future__ import annotations

from sqlalchemy import func

from nominations import policy
from nominations.models import Publication, PublicationHolder, User, db
from nominations.workflow import audit


def held_by(email: str) -> list[PublicationHolder]:
    """The entries of ``email``'s list (the address as stored: lower case), newest first."""
    return list(
        db.session.execute(
            db.select(PublicationHolder)
            .join(PublicationHolder.publication)
            .where(PublicationHolder.email == email)
            .order_by(Publication.year.desc(), Publication.title_key, PublicationHolder.id)
            .options(db.contains_eager(PublicationHolder.publication))
        ).scalars()
    )


def remove_holding(holder: PublicationHolder, *, actor: User) -> None:
    """Take ``holder``'s publication off the person's list; changes and flushes."""
    policy.authorize("publication.remove", actor)
    publication = holder.publication
    audit.record(
        "publications.remove",
        holder,
        actor=actor,
        before={
            "email": holder.email,
            "title": publication.title[:200],
            "year": publication.year,
            "doi": publication.doi,
            "file": holder.source,
        },
    )
    db.session.delete(holder)
    db.session.flush()
    others = db.session.execute(
        db.select(func.count())
        .select_from(PublicationHolder)
        .where(PublicationHolder.publication_id == publication.id)
    ).scalar_one()
    if not others:
        db.session.delete(publication)
        db.session.flush()
