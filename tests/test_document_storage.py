"""Documents in shared storage (issue 20): a 20 MB document goes into the database and comes
out again a chunk at a time, never whole in memory; `documents move` carries every document to
the other back-end, verified by its SHA-256, reporting what it could not move; a document not
moved yet is still served. (The upload, download, export and orphan tests run on both
back-ends too: tests/documents.py.)"""

from __future__ import annotations

import hashlib
import tracemalloc

import pytest

from nominations import create_app
from nominations.models import Attachment, Nomination, db
from tests import documents, factories
from tests import results_helpers as h
from tests.documents import CHUNK, chunk_sizes, stored_bytes, stored_names
from tests.nominating import PDF, fields, only_nomination

MB = 1024 * 1024
BIG = 20 * MB + 1000  # 80 whole chunks and a short one


@pytest.fixture
def app_overrides():
    return {"MAX_FILE_BYTES": 25 * MB, "MAX_TOTAL_BYTES": 40 * MB}


@pytest.fixture
def dept(app):
    return factories.department()


@pytest.fixture
def category(app):
    return factories.category(factories.award_round(), "Researcher of the Year", 100_000)


class MadeAsRead:
    """A PDF of ``size`` bytes made as it is read, so that the test itself never holds it:
    whatever the memory shows is the application's."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.sha256 = hashlib.sha256()
        self.head = PDF  # what comes first
        self.block = bytes(range(256)) * 256  # 64 KB of filler that does not compress away

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "the whole file was asked for at once"
        size = min(size, self.left, len(self.block))
        piece = (self.head + self.block)[:size]
        self.head = self.head[len(piece) :]
        self.left -= len(piece)
        self.sha256.update(piece)
        return piece


def peak_memory(action):
    """What ``action`` returns, and the most memory Python held at once while it ran."""
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("document_storage", ["database"])
def test_a_20_mb_document_goes_into_the_database_and_out_a_chunk_at_a_time(
    app, make_client, staff, category, dept
):
    sent_responses = []

    @app.after_request
    def keep(response):
        sent_responses.append(response)
        return response

    nominator = make_client(staff.email)
    upload = MadeAsRead(BIG)
    response, peak = peak_memory(
        lambda: nominator.submit(
            f"/calls/{category.id}/nominate",
            {**fields(dept), "cv": (upload, "big.pdf", "application/pdf"), "save_draft": "Save"},
        )
    )
    assert response.status_code == 302
    assert peak < 4 * MB, f"the upload held {peak / MB:.1f} MB at once"
    [attachment] = only_nomination().attachments
    assert (attachment.size_bytes, attachment.sha256) == (BIG, upload.sha256.hexdigest())
    assert chunk_sizes(attachment.stored_name) == [CHUNK] * 80 + [1000]
    assert documents.stored_names("local") == []  # nothing on this host's disk

    url = f"/nominations/{attachment.nomination_id}/attachments/{attachment.id}"
    sent_responses.clear()
    received = hashlib.sha256()

    def download() -> int:
        response = nominator.get(url)
        assert response.headers["Content-Length"] == str(BIG)
        size = 0
        for piece in response.response:  # as the server sends it, piece by piece
            received.update(piece)
            size += len(piece)
        response.close()
        return size

    size, peak = peak_memory(download)
    assert size == BIG and received.hexdigest() == attachment.sha256
    assert peak < 4 * MB, f"the download held {peak / MB:.1f} MB at once"
    [sent] = sent_responses  # what the view answered: a stream of known length
    assert sent.is_streamed and sent.content_length == BIG


@pytest.mark.parametrize("document_storage", ["database"])
def test_a_request_that_fails_after_storing_a_document_leaves_no_chunk(
    app, make_client, staff, category, dept, monkeypatch
):
    """The chunks are part of the request's transaction: an error after they were written
    (here, in the audit record of the new attachment) rolls them back with everything else."""
    from nominations.workflow.nominations import documents as workflow_documents

    def broken(action, *args, **kwargs):
        if action == "attachment.add":
            raise RuntimeError("the audit log is broken")

    monkeypatch.setattr(workflow_documents.audit, "record", broken)
    nominator = make_client(staff.email)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500, as in production
    response = nominator.submit(
        f"/calls/{category.id}/nominate",
        {**fields(dept), "cv": (MadeAsRead(3 * CHUNK), "cv.pdf"), "save_draft": "Save"},
    )
    assert response.status_code == 500
    assert db.session.execute(db.select(Nomination)).first() is None
    assert stored_names() == []


@pytest.mark.parametrize("document_storage", ["database"])
def test_a_document_not_moved_yet_is_served_from_the_folder(app, make_client, staff, dept):
    """Switched to the database before `documents move` ran: the folder still answers."""
    category = factories.category(factories.award_round(), "Employee of the Year", 50_000)
    nomination = factories.nomination(category, staff, "Nora Nominee", department=dept)
    attachment = h.attach(nomination, "cv.pdf", PDF)
    documents.remove(attachment.stored_name, "database")
    documents.put(attachment.stored_name, PDF, "local")
    nominator = make_client(staff.email)
    response = nominator.get(f"/nominations/{nomination.id}/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF


def test_an_unknown_document_storage_is_refused(database_url, tmp_path):
    with pytest.raises(RuntimeError, match="DOCUMENT_STORAGE is 's3'; use local or database"):
        create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "DOCUMENT_STORAGE": "s3"})


# --- documents move ---------------------------------------------------------------------


def move(app, to: str, batch_size: int = 2):
    result = app.test_cli_runner().invoke(
        args=["documents", "move", "--to", to, "--batch-size", str(batch_size)]
    )
    db.session.expire_all()
    return result


def attachments_with_documents(contents: dict[str, bytes]) -> dict[str, Attachment]:
    """One nomination with a document per name, stored in the configured back-end."""
    category = factories.category(factories.award_round(), "Researcher of the Year", 100_000)
    nominator = factories.user("nora@example.org", "Nora Nominator")
    nomination = factories.nomination(category, nominator, "Åse Ødegård")
    return {
        name: h.attach(nomination, name, content, kind="support_letter")
        for name, content in contents.items()
    }


CONTENTS = {
    "a.pdf": PDF + b"% a\n",
    "b.pdf": PDF + b"% b\n" + bytes(range(256)) * 2000,  # two chunks
    "c.pdf": PDF + b"% c\n",
    "damaged.pdf": PDF + b"% damaged\n",
    "lost.pdf": PDF + b"% lost\n",
}


@pytest.mark.parametrize(
    ("document_storage", "target"), [("local", "database"), ("database", "local")]
)
def test_documents_move_verifies_each_copy_and_reports_what_it_could_not_move(
    app, make_client, document_storage, target
):
    source = document_storage
    found = attachments_with_documents(CONTENTS)
    documents.corrupt(found["damaged.pdf"].stored_name)
    documents.remove(found["lost.pdf"].stored_name)
    moving = ("a.pdf", "b.pdf", "c.pdf")

    result = move(app, target)
    assert result.exit_code == 1, result.output
    assert result.stdout == f"3 moved to {target}, 0 already there, 1 missing, 1 damaged\n"
    damaged, lost = found["damaged.pdf"], found["lost.pdf"]
    assert result.stderr == (
        f"  attachment {damaged.id} (damaged.pdf, {damaged.stored_name}): "
        f"the {source} copy does not match its SHA-256; not moved\n"
        f"  attachment {lost.id} (lost.pdf, {lost.stored_name}): "
        f"neither the {source} nor the {target} storage has it\n"
    )
    for name in moving:
        stored = found[name].stored_name
        assert stored_bytes(stored, target) == CONTENTS[name]
        assert stored_bytes(stored, source) is None  # removed after the verified copy
    # The damaged document is left where it was, as it was, and not copied.
    assert stored_bytes(damaged.stored_name, target) is None
    assert stored_bytes(damaged.stored_name, source) not in (None, CONTENTS["damaged.pdf"])
    assert sorted(stored_names(target)) == sorted(found[n].stored_name for n in moving)

    # Served from the new place once the hosts are switched over.
    app.config["DOCUMENT_STORAGE"] = target
    nominator = make_client("nora@example.org")
    for name in moving:
        attachment = found[name]
        url = f"/nominations/{attachment.nomination_id}/attachments/{attachment.id}"
        assert nominator.get(url).data == CONTENTS[name]

    # Safe to run again: nothing more to copy, the same problems reported.
    again = move(app, target, batch_size=10)
    assert again.exit_code == 1
    assert again.stdout == f"0 moved to {target}, 3 already there, 1 missing, 1 damaged\n"
    assert sorted(stored_names(target)) == sorted(found[n].stored_name for n in moving)


@pytest.mark.parametrize(
    ("document_storage", "target"), [("local", "database"), ("database", "local")]
)
def test_documents_move_finishes_an_interrupted_run(app, document_storage, target):
    """A run stopped after copying (a copy in the target, the source still there) or with a
    copy half written: the next run keeps the good copy, replaces the bad one, and removes
    the sources."""
    source = document_storage
    found = attachments_with_documents({n: CONTENTS[n] for n in ("a.pdf", "b.pdf", "c.pdf")})
    copied, half, untouched = (found[n].stored_name for n in ("a.pdf", "b.pdf", "c.pdf"))
    documents.put(copied, CONTENTS["a.pdf"], target)
    documents.put(half, CONTENTS["b.pdf"][:1000], target)

    result = move(app, target)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"2 moved to {target}, 1 already there, 0 missing, 0 damaged\n"
    for name, stored in (("a.pdf", copied), ("b.pdf", half), ("c.pdf", untouched)):
        assert stored_bytes(stored, target) == CONTENTS[name]
        assert stored_bytes(stored, source) is None
    if target == "database":
        assert chunk_sizes(half) == [CHUNK, len(CONTENTS["b.pdf"]) - CHUNK]
