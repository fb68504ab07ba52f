"""The sources of personal data (see ``person_data``): where each kind lives, how the access
export shows it and what erasing the person does to it. Add a new kind here, or in a small
``sources_*`` module imported below (before ``sources_log``): one ``@source``.

Erasure, per role (README "Export and erasure"):
- **nominee** (a nomination *about* the person): the nomination stays (counts, scores,
  ranking and decisions are unchanged) but loses the name (replaced), e-mail, position, PhD
  date, statement, ineligibility reason and documents (rows and bytes); the reviews of it keep
  their scores and lose their comments, conflicts their reasons, a decision its citation.
- **nominator**: their nominations stay as they are (they are about someone else); the link to
  the nominator is the anonymised account.
- **reviewer**: reviews keep scores and recommendation, lose the comment; declared conflicts
  keep their kind, lose the reason.
- **account**: name replaced, e-mail cleared (a unique placeholder), password unusable,
  deactivated, every session ended; panel seats, decisions and audit rows keep pointing at it.
- **recipient**: e-mails to the person are deleted; e-mails to others that name them have the
  name and e-mail replaced.
- **referee**, **answers**, **publication list**, **co-authorship decisions**, **discussion
  notes**: see ``sources_referees``, ``sources_answers`` and ``sources_publications``.
- **audit log**: rows about the erased objects, or that hold the name, e-mail or removed text,
  have those values replaced by a marker (``audit_redaction``).
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l

from nominations.exports.archives import safe_name
from nominations.models import (
    Attachment,
    ConflictOfInterest,
    Decision,
    Nomination,
    PanelMember,
    Review,
    User,
    db,
)
from nominations.privacy.person_data import (
    Erasing,
    _about,
    _of_user,
    _select,
    clearing,
    iso,
    source,
)
from nominations.storage import delete_stored


def _category(nomination: Nomination) -> dict:
    category = nomination.category
    return {"round": category.round.title, "category": category.name}


# --- the account --------------------------------------------------------------------------


def _describe_account(user: User) -> dict:
    return {
        "name": user.name,
        "email": user.email,
        "department": user.department.name if user.department else None,
        "roles": user.roles,
        "active": user.active,
        "language": user.locale,
        "signs_in_with_single_sign_on": user.oidc_subject is not None,
        "created_at": iso(user.created_at),
    }


def _erase_account(users: list[User], erasing: Erasing) -> None:
    for user in users:
        user.name = erasing.replacement
        user.email = f"erased-{user.id}@erased.invalid"
        user.password_hash = "!" + secrets.token_hex(16)  # matches no password
        user.oidc_subject = None
        user.locale = None
        user.active = False
        user.end_sessions()
        erasing.touch("User", [user.id])


source(
    "account",
    "account",
    _l("Account"),
    describe=_describe_account,
    on_erase=_l("name replaced, e-mail cleared, deactivated and signed out"),
    erase=_erase_account,
)(lambda person: _select(User, _of_user(User.id, person)))


# --- as nominee: nominations about the person ----------------------------------------------


def _describe_nomination_about(nomination: Nomination) -> dict:
    return {
        "nomination": nomination.id,
        **_category(nomination),
        "status": nomination.status,
        "name": nomination.nominee_name,
        "email": nomination.nominee_email,
        "position": nomination.nominee_position,
        "phd_date": iso(nomination.nominee_phd_date),
        "department": nomination.nominee_department.name if nomination.nominee_department else None,
        "statement": nomination.statement,
        "ineligible_reason": nomination.ineligible_reason,
        "nominated_by": nomination.nominator.name,
        "submitted_at": iso(nomination.submitted_at),
        "created_at": iso(nomination.created_at),
    }


def _erase_nominations_about(nominations: list[Nomination], erasing: Erasing) -> None:
    for nomination in nominations:
        nomination.nominee_name = erasing.replacement
        nomination.nominee_email = ""
        nomination.nominee_position = ""
        nomination.nominee_phd_date = None
        nomination.statement = ""
        nomination.ineligible_reason = ""
    erasing.touch("Nomination", [n.id for n in nominations])


source(
    "nominations_about",
    "nominee",
    _l("Nominations of the person"),
    describe=_describe_nomination_about,
    on_erase=_l("kept; name replaced, e-mail, position, PhD date and statement removed"),
    erase=_erase_nominations_about,
)(lambda person: _select(Nomination, _about(person)))


def document_path(attachment: Attachment) -> str:
    """Where the access export puts the document's bytes in its ZIP."""
    name = safe_name(f"{attachment.id}-{attachment.original_name}", f"{attachment.id}.pdf")
    return f"documents/{name}"


def _describe_document(attachment: Attachment) -> dict:
    return {
        "nomination": attachment.nomination_id,
        "kind": attachment.kind,
        "file_name": attachment.original_name,
        "size_bytes": attachment.size_bytes,
        "sha256": attachment.sha256,
        "uploaded_at": iso(attachment.uploaded_at),
        # Where the bytes are in the ZIP (privacy.export writes them there).
        "file": document_path(attachment),
    }


def _erase_documents(attachments: list[Attachment], erasing: Erasing) -> None:
    for attachment in attachments:
        delete_stored(attachment.stored_name)  # once the erasure commits
        db.session.delete(attachment)
    erasing.touch("Attachment", [a.id for a in attachments])


