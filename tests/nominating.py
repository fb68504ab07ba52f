"""Helpers for the nomination tests: documents, a filled-in form, and reading a page."""

from __future__ import annotations

import html
import re
from io import BytesIO

from nominations.models import Nomination, db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def pdf(name: str = "cv.pdf", content: bytes = PDF, content_type: str = "application/pdf"):
    """A file for the test client's multipart form: (stream, filename, content type)."""
    return (BytesIO(content), name, content_type)


def fields(department, **overrides) -> dict:
    """A complete nomination form (without documents); override or drop (None) fields."""
    data = {
        "nominee_name": "Nora Nominee",
        "nominee_email": "nora@example.org",
        "nominee_department_id": str(department.id),
        "nominee_position": "Postdoctoral fellow",
        "statement": "Nora built the single-cell platform that three groups now rely on.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def errors(response) -> list[str]:
    """Messages shown at fields, at the top of the form (the error summary's messages that
    belong to no field) and in a danger message of the page."""
    page = response.get_data(as_text=True)
    found = re.findall(r"invalid-feedback[^>]*>([^<]*)<", page)
    found += re.findall(r'<li class="form-error">([^<]*)<', page)
    found += re.findall(r'alert alert-danger"[^>]*>([^<]*)<', page)
    return [html.unescape(message).strip() for message in found]


def field_errors(response, field: str) -> list[str]:
    """The messages under the field (the element its aria-describedby names)."""
    page = response.get_data(as_text=True)
    block = re.search(rf'<div id="{field}-error">(.*?</div>)</div>', page, re.S)
    found = re.findall(r"invalid-feedback[^>]*>([^<]*)<", block.group(1)) if block else []
    return [html.unescape(m).strip() for m in found]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def only_nomination() -> Nomination:
    db.session.expire_all()
    return db.session.execute(db.select(Nomination)).scalar_one()
