"""Stored documents as the tests see them, in either back-end (DOCUMENT_STORAGE), read and
written here directly (files in UPLOAD_FOLDER, rows of document_chunks), not through
nominations.storage: the tests check that package, they do not lean on it.

A test module runs on both back-ends with ``pytestmark = pytest.mark.parametrize(
"document_storage", BOTH)``: the ``document_storage`` fixture (tests/conftest.py) sets
DOCUMENT_STORAGE for the ``app`` fixture.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import text

from nominations.models import db

BOTH = ("local", "database")
CHUNK = 256 * 1024


def storage() -> str:
    return current_app.config["DOCUMENT_STORAGE"]


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def stored_names(where: str | None = None) -> list[str]:
    """The names of the documents the back-end holds (the configured one by default)."""
    if (where or storage()) == "local":
        return sorted(p.name for p in folder().iterdir()) if folder().exists() else []
    rows = db.session.execute(text("SELECT DISTINCT stored_name FROM document_chunks"))
    return sorted(rows.scalars())


def stored_bytes(name: str, where: str | None = None) -> bytes | None:
    """A document's bytes as stored; None when the back-end does not have it."""
    if (where or storage()) == "local":
        path = folder() / name
        return path.read_bytes() if path.is_file() else None
    rows = db.session.execute(
        text("SELECT data FROM document_chunks WHERE stored_name = :name ORDER BY seq"),
        {"name": name},
    ).scalars()
    chunks = [bytes(data) for data in rows]
    return b"".join(chunks) if chunks else None


def chunk_sizes(name: str) -> list[int]:
    """The length of each chunk of a document in the database, in order."""
    rows = db.session.execute(
        text("SELECT data FROM document_chunks WHERE stored_name = :name ORDER BY seq"),
        {"name": name},
    ).scalars()
    return [len(data) for data in rows]


def put(name: str, content: bytes, where: str | None = None) -> None:
    """Store ``content`` under ``name`` as the back-end would (committed)."""
    if (where or storage()) == "local":
        path = folder() / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return
    remove(name, "database")
    for seq, start in enumerate(range(0, len(content), CHUNK)):
        db.session.execute(
            text("INSERT INTO document_chunks (stored_name, seq, data) VALUES (:n, :s, :d)"),
            {"n": name, "s": seq, "d": content[start : start + CHUNK]},
        )
    db.session.commit()


def remove(name: str, where: str | None = None) -> None:
    """Lose a stored document (committed)."""
    if (where or storage()) == "local":
        (folder() / name).unlink(missing_ok=True)
        return
    db.session.execute(
        text("DELETE FROM document_chunks WHERE stored_name = :name"), {"name": name}
    )
    db.session.commit()


def corrupt(name: str, where: str | None = None) -> None:
    """Change a stored document's bytes behind the application's back (same length)."""
    content = stored_bytes(name, where)
    assert content is not None, f"{name} is not stored"
    put(name, content[:-1] + bytes([content[-1] ^ 0xFF]), where)
