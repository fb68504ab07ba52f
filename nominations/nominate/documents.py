"""The nomination's supporting documents on the nominator's side: what the form uploads or
removes (``document_changes``, for the form's views), their download (only for those who may
see the nomination, never inline), and the template filters that describe them."""

from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user, login_required

from nominations import storage
from nominations.models import AttachmentKind
from nominations.nominate import bp
from nominations.nominate.forms import NominationForm
from nominations.policy import authorize
from nominations.workflow.nominations import queries
from nominations.workflow.nominations.documents import DOCUMENT_LABELS, DocumentChanges, Upload


@bp.app_template_filter("filesize")
def filesize(value: int) -> str:
    return storage.human_size(int(value or 0))


@bp.app_template_filter("document_kind")
def document_kind(kind: str) -> str:
    label = str(DOCUMENT_LABELS.get(kind, kind))
    return label[:1].upper() + label[1:]


def document_changes(form: NominationForm) -> DocumentChanges:
    """The documents the nomination form uploads and the ones it ticks for removal."""
    uploads = []
    if form.cv.data:
        uploads.append(Upload(AttachmentKind.CV, form.cv.data.filename, form.cv.data.stream))
    if form.publications.data:
        uploads.append(
            Upload(
                AttachmentKind.PUBLICATIONS,
                form.publications.data.filename,
                form.publications.data.stream,
            )
        )
    letters = getattr(form, "support_letters", None)
    for letter in (letters.data or []) if letters is not None else []:
        uploads.append(Upload(AttachmentKind.SUPPORT_LETTER, letter.filename, letter.stream))
    return DocumentChanges(uploads=uploads, remove_ids=list(form.remove_documents.data or []))


@bp.route("/nominations/<int:nomination_id>/attachments/<int:attachment_id>")
@login_required
def attachment(nomination_id: int, attachment_id: int):
    """A supporting document, only for those who may see the nomination, never inline."""
    found = queries.attachment_of(nomination_id, attachment_id)
    if found is None:
        abort(404)
    authorize("nomination.download", current_user, found.nomination)
    response = storage.download(found)  # streamed, a chunk at a time
    if response is None:
        current_app.logger.error(
            "Attachment %s: its document %r is not stored", found.id, found.stored_name
        )
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
