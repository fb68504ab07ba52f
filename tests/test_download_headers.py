"""Uploaded documents and exports are always downloads, never shown in the browser: whatever
the names people gave them, the answer says ``attachment``, its type, and ``nosniff``.
(tests/test_route_access.py checks the same for every download of every route and role.)"""

from __future__ import annotations

import hashlib
import io
import zipfile
from email.message import Message

import pytest

from nominations.models import Attachment, Nomination, db
from tests import documents
from tests.access_world import build_world
from tests.documents import BOTH

HOSTILE_NOMINEE = 'Ola "<script>" Nordmann\r\nX-Injected: yes ../..'
HOSTILE_FILE = '<img src=x onerror=alert(1)>"; filename=evil.html\r\n.html'
# A PDF signature followed by markup: a browser that sniffed it might render HTML.
HTML_PDF = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"


def _assert_download(response, mimetype: str, suffix: str) -> str:
    """The file name a browser saves the download under (as a mail parser reads the header)."""
    assert response.status_code == 200
    assert response.mimetype == mimetype
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert "X-Injected" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    header = Message()
    header["Content-Disposition"] = disposition
    assert header.get_content_disposition() == "attachment"
    filename = header.get_filename()
    assert filename.endswith(suffix), filename
    assert "/" not in filename and "\\" not in filename
    return filename


@pytest.mark.parametrize("document_storage", BOTH)
def test_documents_and_exports_with_hostile_names_are_downloads(app, make_client):
    world = build_world()
    target = db.session.get(Nomination, world.ids["target"])
    target.nominee_name = HOSTILE_NOMINEE
    attachment = db.session.get(Attachment, world.ids["target_cv"])
    attachment.original_name = HOSTILE_FILE
    documents.put(attachment.stored_name, HTML_PDF)
    attachment.size_bytes = len(HTML_PDF)
    attachment.sha256 = hashlib.sha256(HTML_PDF).hexdigest()
    db.session.commit()

    nominator = make_client("nominator@example.org")
    response = nominator.get(f"/nominations/{target.id}/attachments/{attachment.id}")
    filename = _assert_download(response, "application/pdf", ".pdf")
    assert response.data == HTML_PDF
    assert "\r" not in filename and filename.startswith("<img")  # shown as typed, harmless

    chair = make_client("chair@example.org")
    response = chair.get(f"/exports/nominations/{target.id}/attachments.zip")
    filename = _assert_download(response, "application/zip", ".zip")
    assert filename.startswith(f"attachments-{target.id}-Ola") and '"' not in filename
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        # The CV and the world's referee letter (the chair may read it).
        names = archive.namelist()
        assert len(names) == 2 and any(n.startswith("letter of reference") for n in names)
        for name in names:
            assert "/" not in name and "\\" not in name and not name.startswith(".")
        [name] = [n for n in names if n.startswith("cv")]
        assert archive.read(name) == HTML_PDF

    response = chair.get(f"/exports/categories/{world.ids['category']}/attachments.zip")
    _assert_download(response, "application/zip", ".zip")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        for name in archive.namelist():
            assert ".." not in name.split("/") and not name.startswith("/")

    for fmt, mimetype in (
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        response = chair.get(f"/exports/rounds/{world.ids['round']}/nominations.{fmt}")
        _assert_download(response, mimetype, f".{fmt}")
