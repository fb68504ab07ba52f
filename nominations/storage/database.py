"""The database back-end (DOCUMENT_STORAGE "database"): each document as numbered chunks of
CHUNK_BYTES in ``document_chunks``, in the database every host already shares (PostgreSQL in
production; SQLite works too, for the tests and a single host).

Chunks are inserted in the session's transaction while the upload streams in, one at a time,
and are committed with the attachment row that names them: a worker that dies mid-upload, or a
request that rolls back, leaves no chunk, and a refused upload deletes its chunks before the
request goes on. So every chunk another transaction sees was committed with a row that named
it (or named it once): a chunk no row names is an orphan at any age.

A download reads one chunk per query, on a connection taken from the pool for that query only:
a slow client never holds a connection, and no more than a chunk of it is in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from flask import Response, current_app, send_file
from sqlalchemy import delete, exists, insert, select

from nominations.extensions import db
from nominations.models import Attachment, DocumentChunk, Referee
from nominations.storage.base import CHUNK_BYTES, checked_name

CHUNKS = DocumentChunk.__table__


def _chunk(stored_name: str, seq: int):
    return select(CHUNKS.c.data).where(CHUNKS.c.stored_name == stored_name, CHUNKS.c.seq == seq)


def _read(fetch: Callable, stored_name: str) -> Iterator[bytes]:
    """Chunk after chunk, each fetched by its own query (a single query would bring every
    chunk into memory at once: the driver reads a whole result)."""
    seq = 0
    while (data := fetch(_chunk(stored_name, seq))) is not None:
        yield data
        seq += 1
    if seq == 0:
        raise FileNotFoundError(stored_name)


def _regrouped(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The same bytes in pieces of CHUNK_BYTES (the last one shorter)."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= CHUNK_BYTES:
            yield bytes(buffer[:CHUNK_BYTES])
            del buffer[:CHUNK_BYTES]
    if buffer:
        yield bytes(buffer)


class _ChunkFile:
    """A read-only file over chunks, for send_file to stream (it reads a few KB at a time)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._view = memoryview(b"")
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            rest = bytes(self._view[self._offset :]) + b"".join(self._chunks)
            self._view, self._offset = memoryview(b""), 0
            return rest
        if self._offset >= len(self._view):
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._view, self._offset = memoryview(chunk), 0
        piece = self._view[self._offset : self._offset + size]
        self._offset += len(piece)
        return bytes(piece)

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


class DatabaseStorage:
    name = "database"

    def write(self, stored_name: str, chunks: Iterable[bytes]) -> None:
        if self.exists(stored_name):
            raise FileExistsError(stored_name)
        for seq, piece in enumerate(_regrouped(chunks)):
            db.session.execute(insert(CHUNKS).values(stored_name=stored_name, seq=seq, data=piece))

    def exists(self, stored_name: str) -> bool:
        query = select(CHUNKS.c.seq).where(
            CHUNKS.c.stored_name == checked_name(stored_name), CHUNKS.c.seq == 0
        )
        return db.session.execute(query).first() is not None

    def chunks(self, stored_name: str) -> Iterator[bytes]:
        checked_name(stored_name)
        return _read(lambda query: db.session.execute(query).scalar(), stored_name)

    def delete(self, stored_name: str) -> None:
        checked_name(stored_name)
        db.session.execute(delete(CHUNKS).where(CHUNKS.c.stored_name == stored_name))

    # In the transaction: the chunks go when it commits, and stay when it rolls back.
    discard = delete

    def unnamed_before(self, cutoff: datetime) -> list[str]:
        # No age needed (see the module's docstring): uncommitted chunks are not seen here.
        named = exists().where(Attachment.stored_name == CHUNKS.c.stored_name)
        letter = exists().where(Referee.stored_name == CHUNKS.c.stored_name)
        query = select(CHUNKS.c.stored_name).distinct().where(~named, ~letter)
        return sorted(db.session.execute(query).scalars())

    def download(self, stored_name: str, size: int, **send_file_options) -> Response:
        checked_name(stored_name)
        engine = db.engine  # the generator runs after the request's context is gone
        logger = current_app.logger

        def fetch(query):
            with engine.connect() as connection:
                return connection.execute(query).scalar()

        def streamed() -> Iterator[bytes]:
            sent = 0
            for chunk in _read(fetch, stored_name):
                sent += len(chunk)
                yield chunk
            if sent != size:  # removed (or replaced) while it was being sent
                logger.error("Document %s ended after %d of %d bytes", stored_name, sent, size)

        options = {**send_file_options, "conditional": False, "etag": False}
        response = send_file(_ChunkFile(streamed()), **options)  # type: ignore[arg-type]
        response.content_length = size
        return response