# The answers to a category's questions: registered before the documents, so the file
# answers' rows are deleted before their attachments (sources_answers).
from nominations.privacy import sources_answers  # noqa: E402,F401

source(
    "documents_about",
    "nominee",
    _l("Documents of nominations of the person"),
    describe=_describe_document,
    on_erase=_l("deleted"),
    erase=_erase_documents,
)(lambda person: _select(Attachment, _about(person), Attachment.nomination))


def _describe_review_about(review: Review) -> dict:
    # Opinions about the person, without naming who gave them (that is the reviewer's data).
    return {
        "nomination": review.nomination_id,
        "status": review.status,
        "recommendation": review.recommendation,
        "comment": review.comment,
        "scores": {s.criterion.name: s.score for s in review.scores},
    }


source(
    "reviews_about",
    "nominee",
    _l("Reviews of nominations of the person"),
    describe=_describe_review_about,
    on_erase=_l("scores kept, comments removed"),
    erase=clearing("comment"),
)(lambda person: _select(Review, _about(person), Review.nomination))


source(
    "conflicts_about",
    "nominee",
    _l("Conflicts of interest declared about the person"),
    describe=lambda c: {"nomination": c.nomination_id, "kind": c.kind, "reason": c.reason},
    on_erase=_l("kept, reasons removed"),
    erase=clearing("reason", "cleared_reason"),
)(lambda person: _select(ConflictOfInterest, _about(person), ConflictOfInterest.nomination))


source(
    "decisions_about",
    "nominee",
    _l("Decisions about the person"),
    describe=lambda d: {
        "nomination": d.nomination_id,
        "category": d.category.name,
        "citation": d.citation,
        "decided_at": iso(d.decided_at),
    },
    on_erase=_l("kept, citation removed"),
    erase=clearing("citation"),
)(lambda person: _select(Decision, _about(person), Decision.nomination))


# --- as nominator, reviewer, panel member -------------------------------------------------


source(
    "nominations_by",
    "nominator",
    _l("Nominations made by the person"),
    describe=lambda n: {
        "nomination": n.id,
        **_category(n),
        "status": n.status,
        "nominee": n.nominee_name,
        "statement": n.statement,
        "submitted_at": iso(n.submitted_at),
    },
    on_erase=_l("kept (about someone else); the nominator is the anonymised account"),
)(lambda person: _select(Nomination, _of_user(Nomination.nominator_id, person)))


source(
    "documents_uploaded",
    "nominator",
    _l("Documents uploaded by the person"),
    describe=lambda a: {
        "nomination": a.nomination_id,
        "kind": a.kind,
        "file_name": a.original_name,
        "uploaded_at": iso(a.uploaded_at),
    },
    on_erase=_l("kept (about someone else), unless about the person"),
)(lambda person: _select(Attachment, _of_user(Attachment.uploaded_by_id, person)))


source(
    "reviews_by",
    "reviewer",
    _l("Reviews written by the person"),
    describe=lambda r: {
        "nomination": r.nomination_id,
        **_category(r.nomination),
        "status": r.status,
        "recommendation": r.recommendation,
        "comment": r.comment,
        "scores": {s.criterion.name: s.score for s in r.scores},
        "submitted_at": iso(r.submitted_at),
    },
    on_erase=_l("scores kept, comments removed"),
    erase=clearing("comment"),
)(lambda person: _select(Review, _of_user(Review.reviewer_id, person)))


source(
    "conflicts_declared",
    "reviewer",
    _l("Conflicts of interest declared by the person"),
    describe=lambda c: {
        "nomination": c.nomination_id,
        "kind": c.kind,
        "automatic": c.automatic,
        "reason": c.reason,
        "declared_at": iso(c.declared_at),
        "cleared_at": iso(c.cleared_at),
    },
    on_erase=_l("kept, reasons removed"),
    erase=clearing("reason", "cleared_reason"),
)(lambda person: _select(ConflictOfInterest, _of_user(ConflictOfInterest.reviewer_id, person)))


source(
    "panel_seats",
    "panel",
    _l("Panel seats"),
    describe=lambda m: {"panel": m.panel.name, "round": m.panel.round.title, "role": m.role},
    on_erase=_l("kept; the member is the anonymised account"),
)(lambda person: _select(PanelMember, _of_user(PanelMember.user_id, person)))


source(
    "decisions_recorded",
    "panel",
    _l("Decisions recorded by the person"),
    describe=lambda d: {
        "nomination": d.nomination_id,
        "category": d.category.name,
        "decided_at": iso(d.decided_at),
    },
    on_erase=_l("kept; recorded by the anonymised account"),
)(lambda person: _select(Decision, _of_user(Decision.decided_by_id, person)))


# Referees and their letters, publication lists, co-authorship decisions, discussion notes.
from nominations.privacy import sources_publications, sources_referees  # noqa: E402,F401

# isort: split
# Texts in others' records that name the person: after the sources about them.
from nominations.privacy import sources_mentions  # noqa: E402,F401

# isort: split
# The audit log and the outbox: registered after the others, so they are erased last.
from nominations.privacy import sources_log  # noqa: E402,F401
