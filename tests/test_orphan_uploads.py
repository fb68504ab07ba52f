"""No orphans (issue 12, point 5): a process killed while it writes an upload leaves a file no
row names; the scheduled sweep deletes it once it is an hour old, and never a file a document
names or an upload that may still be in flight."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from nominations.models import Attachment, JobRun, Nomination, db
from nominations.scheduling.jobs import run_job
from nominations.timeutil import now
from tests import factories
from tests.multiprocess_support import free_ports
from tests.nominating import PDF, fields, pdf

HOUR = timedelta(hours=1)

# The app in a process of its own, whose disk is slow: each chunk of an upload takes 50 ms to
# write, so the test can kill the process while a file is half written.
SERVER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from werkzeug.serving import make_server
    from tests.conftest import make_test_app
    from nominations.workflow.nominations import documents

    database_url, uploads, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    app = make_test_app(database_url, uploads)
    real_store = documents.store_pdf

    class SlowDisk:
        def __init__(self, stream):
            self.stream = stream

        def read(self, size=-1):
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


def test_a_worker_killed_mid_upload_leaves_an_orphan_the_sweep_deletes(
    app, database_url, tmp_path, staff, category
):
    uploads = Path(app.config["UPLOAD_FOLDER"])
    dept = factories.department("Department of Tumor Biology")
    # A document that is kept: named by a row, and old.
    kept_client = app.test_client()
    kept_client.login(staff.email)
    kept_client.submit(
        f"/calls/{category.id}/nominate",
        {**fields(dept, nominee_name="Kept Kari"), "cv": pdf(), "save_draft": "Save draft"},
    )
    [kept] = files_in(uploads)
    age(uploads, kept, by=3 * HOUR)

    port = free_ports(1)[0]
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    server = subprocess.Popen(
        [sys.executable, str(script), database_url, str(uploads), str(port)],
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
        big_pdf = PDF + b"%" + b"x" * (4 * 1024 * 1024) + b"\n"
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
                    files={"cv": ("cv.pdf", big_pdf, "application/pdf")},
                    timeout=30,
                )

        sender = threading.Thread(target=upload)
        sender.start()
        deadline = time.monotonic() + 30
        while len(files_in(uploads)) < 2:  # the new file appears while it is being written
            assert time.monotonic() < deadline, "the upload never reached the disk"
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        sender.join(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)

    [orphan] = [name for name in files_in(uploads) if name != kept]
    assert (uploads / orphan).stat().st_size < len(big_pdf)  # cut off mid-write
    db.session.expire_all()
    assert [n.nominee_name for n in db.session.execute(db.select(Nomination)).scalars()] == [
        "Kept Kari"
    ]
    assert db.session.execute(db.select(Attachment.stored_name)).scalars().all() == [kept]

    # An upload younger than an hour may still be in flight elsewhere: left alone.
    assert run_job("sweep_uploads").outcome == "idle"
    assert files_in(uploads) == sorted([kept, orphan])

    # An hour later the job deletes the orphan, and only it.
    run = run_job("sweep_uploads", at=now() + HOUR + timedelta(minutes=1))
    assert (run.outcome, run.detail) == ("ok", f"deleted 1 orphan upload(s): {orphan}")
    assert files_in(uploads) == [kept]
    assert run_job("sweep_uploads", at=now() + 2 * HOUR).outcome == "idle"  # idempotent
    assert db.session.execute(db.select(JobRun.job)).scalars().all().count("sweep_uploads") == 3
