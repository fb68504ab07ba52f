"""Supporting documents: PDF by content, size limits, safe storage, replacing and removing,
and downloads only as attachments. A refused file never costs the rest of the form."""

import hashlib
from io import BytesIO
from pathlib import Path

import pytest

from nominations.models import Attachment, AuditEvent, Nomination, NominationStatus, db
from nominations.workflow.nominations.commands import save_draft
from nominations.workflow.nominations.details import NominationData
from nominations.workflow.nominations.documents import DocumentChanges, Upload
from tests import factories
from tests.documents import BOTH, stored_bytes, stored_names
from tests.nominating import PDF, PNG, errors, field_errors, fields, only_nomination, pdf, text

pytestmark = pytest.mark.parametrize("document_storage", BOTH)

SAVE = {"save_draft": "Save draft"}
SUBMIT = {"submit_nomination": "Submit nomination"}
CHANGE = {"save_changes": "Save changes"}
FILE_LIMIT = 2048
TOTAL_LIMIT = 5000


@pytest.fixture
def app_overrides():
    return {"MAX_FILE_BYTES": FILE_LIMIT, "MAX_TOTAL_BYTES": TOTAL_LIMIT}


@pytest.fixture
def dept(app):
    return factories.department()


@pytest.fixture
def category(app):
    award_round = factories.award_round()
    return factories.category(award_round, "Researcher of the Year", 100_000, max_support_letters=2)


@pytest.fixture
def nominator(make_client, staff):
    return make_client("staff@example.org")


def sized_pdf(size: int) -> bytes:
    return PDF + b"%" * (size - len(PDF))


def new_url(category) -> str:
    return f"/calls/{category.id}/nominate"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("cv.docx", b"PK\x03\x04 word document", "application/msword"), "is not a PDF"),
        (("photo.pdf", PNG, "application/pdf"), "is not a PDF"),  # mislabelled
        (("cv.pdf", b"", "application/pdf"), "is empty"),
        (("big.pdf", sized_pdf(FILE_LIMIT + 1), "application/pdf"), "is larger than 2 KB"),
    ],
    ids=["not-pdf", "png-named-pdf", "empty", "oversized"],
)
def test_refused_file_keeps_the_form_and_saves_the_text(nominator, category, dept, upload, message):
    upload = pdf(*upload)  # a new stream for each back-end
    response = nominator.submit(
        new_url(category), {**fields(dept, nominee_name="Kept Name"), "cv": upload, **SUBMIT}
    )
    assert response.status_code == 200
    [shown] = field_errors(response, "cv")
    assert message in shown and upload[1] in shown
    page = text(response)
    assert 'value="Kept Name"' in page and "Nora built the single-cell platform" in page
    assert "Your draft is saved, but the documents marked below were not accepted" in page
    nomination = only_nomination()
    assert nomination.status == NominationStatus.DRAFT  # saved, not submitted
    assert nomination.nominee_name == "Kept Name"
    assert nomination.attachments == []
    assert stored_names() == []  # nothing of the refused file is left stored


def test_pdf_is_recognised_by_content_and_stored_safely(
    nominator, category, dept, admin, document_storage
):
    # A real PDF with a misleading name and type is accepted; the name cannot escape.
    response = nominator.submit(
        new_url(category),
        {**fields(dept), "cv": pdf("../../etc/cv.txt", PDF, "text/plain"), **SUBMIT},
    )
    assert response.status_code == 302, errors(response)
    [attachment] = only_nomination().attachments
    assert attachment.original_name == "cv.txt"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.size_bytes == len(PDF)
    assert stored_names() == [attachment.stored_name]
    assert "cv" not in attachment.stored_name and attachment.stored_name.endswith(".pdf")
    assert stored_bytes(attachment.stored_name) == PDF
    if document_storage == "local":
        static = Path(nominator.application.static_folder).resolve()
        uploads = Path(nominator.application.config["UPLOAD_FOLDER"])
        assert static not in (uploads / attachment.stored_name).resolve().parents

    url = f"/nominations/{attachment.nomination_id}/attachments/{attachment.id}"
    for client in (nominator, nominator.application.test_client()):
        if client is not nominator:
            client.login(admin.email)
        response = client.get(url)
        assert response.status_code == 200
        assert response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "cv.txt.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    # A name with letters beyond ASCII and quotes survives, safely encoded.
    attachment.original_name = 'Åse "CV"'
    db.session.commit()
    disposition = nominator.get(url).headers["Content-Disposition"]
    assert "filename*=UTF-8''%C3%85se%20%22CV%22.pdf" in disposition
    assert "\n" not in disposition
    # The wrong nomination id in the URL finds nothing.
    other = f"/nominations/{attachment.nomination_id + 1}/attachments/{attachment.id}"
    assert nominator.get(other).status_code == 404


