"""The access export: everything held about one person, as a ZIP with ``person.json`` (every
source of ``person_data``, grouped by the person's role, ISO dates), the documents of the
nominations about them and the letters of reference they wrote (their bytes from whichever
storage back-end holds them, a chunk at a time, into a spooled temporary file). Producing it
leaves an audit record (who exported whose data, and how many rows of each kind; never the
content)."""

from __future__ import annotations

import json
import tempfile
import zipfile

from flask_babel import gettext as _

from nominations import storage
from nominations.exports.archives import SPOOL_BYTES, _add, _unique
from nominations.models import User
from nominations.policy import authorize
from nominations.privacy.person_data import SOURCES, Person, held
from nominations.privacy.sources import document_path
from nominations.privacy.sources_referees import letter_path
from nominations.timeutil import now
from nominations.workflow import audit


def export_person(person: Person, *, actor: User):
    """The ZIP (a file object at position 0) of everything held about ``person``."""
    authorize("person.export", actor)
    found = held(person)
    data: dict = {
        "person": {"email": person.email, "names": sorted(person.names)},
        "exported_at": now().isoformat(),
        "exported_by": actor.name,
    }
    for key, source in SOURCES.items():
        if source.describe is not None and found[key]:
            group = data.setdefault(source.role, {})
            group[key] = [source.describe(row) for row in found[key]]
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    missing: list[str] = []
    used: set[str] = set()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for attachment in found["documents_about"]:
            name = _unique(document_path(attachment), used)
            if storage.sha256_of(attachment.stored_name) != attachment.sha256:
                missing.append(name)
                continue
            _add(archive, name, attachment)
        for referee in found["letters_by"]:  # his letters, his data (sources_referees)
            if not referee.received:
                continue
            name = _unique(letter_path(referee), used)
            if storage.sha256_of(referee.stored_name) != referee.sha256:
                missing.append(name)
                continue
            _add(archive, name, referee)
        if missing:
            data["documents_missing"] = missing
        archive.writestr("person.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        archive.writestr(
            "README.txt",
            _(
                "Everything the award nomination system holds about %(email)s, grouped by role "
                "(person.json), the documents of the nominations about them (documents/) and the "
                "letters of reference they wrote (letters/).",
                email=person.email,
            )
            + "\n",
        )
    spool.seek(0)
    audit.record(
        "person.export",
        person,
        actor=actor,
        after={
            "email": person.email,
            "counts": {key: len(rows) for key, rows in found.items() if rows},
        },
    )
    return spool
