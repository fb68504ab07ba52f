"""The bytes of supporting documents when they are kept in the database (DOCUMENT_STORAGE
"database"): each document as numbered chunks, so that no request holds a whole file."""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from nominations.models.base import db


class DocumentChunk(db.Model):
    """One piece of a stored document; ``seq`` counts from 0. No foreign key to attachments:
    the chunks are written while the upload streams in, before the attachment row exists
    (both are committed together; see nominations.storage.database)."""

    __tablename__ = "document_chunks"

    stored_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