def test_refused_file_on_a_submitted_nomination_changes_nothing(nominator, category, dept):
    nominator.submit(new_url(category), {**fields(dept), "cv": pdf(), **SUBMIT})
    nomination = only_nomination()
    before = stored_names()
    response = nominator.submit(
        f"/nominations/{nomination.id}",
        {
            **fields(dept, nominee_position="Group leader"),
            "cv": pdf("new-cv.pdf", PNG),
            **CHANGE,
        },
    )
    assert "is not a PDF" in " ".join(field_errors(response, "cv"))
    assert 'value="Group leader"' in text(response)
    nomination = only_nomination()
    assert nomination.nominee_position == "Postdoctoral fellow"
    assert [a.original_name for a in nomination.attachments] == ["cv.pdf"]
    assert stored_names() == before


def test_replace_and_remove_documents(nominator, category, dept):
    nominator.submit(
        new_url(category),
        {
            **fields(dept),
            "cv": pdf("old-cv.pdf"),
            "publications": pdf("publications.pdf"),
            **SAVE,
        },
    )
    nomination = only_nomination()
    url = f"/nominations/{nomination.id}"
    old_cv = next(a for a in nomination.attachments if a.kind == "cv")
    publications = next(a for a in nomination.attachments if a.kind == "publications")

    # A new CV replaces the old one; ticking "remove" takes the publication list out.
    response = nominator.submit(
        url,
        {
            **fields(dept),
            "cv": pdf("new-cv.pdf", PDF + b"% new\n"),
            "remove_documents": [str(publications.id)],
            **SAVE,
        },
    )
    assert response.status_code == 302, errors(response)
    nomination = only_nomination()
    [cv] = nomination.attachments
    assert (cv.kind, cv.original_name) == ("cv", "new-cv.pdf")
    assert stored_names() == [cv.stored_name]
    assert stored_bytes(old_cv.stored_name) is None
    removed = db.session.execute(
        db.select(AuditEvent.before).where(AuditEvent.action == "attachment.remove")
    ).scalars()
    assert sorted(b["original_name"] for b in removed) == ["old-cv.pdf", "publications.pdf"]
    # The removed document is gone for downloads too.
    assert nominator.get(f"{url}/attachments/{publications.id}").status_code == 404


def test_documents_follow_the_transaction_the_edge_commits_or_rolls_back(
    staff, category, dept, document_storage
):
    """save_draft only flushes: when the edge rolls back, the new row and the document just
    stored are gone, and the CV it replaced is still stored; when the edge commits, the
    replaced document goes. (Before the unit of work, save_draft committed on its own.)"""
    data = NominationData(nominee_name="Nora Nominee", nominee_department_id=dept.id)

    def cv(name: str, content: bytes) -> DocumentChanges:
        return DocumentChanges(uploads=[Upload("cv", name, BytesIO(content))])

    draft = save_draft(category, data, actor=staff, documents=cv("old.pdf", PDF)).nomination
    db.session.commit()
    [old_file] = stored_names()

    save_draft(
        category, data, actor=staff, nomination=draft, documents=cv("new.pdf", PDF + b"% 2\n")
    )
    [new_file] = [a.stored_name for a in draft.attachments if a.original_name == "new.pdf"]
    # Stored, not yet committed. The replaced file stays in the folder until the commit; its
    # chunks are deleted in the transaction (and come back with a rollback).
    in_transaction = {"local": sorted([old_file, new_file]), "database": [new_file]}
    assert stored_names() == in_transaction[document_storage]
    db.session.rollback()
    assert stored_names() == [old_file]
    [attachment] = only_nomination().attachments
    assert (attachment.original_name, attachment.stored_name) == ("old.pdf", old_file)

    save_draft(category, data, actor=staff, nomination=draft, documents=cv("new.pdf", PDF))
    db.session.commit()
    [attachment] = only_nomination().attachments
    assert attachment.original_name == "new.pdf"
    assert stored_names() == [attachment.stored_name]


