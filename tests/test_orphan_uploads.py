"""No orphans (issue 12, point 5): a process killed while it writes an upload leaves a file no
row names; the scheduled sweep deletes it once it is an hour old, and never a file a document
names or an upload that may still be in flight. In the database (issue 20) a killed upload
leaves nothing at all, and the sweep clears both back-ends."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from nominations.models import Attachment, JobRun, Nomination, db
from nominations.scheduling.jobs import run_job
from nominations.timeutil import now
from tests import documents, factories
from tests import results_helpers as h
from tests.documents import chunk_sizes, stored_names
from tests.multiprocess_support import free_ports
from tests.nominating import PDF, fields, pdf

HOUR = timedelta(hours=1)

# The app in a process of its own, whose disk is slow: each chunk of an upload takes 50 ms to
# read, so the test can kill the process while a document is half stored. It says how many
# chunks its own transaction holds after each read (none are visible to anyone else).
SERVER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sqlalchemy import text
    from werkzeug.serving import make_server
    from tests.conftest import make_test_app
    from nominations.models import db
    from nominations.workflow.nominations import documents

    database_url, uploads, port, storage = sys.argv[1], Path(sys.argv[2]), *sys.argv[3:]
    port = int(port)
    app = make_test_app(database_url, uploads, DOCUMENT_STORAGE=storage)
    real_store = documents.store_pdf

    class SlowDisk:
        def __init__(self, stream):
            self.stream = stream

        def read(self, size=-1):
            if storage == "database":
                held = db.session.execute(text("SELECT count(*) FROM document_chunks")).scalar()
                print(f"chunks {held}", flush=True)
            time.sleep(0.05)
            return self.stream.read(size)

    def store_slowly(stream, *args, **kwargs):
        return real_store(SlowDisk(stream), *args, **kwargs)

    documents.store_pdf = store_slowly
    print("serving", flush=True)
    make_server("127.0.0.1", port, app, threaded=False).serve_forever()
    """
)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def category(app):
    return factories.category(factories.award_round(), "Researcher of the Year", 100_000)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.pdf")) if folder.exists() else []


def age(folder: Path, name: str, by: timedelta) -> None:
    """Make a file look as if it had been written ``by`` ago."""
    path = folder / name
    written = path.stat().st_mtime - by.total_seconds()
    os.utime(path, (written, written))


BIG_PDF = PDF + b"%" + b"x" * (4 * 1024 * 1024) + b"\n"


