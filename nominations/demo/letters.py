"""The demo's referee letters: two referees of a nomination in review, one letter received (a
small PDF made here), one still pending."""

from __future__ import annotations

from io import BytesIO

from nominations.models import Nomination, User
from nominations.workflow.referees import RefereeData, name_referee, upload_letter


def referee_letters(nomination: Nomination, nominator: User) -> None:
    """Two referees of a nomination in review: one letter received, one still pending."""
    received = name_referee(
        nomination,
        RefereeData("Kari Nordmann", "kari.nordmann@example.org", "Former supervisor"),
        actor=nominator,
    )
    name_referee(
        nomination,
        RefereeData("Ola Hansen", "ola.hansen@example.org", "Industry collaborator"),
        actor=nominator,
    )
    letter = text_pdf(
        "Letter of reference for Ingrid Haugen",
        "Ingrid built the tumour organoid platform that three groups rely on.",
        "Kari Nordmann, former supervisor",
    )
    upload_letter(received, BytesIO(letter), "reference-haugen.pdf")


def text_pdf(*lines: str) -> bytes:
    """A small valid one-page PDF with ``lines`` of text, one under the other (Helvetica, a
    correct cross-reference table): the demo's letter, and what the browser tests upload."""

    def escaped(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = " ".join(f"({escaped(line)}) Tj 0 -18 Td" for line in lines)
    content = f"BT /F1 12 Tf 72 770 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(body)