def test_a_valid_document_in_a_refused_edit_leaves_no_file(nominator, category, dept):
    nominator.submit(new_url(category), {**fields(dept), "cv": pdf(), **SUBMIT})
    before = stored_names()
    response = nominator.submit(
        f"/nominations/{only_nomination().id}",
        {**fields(dept, nominee_name=""), "publications": pdf("publications.pdf"), **CHANGE},
    )
    assert "Enter the nominee's name." in errors(response)
    assert [a.kind for a in only_nomination().attachments] == ["cv"]
    assert stored_names() == before


def test_support_letters_up_to_the_category_limit(nominator, category, dept):
    response = nominator.submit(
        new_url(category),
        {
            **fields(dept),
            "cv": pdf(),
            "support_letters": [pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")],
            **SUBMIT,
        },
    )
    assert response.status_code == 200
    [shown] = field_errors(response, "support_letters")
    assert "at most 2 support letters" in shown and "c.pdf" in shown
    nomination = only_nomination()
    assert sorted(a.original_name for a in nomination.attachments) == ["a.pdf", "b.pdf", "cv.pdf"]
    assert nomination.status == NominationStatus.DRAFT
    # Submitting again now works: the two letters and the CV are there.
    response = nominator.submit(f"/nominations/{nomination.id}", {**fields(dept), **SUBMIT})
    assert response.status_code == 302, errors(response)


def test_total_size_limit(nominator, category, dept):
    response = nominator.submit(
        new_url(category),
        {
            **fields(dept),
            "cv": pdf("cv.pdf", sized_pdf(2000)),
            "publications": pdf("pubs.pdf", sized_pdf(2000)),
            "support_letters": [pdf("letter.pdf", sized_pdf(2000))],
            **SAVE,
        },
    )
    [shown] = field_errors(response, "support_letters")
    assert "letter.pdf" in shown and "together" in shown and "at most 5 KB" in shown
    nomination = only_nomination()
    assert sorted(a.original_name for a in nomination.attachments) == ["cv.pdf", "pubs.pdf"]
    assert len(stored_names()) == 2
    assert db.session.execute(db.select(db.func.sum(Attachment.size_bytes))).scalar() == 4000


def test_required_documents_are_checked_on_submit_not_on_draft(nominator, dept):
    award_round = factories.award_round()
    category = factories.category(
        award_round, "Excellent Researcher Award", 400_000, requires_publications=True
    )
    response = nominator.submit(new_url(category), {**fields(dept), **SAVE})
    assert response.status_code == 302
    nomination = only_nomination()
    response = nominator.submit(f"/nominations/{nomination.id}", {**fields(dept), **SUBMIT})
    shown = errors(response)
    assert "Upload the nominee's CV (PDF)." in shown
    assert "Upload the nominee's publication list (PDF)." in shown
    response = nominator.submit(
        f"/nominations/{nomination.id}",
        {**fields(dept), "cv": pdf(), "publications": pdf("pubs.pdf"), **SUBMIT},
    )
    assert response.status_code == 302, errors(response)
    assert db.session.get(Nomination, nomination.id).status == NominationStatus.SUBMITTED