def kill_mid_upload(
    database_url: str,
    tmp_path: Path,
    staff,
    category,
    dept,
    storage: str,
    half_stored: Callable[[subprocess.Popen], None],
) -> None:
    """Start the slow server on ``storage``, sign in, post a 4 MB CV, and kill the server
    (SIGKILL: no clean-up of any kind) once ``half_stored(server)`` returns."""
    port = free_ports(1)[0]
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    uploads = tmp_path / "uploads"
    server = subprocess.Popen(
        [sys.executable, str(script), database_url, str(uploads), str(port), storage],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert server.stdout.readline().strip() == b"serving"
        base = f"http://127.0.0.1:{port}"
        browser = requests.Session()
        for _ in range(100):  # the server socket opens just after "serving"
            try:
                page = browser.get(f"{base}/login", timeout=5).text
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        browser.post(
            f"{base}/login",
            data={
                "email": staff.email,
                "password": factories.PASSWORD,
                "csrf_token": CSRF.search(page).group(1),
            },
            timeout=10,
        )
        form_page = browser.get(f"{base}/calls/{category.id}/nominate", timeout=10).text
        url = f"{base}/calls/{category.id}/nominate"  # read here: the thread has no app
        typed = {
            **fields(dept, nominee_name="Cut Off"),
            "csrf_token": CSRF.search(form_page).group(1),
            "save_draft": "Save draft",
        }

        def upload() -> None:
            with suppress(requests.RequestException):  # the worker dies: no answer
                browser.post(
                    url,
                    data=typed,
                    files={"cv": ("cv.pdf", BIG_PDF, "application/pdf")},
                    timeout=30,
                )

        sender = threading.Thread(target=upload)
        sender.start()
        half_stored(server)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        sender.join(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def save_kept_document(app, staff, category, dept) -> str:
    """A document that is kept: named by a row (its stored name)."""
    kept_client = app.test_client()
    kept_client.login(staff.email)
    kept_client.submit(
        f"/calls/{category.id}/nominate",
        {**fields(dept, nominee_name="Kept Kari"), "cv": pdf(), "save_draft": "Save draft"},
    )
    return db.session.execute(db.select(Attachment.stored_name)).scalar_one()


def only_the_kept_nomination_is_left(kept: str) -> None:
    db.session.expire_all()
    assert [n.nominee_name for n in db.session.execute(db.select(Nomination)).scalars()] == [
        "Kept Kari"
    ]
    assert db.session.execute(db.select(Attachment.stored_name)).scalars().all() == [kept]


def test_a_worker_killed_mid_upload_leaves_an_orphan_the_sweep_deletes(
    app, database_url, tmp_path, staff, category
):
    uploads = Path(app.config["UPLOAD_FOLDER"])
    dept = factories.department("Department of Tumor Biology")
    kept = save_kept_document(app, staff, category, dept)
    age(uploads, kept, by=3 * HOUR)

    def half_written(server: subprocess.Popen) -> None:
        deadline = time.monotonic() + 30
        while len(files_in(uploads)) < 2:  # the new file appears while it is being written
            assert time.monotonic() < deadline, "the upload never reached the disk"
            time.sleep(0.01)

    kill_mid_upload(database_url, tmp_path, staff, category, dept, "local", half_written)

    [orphan] = [name for name in files_in(uploads) if name != kept]
    assert (uploads / orphan).stat().st_size < len(BIG_PDF)  # cut off mid-write
    only_the_kept_nomination_is_left(kept)

    # An upload younger than an hour may still be in flight elsewhere: left alone.
    assert run_job("sweep_uploads").outcome == "idle"
    assert files_in(uploads) == sorted([kept, orphan])

    # An hour later the job deletes the orphan, and only it.
    run = run_job("sweep_uploads", at=now() + HOUR + timedelta(minutes=1))
    assert (run.outcome, run.detail) == ("ok", f"deleted 1 orphan upload(s): {orphan}")
    assert files_in(uploads) == [kept]
    assert run_job("sweep_uploads", at=now() + 2 * HOUR).outcome == "idle"  # idempotent
    assert db.session.execute(db.select(JobRun.job)).scalars().all().count("sweep_uploads") == 3


@pytest.mark.parametrize("document_storage", ["database"])
def test_a_worker_killed_mid_upload_leaves_no_chunk_in_the_database(
    app, database_url, tmp_path, staff, category
):
    """The chunks are written in the request's transaction: the killed worker's transaction
    never commits, so nothing of the document is left, and there is nothing to sweep."""
    dept = factories.department("Department of Tumor Biology")
    kept = save_kept_document(app, staff, category, dept)
    assert stored_names() == [kept]
    held = []

    def half_inserted(server: subprocess.Popen) -> None:
        while not held or held[-1] < 3:  # the server's transaction holds 3 chunks (of 17)
            line = server.stdout.readline()
            assert line, "the server stopped before storing the upload"
            if line.startswith(b"chunks "):
                held.append(int(line.split()[1]) - 1)  # less the kept document's chunk

    kill_mid_upload(database_url, tmp_path, staff, category, dept, "database", half_inserted)

    assert held[-1] == 3
    only_the_kept_nomination_is_left(kept)
    assert stored_names() == [kept]
    assert chunk_sizes(kept) == [len(PDF)]
    run = run_job("sweep_uploads", at=now() + 2 * HOUR)
    assert (run.outcome, run.detail) == ("idle", "no orphan files")
    assert stored_names() == [kept]


@pytest.mark.parametrize("document_storage", ["database"])
def test_the_sweep_deletes_orphans_in_both_back_ends_and_nothing_named(
    app, staff, category, tmp_path
):
    """Configured for the database, while a move from the folder may be under way: named
    documents stay in either back-end; unnamed chunks go at once (no upload in flight can
    show them), unnamed files once they are an hour old (one may be an upload in flight)."""
    dept = factories.department("Department of Tumor Biology")
    kept_in_database = save_kept_document(app, staff, category, dept)
    nomination = db.session.execute(db.select(Nomination)).scalar_one()
    not_yet_moved = h.attach(nomination, "letter.pdf", PDF + b"% letter\n", kind="support_letter")
    documents.remove(not_yet_moved.stored_name, "database")
    documents.put(not_yet_moved.stored_name, PDF + b"% letter\n", "local")
    uploads = Path(app.config["UPLOAD_FOLDER"])
    orphan_chunks, young_file, old_file = (secrets.token_hex(16) + ".pdf" for _ in range(3))
    documents.put(orphan_chunks, PDF + b"x" * 300_000, "database")  # two chunks
    documents.put(young_file, PDF, "local")
    documents.put(old_file, PDF, "local")
    age(uploads, not_yet_moved.stored_name, by=3 * HOUR)
    age(uploads, old_file, by=3 * HOUR)

    run = run_job("sweep_uploads")
    assert run.outcome == "ok"
    assert sorted(run.detail.split(": ")[1].split(", ")) == sorted([orphan_chunks, old_file])
    assert documents.stored_names("database") == [kept_in_database]
    assert files_in(uploads) == sorted([not_yet_moved.stored_name, young_file])
    assert run_job("sweep_uploads").outcome == "idle"
