"""Importing a person's publication list: a preview that stores nothing, then the import.

The person is an e-mail address: a reviewer's account's, or a nominee's as the nominations
give it. Each entry becomes (or finds) one publication (the same DOI, else the same
normalised title and year: ``keys.py``) and is attached to the person once; entries already
attached are left as they are, so importing the same file again changes nothing (and leaves
no audit record: nothing happened). Entries with a problem are listed in the preview and not
imported; the others are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from nominations import policy
from nominations.models import Publication, PublicationHolder, User, db
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.nominations.details import normalise_nominee_email
from nominations.workflow.publications.keys import match_key, title_key
from nominations.workflow.publications.parsers import Entry


@dataclass
class ImportPlan:
    email: str
    person: User | None  # the account with that address, if there is one
    new: list[Entry] = field(default_factory=list)
    known: list[Entry] = field(default_factory=list)  # attached already (or twice in the file)


def person_email(value: str) -> str:
    """The address checked and in lower case (WorkflowError at the "email" field)."""
    try:
        email = normalise_nominee_email(value)
    except WorkflowError as error:
        raise WorkflowError(error.message, "email") from None
    if not email:
        raise WorkflowError(_("Enter the person's e-mail address."), "email")
    return email


def _find(entries: list[Entry]) -> dict[str, Publication]:
    """The stored publications the entries name, by each entry's lookup key (one query)."""
    dois = {e.doi for e in entries if e.doi}
    titles = {title_key(e.title) for e in entries}
    if not entries:
        return {}
    rows = db.session.execute(
        db.select(Publication).where(
            db.or_(Publication.doi.in_(dois), Publication.title_key.in_(titles))
        )
    ).scalars()
    found: dict[str, Publication] = {}
    for row in rows:
        if row.doi:
            found.setdefault(f"doi:{row.doi}", row)
        found.setdefault(f"title:{row.title_key}|{row.year}", row)
    return found


def _lookup(entry: Entry, found: dict[str, Publication]) -> Publication | None:
    by_doi = found.get(f"doi:{entry.doi}") if entry.doi else None
    return by_doi or found.get(f"title:{title_key(entry.title)}|{entry.year}")


def plan_import(entries: list[Entry], email: str, *, actor: User) -> ImportPlan:
    """What importing ``entries`` for ``email`` would do; reads only."""
    policy.authorize("publication.import", actor)
    email = person_email(email)
    person = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
    plan = ImportPlan(email, person)
    found = _find(entries)
    held = set(
        db.session.execute(
            db.select(PublicationHolder.publication_id).where(
                PublicationHolder.email == email,
                PublicationHolder.publication_id.in_([p.id for p in found.values()]),
            )
        ).scalars()
    )
    seen: set[str] = set()
    for entry in entries:
        key = match_key(entry.doi, entry.title, entry.year)
        stored = _lookup(entry, found)
        if key in seen or (stored is not None and stored.id in held):
            plan.known.append(entry)
        else:
            plan.new.append(entry)
        seen.add(key)
    return plan


def apply_import(entries: list[Entry], email: str, source: str, *, actor: User) -> ImportPlan:
    """Attach the new entries to ``email``; changes and flushes, the caller commits."""
    plan = plan_import(entries, email, actor=actor)
    found = _find(plan.new)
    holders = []
    for entry in plan.new:
        publication = _lookup(entry, found) or _create(entry)
        if entry.doi and not publication.doi:
            publication.doi = entry.doi  # known by its title until now: by its DOI too
        found[f"doi:{entry.doi}"] = publication
        found[f"title:{title_key(entry.title)}|{entry.year}"] = publication
        holder = PublicationHolder(
            publication_id=publication.id,
            email=plan.email,
            source=source[:255],
            added_by_id=actor.id,
        )
        db.session.add(holder)
        holders.append(holder)
    db.session.flush()
    if holders:
        audit.record(
            "publications.import",
            plan.person or holders[0],
            actor=actor,
            after={
                "email": plan.email,
                "file": source[:255],
                "added": len(plan.new),
                "already_there": len(plan.known),
                "titles": [e.title[:200] for e in plan.new[:50]],
            },
        )
    return plan


def _create(entry: Entry) -> Publication:
    key = match_key(entry.doi, entry.title, entry.year)
    publication = Publication(
        match_key=key,
        doi=entry.doi,
        title=entry.title,
        title_key=title_key(entry.title),
        year=entry.year,
    )
    try:
        with db.session.begin_nested():
            db.session.add(publication)
            db.session.flush()
    except IntegrityError:  # another import stored it a moment ago
        publication = db.session.execute(
            db.select(Publication).where(Publication.match_key == key)
        ).scalar_one()
    return publication
