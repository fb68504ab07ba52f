"""One realistic world for the route x role access test (tests/test_route_access.py).

- A round whose call closed an hour ago (status closed, review deadline in two weeks), its
  category (two prizes, the default rubric) and a panel covering it: a chair and two members.
  The round has a second category with a panel of its own (another chair, and the reviewer
  who is not on the first panel) and a nomination of its own.
- The nominator's nominations: ``target`` (submitted, with a CV on disk, a submitted review by
  the reviewer, a declared conflict of the conflicted reviewer, and a winner's decision by the
  chair), ``other`` (submitted, reviewed by the conflicted reviewer) and ``draft`` (a draft
  with a CV of its own).
- Last year's round, published, with one winner (the public results page).

Every person is staff (everyone at the institute may nominate); the reviewers also have the
reviewer role, the admin the admin role. Users get a cheap password hash so that signing in
eight browsers stays fast.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app

from nominations.models import (
    ConflictKind,
    ConflictOfInterest,
    Department,
    NominationStatus,
    OutboxMessage,
    OutboxStatus,
    PanelMember,
    Publication,
    PublicationHolder,
    QuestionAnswer,
    Referee,
    ReminderRule,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow.decisions import award_prize
from nominations.workflow.disagreement import save_note
from nominations.workflow.panels import add_member, create_panel
from nominations.workflow.questions.definitions import QuestionData, add_question
from nominations.workflow.rubric import category_criteria
from tests import documents, factories, results_helpers
from tests.review_setup import review, user

# The roles of the access table, in the order of its columns.
ROLES = (
    "anonymous",  # not signed in
    "nominator",  # staff who owns the nominations
    "staff",  # another staff member
    "reviewer",  # on the panel
    "outsider",  # a reviewer who is not on the panel (but on another category's panel)
    "conflicted",  # on the panel, with a declared conflict with the target nomination
    "chair",  # chairs the panel
    "other_chair",  # chairs another category's panel in the same round
    "admin",
)

PEOPLE = {
    "nominator": ("nominator@example.org", "Nils Nominator", ("staff",)),
    "staff": ("staff@example.org", "Sam Staff", ("staff",)),
    "reviewer": ("reviewer@example.org", "Rita Reviewer", ("staff", "reviewer")),
    "outsider": ("outsider@example.org", "Otto Outsider", ("staff", "reviewer")),
    "conflicted": ("conflicted@example.org", "Conny Conflicted", ("staff", "reviewer")),
    "chair": ("chair@example.org", "Chris Chair", ("staff", "reviewer")),
    "other_chair": ("otherchair@example.org", "Oda Otherchair", ("staff", "reviewer")),
    "admin": ("admin@example.org", "Ada Admin", ("staff", "admin")),
}

# Words planted in the world, and the roles that may ever read them (on any page, in any
# export or download); no other role's answer may contain them.
SECRETS: dict[str, set[str]] = {
    # The target's statement, nominee and document: its nominator, the panel but the
    # conflicted reviewer, admins (the round is not published: no public name yet).
    "TARGET-STATEMENT": {"nominator", "reviewer", "chair", "admin"},
    "Tora Target": {"nominator", "reviewer", "chair", "admin"},
    "cv-tora.pdf": {"nominator", "reviewer", "chair", "admin"},
    # A draft: its nominator and admins.
    "DRAFT-STATEMENT": {"nominator", "admin"},
    "cv-dora.pdf": {"nominator", "admin"},
    # Reviews: their author, the chair and admins (blind until one's own review is in).
    "REVIEWER-COMMENT": {"reviewer", "chair", "admin"},
    "CONFLICTED-COMMENT": {"conflicted", "chair", "admin"},
    # A declared conflict's reason: the chair and admins (and its author).
    "CONFLICT-REASON": {"conflicted", "chair", "admin"},
    # The citation of a winner not published yet: who decides.
    "TARGET-CITATION": {"chair", "admin"},
    # The chair's note on the panel's discussion of the target: the panel but the conflicted
    # reviewer, admins; never its nominator.
    "DISCUSSION-NOTE": {"reviewer", "chair", "admin"},
    # The second category's nominee: its nominator, that category's panel, admins.
    "Bea Early": {"nominator", "outsider", "other_chair", "admin"},
}

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class AccessWorld:
    users: dict[str, User]
    criteria: list[int]
    # Object ids by name: what URL parameters are filled from (see access_table.PARAMS).
    ids: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Kept as numbers: the User objects expire when the world is rebuilt.
        self.user_ids = {role: person.id for role, person in self.users.items()}


def _attach(nomination, name: str, content: bytes):
    """A document stored the way nominations.storage names files (<32 hex digits>.pdf)."""
    stored = hashlib.sha256(content).hexdigest()[:32] + ".pdf"
    return results_helpers.attach(nomination, name, content, stored_name=stored)


def _referee(nomination, name: str, email: str, letter: bytes | None) -> Referee:
    """A referee of ``nomination``, with his letter stored when ``letter`` is given."""
    referee = Referee(nomination_id=nomination.id, name=name, email=email, relation="Mentor")
    if letter is not None:
        referee.stored_name = hashlib.sha256(letter).hexdigest()[:32] + ".pdf"
        documents.put(referee.stored_name, letter)
        referee.original_name = "LETTER-FILE-NAME.pdf"
        referee.sha256 = hashlib.sha256(letter).hexdigest()
        referee.size_bytes = len(letter)
        referee.uploaded_at = now()
    db.session.add(referee)
    db.session.commit()
    return referee


def build_world() -> AccessWorld:
    dept = Department(name="Department of Tumor Biology")
    db.session.add(dept)
    db.session.commit()
    users = {
        role: user(email, name, roles=roles, dept=dept)
        for role, (email, name, roles) in PEOPLE.items()
    }
    admin, nominator, chair = users["admin"], users["nominator"], users["chair"]

    current = now()
    award_round = factories.award_round(
        "ICR Prizes",
        opens_at=current - timedelta(days=30),
        closes_at=current - timedelta(hours=1),
        review_deadline=current + timedelta(days=14),
    )
    award_round.status = RoundStatus.CLOSED
    db.session.commit()
    category = factories.category(award_round, "Researcher of the Year", prize_count=2)
    panel = create_panel(
        award_round, name="Leadership group", category=category, chair=chair, actor=admin
    )
    add_member(panel, users["reviewer"], actor=admin)
    add_member(panel, users["conflicted"], actor=admin)
    second = factories.category(award_round, "Early Career Award")
    second_panel = create_panel(
        award_round,
        name="Early career panel",
        category=second,
        chair=users["other_chair"],
        actor=admin,
    )
    add_member(second_panel, users["outsider"], actor=admin)

    target = factories.nomination(
        category,
        nominator,
        "Tora Target",
        "tora@example.org",
        department=dept,
        statement="Tora built the platform three groups rely on (TARGET-STATEMENT).",
    )
    other = factories.nomination(
        category, nominator, "Olga Other", "olga@example.org", department=dept
    )
    draft = factories.nomination(
        category,
        nominator,
        "Dora Draft",
        "dora@example.org",
        status=NominationStatus.DRAFT,
        statement="Half a statement (DRAFT-STATEMENT).",
    )
    early = factories.nomination(second, nominator, "Bea Early", "bea@example.org")
    target_cv = _attach(target, "cv-tora.pdf", PDF + b"% target\n")
    # A question of the category, answered by the submitted target (so it cannot be removed).
    question = add_question(
        category, QuestionData(kind="long_text", label="Research plan"), actor=admin
    )
    db.session.add(
        QuestionAnswer(
            nomination_id=target.id, question_id=question.id, text_value="Grow (TARGET-ANSWER)."
        )
    )
    draft_cv = _attach(draft, "cv-dora.pdf", PDF + b"% draft\n")
    target_referee = _referee(target, "Rita Referee", "rita@example.org", PDF + b"% letter\n")
    _referee(target, "Paul Pending", "paul@example.org", None)

    conflict = ConflictOfInterest(
        nomination_id=target.id,
        reviewer_id=users["conflicted"].id,
        kind=ConflictKind.COLLABORATOR,
        automatic=False,
        reason="We share a grant (CONFLICT-REASON).",
    )
    db.session.add(conflict)
    db.session.commit()
    review(target, users["reviewer"], 5, comment="Strong case (REVIEWER-COMMENT).")
    review(other, users["conflicted"], 4, comment="Solid (CONFLICTED-COMMENT).")
    review(early, users["outsider"], 6, comment="Promising.")
    decision = award_prize(target, "For the platform (TARGET-CITATION).", actor=chair)
    save_note(target, "Resolved at the meeting (DISCUSSION-NOTE).", actor=chair)

    last_year = results_helpers.closed_round("OUH Research Awards", year=current.year - 1)
    last_category = factories.category(last_year, "Employee of the Year")
    winner = factories.nomination(last_category, nominator, "Wenche Winner")
    results_helpers.decide(winner, "For keeping the lab running.", decided_by=chair)
    # Tora's history as nominee: last year's nomination, not awarded (workflow/history.py).
    factories.nomination(
        last_category,
        nominator,
        "Tora Target",
        "tora@example.org",
        status=NominationStatus.NOT_AWARDED,
    )
    last_year.status = RoundStatus.PUBLISHED
    last_year.published_at = current - timedelta(days=200)
    db.session.commit()

    # A paper the reviewer and Olga wrote together: a co-authorship proposal for the chair.
    paper = Publication(
        match_key="doi:10.1000/access-world",
        doi="10.1000/access-world",
        title="A paper written together",
        title_key="a paper written together",
        year=current.year - 1,
    )
    db.session.add(paper)
    db.session.flush()
    holders = [
        PublicationHolder(publication_id=paper.id, email=email)
        for email in (users["reviewer"].email, "olga@example.org")
    ]
    db.session.add_all(holders)
    db.session.commit()

    reviewer_member = db.session.execute(
        db.select(PanelMember).where(
            PanelMember.panel_id == panel.id, PanelMember.user_id == users["reviewer"].id
        )
    ).scalar_one()
    reminder_rule = db.session.execute(
        db.select(ReminderRule).where(ReminderRule.round_id == award_round.id).limit(1)
    ).scalar_one()
    failed_message = OutboxMessage(
        dedupe_key="access-world:failed",
        recipient="nominator@example.org",
        subject="A message that could not be delivered",
        body_text="Hello",
        status=OutboxStatus.FAILED,
        attempts=8,
        last_error="SMTPRecipientsRefused",
    )
    db.session.add(failed_message)
    db.session.commit()
    world = AccessWorld(users, criteria=[c.id for c in category_criteria(category)])
    world.ids = {
        "round": award_round.id,
        "category": category.id,
        "second_category": second.id,
        "early": early.id,
        "panel": panel.id,
        "member": reviewer_member.id,
        "criterion": category_criteria(category)[0].id,
        "question": question.id,
        "target": target.id,
        "other": other.id,
        "draft": draft.id,
        "target_cv": target_cv.id,
        "draft_cv": draft_cv.id,
        "target_referee": target_referee.id,
        "publication_holder": holders[1].id,  # Olga's entry
        "conflict": conflict.id,
        "decision": decision.id,
        "staff_user": users["staff"].id,
        "reviewer": users["reviewer"].id,
        "department": dept.id,
        "published_round": last_year.id,
        "published_category": last_category.id,
        "reminder_rule": reminder_rule.id,
        "outbox_message": failed_message.id,
    }
    return world


def upload_files() -> list[str]:
    """The files under UPLOAD_FOLDER (part of what must not change)."""
    root = Path(current_app.config["UPLOAD_FOLDER"])
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# Not state but a cache key: a category's ranking stamp is new after any write to what the
# ranking reads, a restore of the same rows included (workflow/ranking_version.py).
DERIVED_COLUMNS = {("award_categories", "ranking_version")}


def _select_all(table) -> str:
    quote = db.engine.dialect.identifier_preparer.quote
    order = list(table.primary_key.columns) or list(table.columns)
    columns = ", ".join(
        quote(c.name) for c in table.columns if (table.name, c.name) not in DERIVED_COLUMNS
    )
    return (
        f"SELECT {columns} FROM {quote(table.name)} "
        f"ORDER BY {', '.join(quote(c.name) for c in order)}"
    )


def fingerprint() -> tuple:
    """Every row of every table (in primary-key order, as the driver returns them) and the
    uploaded files: compared before and after a refused request, which must change nothing.
    Plain SQL without type processing keeps it cheap enough to run after every request."""
    connection = db.session.connection()
    state = [
        (table.name, tuple(tuple(row) for row in connection.exec_driver_sql(_select_all(table))))
        for table in db.metadata.sorted_tables
    ]
    state.append(("uploads", tuple(upload_files())))
    return tuple(state)


def snapshot() -> dict[str, list[dict]]:
    """The rows of every table as the models read them, for :func:`restore`."""
    result = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(db.select(table).order_by(*order)).mappings()
        result[table.name] = [dict(row) for row in rows]
    return result


def upload_contents() -> dict[str, bytes]:
    root = Path(current_app.config["UPLOAD_FOLDER"])
    return {name: (root / name).read_bytes() for name in upload_files()}


def restore(rows: dict[str, list[dict]], files: dict[str, bytes]) -> None:
    """Put back the rows of :func:`snapshot` (same primary keys, so signed-in browsers stay
    signed in) and the uploaded files: much faster than building the world again.

    Rows are deleted, not truncated, so PostgreSQL's sequences keep their high-water mark
    and new rows never collide with restored ids."""
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    for table in db.metadata.sorted_tables:
        if rows[table.name]:
            db.session.execute(table.insert(), rows[table.name])
    db.session.commit()
    db.session.expire_all()
    root = Path(current_app.config["UPLOAD_FOLDER"])
    for name in upload_files():
        if name not in files:
            (root / name).unlink()
    for name, content in files.items():
        path = root / name
        if not path.is_file() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def difference(before: tuple, after: tuple) -> list[str]:
    """The tables (or 'uploads') whose content differs."""
    return [name for (name, old), (_, new) in zip(before, after, strict=True) if old != new]
