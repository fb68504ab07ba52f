"""More of everything for the access world (tests/access_world.py), for the query-count test
(tests/test_query_counts.py): each call of :func:`grow` adds ``count`` of each kind of row a
page lists, so that a page read at two sizes shows whether its number of queries grows.

Per category of the world's round:
- a new member of its panel per three counted, who reviews every nomination there (so the
  world's own nominations get more reviews);
- ``count`` submitted nominations by new staff in new departments (every other one by the
  world's nominator, whose own lists grow too), each with a CV and a submitted review by
  every panel member, but every other one with an automatic conflict of the panel's last
  member instead of his review; and ``count`` drafts.

Per three counted: another category in the world's round (a panel of the world's chair and
reviewers, two nominations), one more support letter for the world's target nomination,
another round in review whose panels seat the world's reviewers and chairs (two categories;
a panel of one category and a panel of the whole round), and a round whose call is open (a
submission and a draft of the world's nominator). Per two counted: a published round of an
earlier year (a category and a winner). And ``3 * count`` audit events and outbox messages.

Rows are written with the models directly and flushed in bulk (a few hundred rows per call,
well under a second): the workflows that make them have tests of their own.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta

from nominations.models import (
    REVIEWABLE_STATUSES,
    Attachment,
    AttachmentKind,
    AuditEvent,
    AwardCategory,
    AwardRound,
    CategoryQuestion,
    ConflictKind,
    ConflictOfInterest,
    Decision,
    Department,
    Nomination,
    NominationStatus,
    OutboxMessage,
    OutboxStatus,
    Panel,
    PanelMember,
    PanelRole,
    QuestionAnswer,
    Review,
    ReviewScore,
    ReviewStatus,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow.rubric import category_criteria
from tests import documents, factories, results_helpers
from tests.access_world import PDF, AccessWorld
from tests.review_setup import FAST_HASH

_serial = itertools.count(1)
CHAIR, MEMBER = PanelRole.CHAIR, PanelRole.MEMBER


def _panel_members(category: AwardCategory) -> list[int]:
    """The users on the panels covering ``category`` (its own and the round-wide ones)."""
    covers = (Panel.category_id == category.id) | (
        Panel.category_id.is_(None) & (Panel.round_id == category.round_id)
    )
    rows = db.session.execute(
        db.select(PanelMember.user_id)
        .join(Panel, Panel.id == PanelMember.panel_id)
        .where(covers)
        .distinct()
        .order_by(PanelMember.user_id)
    )
    return list(rows.scalars())


def _attach(nomination: Nomination, label: str, kind: str = AttachmentKind.CV) -> None:
    content = PDF + f"% {label}\n".encode()
    stored = hashlib.sha256(content).hexdigest()[:32] + ".pdf"
    documents.put(stored, content)
    nomination.attachments.append(
        Attachment(
            kind=kind,
            original_name=f"{label}.pdf",
            stored_name=stored,
            sha256=hashlib.sha256(content).hexdigest(),
            size_bytes=len(content),
        )
    )


def _people(count: int) -> list[User]:
    departments = [Department(name=f"Grown department {next(_serial)}") for _ in range(count)]
    people = [
        User(
            email=f"grown{(n := next(_serial))}@example.org",
            name=f"Grown Person {n}",
            password_hash=FAST_HASH,
            department=departments[index],
            is_staff=True,
        )
        for index in range(count)
    ]
    db.session.add_all(departments + people)
    db.session.flush()
    return people


def _reviewers(category: AwardCategory, count: int) -> None:
    """``count`` new reviewers on the category's own panel, each with a submitted review of
    every nomination the panel reviews (the world's too: their pages list more reviews)."""
    panel = db.session.execute(db.select(Panel).where(Panel.category_id == category.id)).scalar()
    people = _people(count)
    nominations = db.session.execute(
        db.select(Nomination.id).where(
            Nomination.category_id == category.id,
            Nomination.status.in_(REVIEWABLE_STATUSES),
        )
    ).scalars()
    ids = list(nominations)
    for person in people:
        person.is_reviewer = True
        panel.members.append(PanelMember(user_id=person.id, role=MEMBER))
        for nomination_id in ids:
            db.session.add(_review(nomination_id, person.id, category, next(_serial)))
    db.session.flush()


def _review(nomination_id: int, reviewer_id: int, category: AwardCategory, n: int) -> Review:
    review = Review(
        nomination_id=nomination_id,
        reviewer_id=reviewer_id,
        status=ReviewStatus.SUBMITTED,
        comment=f"Grown comment {n}.",
        recommendation="support",
        submitted_at=now() - timedelta(days=1),
    )
    review.scores = [
        ReviewScore(criterion_id=c.id, score=1 + (n + k) % 7)
        for k, c in enumerate(category_criteria(category))
    ]
    return review


def _nominations(world: AccessWorld, category: AwardCategory, people: list[User], count: int):
    members = _panel_members(category)
    submitted_at = now() - timedelta(days=2)
    nominator = db.session.get(User, world.user_ids["nominator"])
    for index in range(count):
        n = next(_serial)
        by = nominator if index % 2 else people[index]
        item = Nomination(
            category_id=category.id,
            nominator_id=by.id,
            nominee_name=f"Grown Nominee {n}",
            nominee_email=f"nominee{n}@example.org",
            nominee_department_id=people[index].department_id,
            nominee_position="Researcher",
            statement=f"Grown statement {n}.",
            status=NominationStatus.SUBMITTED,
            submitted_at=submitted_at,
        )
        _attach(item, f"cv-grown-{n}")
        draft = Nomination(
            category_id=category.id,
            nominator_id=by.id,
            nominee_name=f"Grown Draft {n}",
            nominee_email=f"draft{n}@example.org",
            statement="Half a statement.",
            status=NominationStatus.DRAFT,
        )
        db.session.add_all([item, draft])
        db.session.flush()
        for position, reviewer_id in enumerate(members):
            if index % 2 and position == len(members) - 1:
                # Every other nomination: the last member has an automatic conflict instead.
                db.session.add(
                    ConflictOfInterest(
                        nomination_id=item.id,
                        reviewer_id=reviewer_id,
                        kind=ConflictKind.SAME_DEPARTMENT,
                        automatic=True,
                    )
                )
                continue
            db.session.add(_review(item.id, reviewer_id, category, n + position))


def _review_round(world: AccessWorld) -> None:
    """Another round in review (its call closed yesterday) with two categories: the first
    covered by a panel of the world's chair, reviewer and conflicted reviewer, the whole round
    by a panel of the other chair and the outsider; two nominations in each category."""
    users = world.user_ids
    n = next(_serial)
    award_round = results_helpers.closed_round(f"Grown review round {n}")
    award_round.status = RoundStatus.CLOSED
    first = factories.category(award_round, "First prize")
    second = factories.category(award_round, "Second prize")
    for name, category, members in [
        ("Own panel", first, [("chair", CHAIR), ("reviewer", MEMBER), ("conflicted", MEMBER)]),
        ("Round panel", None, [("other_chair", CHAIR), ("outsider", MEMBER)]),
    ]:
        panel = Panel(round_id=award_round.id, name=name, category_id=category and category.id)
        panel.members = [PanelMember(user_id=users[who], role=role) for who, role in members]
        db.session.add(panel)
    db.session.flush()
    for category in (first, second):
        _nominations(world, category, _people(2), 2)


def _world_category(world: AccessWorld) -> None:
    """Another category in the world's round, with a panel of the world's chair, reviewer and
    conflicted reviewer, and two nominations."""
    users = world.user_ids
    award_round = db.session.get(AwardRound, world.ids["round"])
    category = factories.category(award_round, f"Grown category {next(_serial)}")
    panel = Panel(
        round_id=award_round.id, name=f"Panel of {category.name}", category_id=category.id
    )
    panel.members = [
        PanelMember(user_id=users["chair"], role=CHAIR),
        PanelMember(user_id=users["reviewer"], role=MEMBER),
        PanelMember(user_id=users["conflicted"], role=MEMBER),
    ]
    db.session.add(panel)
    db.session.flush()
    _nominations(world, category, _people(2), 2)


def _open_round(world: AccessWorld) -> None:
    """A round whose call is open, with a category, a submission and a draft of the world's
    nominator."""
    current = now()
    award_round = factories.award_round(
        f"Grown open round {next(_serial)}",
        opens_at=current - timedelta(days=3),
        closes_at=current + timedelta(days=20),
    )
    award_round.status = RoundStatus.OPEN
    category = factories.category(award_round, "Open prize")
    nominator_id = world.user_ids["nominator"]
    for status in (NominationStatus.SUBMITTED, NominationStatus.DRAFT):
        n = next(_serial)
        db.session.add(
            Nomination(
                category_id=category.id,
                nominator_id=nominator_id,
                nominee_name=f"Grown Open Nominee {n}",
                nominee_email=f"open{n}@example.org",
                statement="Open call.",
                status=status,
                submitted_at=current if status == NominationStatus.SUBMITTED else None,
            )
        )


def _past_rounds(world: AccessWorld, count: int) -> None:
    """Published rounds of earlier years, a category and a winner each."""
    current = now()
    nominator_id = world.user_ids["nominator"]
    for _ in range(count):
        n = next(_serial)
        closes = current - timedelta(days=400 + n)
        past = AwardRound(
            name=f"Grown Prizes {n}",
            year=closes.year,
            opens_at=closes - timedelta(days=30),
            closes_at=closes,
            review_deadline=closes + timedelta(days=14),
            status=RoundStatus.PUBLISHED,
            published_at=closes + timedelta(days=30),
        )
        db.session.add(past)
        db.session.flush()
        category = AwardCategory(round_id=past.id, name=f"Grown Award {n}", prize_amount=1000)
        db.session.add(category)
        db.session.flush()
        winner = Nomination(
            category_id=category.id,
            nominator_id=nominator_id,
            nominee_name=f"Grown Winner {n}",
            nominee_email=f"winner{n}@example.org",
            statement="For everything.",
            status=NominationStatus.AWARDED,
            submitted_at=closes - timedelta(days=3),
        )
        db.session.add(winner)
        db.session.flush()
        db.session.add(
            Decision(category_id=category.id, nomination_id=winner.id, citation="For everything.")
        )


def _log(world: AccessWorld, count: int) -> None:
    admin_id = world.user_ids["admin"]
    for _ in range(count):
        n = next(_serial)
        db.session.add(
            AuditEvent(
                actor_id=admin_id,
                action="round.update",
                object_type="round",
                object_id=world.ids["round"],
                round_id=world.ids["round"],
                before={"name": f"before {n}"},
                after={"name": f"after {n}"},
            )
        )
        db.session.add(
            OutboxMessage(
                dedupe_key=f"grown:{n}",
                recipient=f"grown{n}@example.org",
                subject=f"Grown message {n}",
                body_text="Hello",
                status=OutboxStatus.FAILED if n % 2 else OutboxStatus.SENT,
                attempts=1,
            )
        )


KINDS = ("file", "short_text", "single_choice", "multiple_choice", "yes_no", "number")


def _questions(world: AccessWorld, count: int) -> None:
    """``count`` more questions in the world's category, each answered by the target and the
    draft (a file question with a document): the form, review and detail pages list more."""
    category = db.session.get(AwardCategory, world.ids["category"])
    start = 1 + max(
        db.session.execute(
            db.select(CategoryQuestion.position).where(CategoryQuestion.category_id == category.id)
        ).scalars(),
        default=0,
    )
    for index in range(count):
        n, kind = next(_serial), KINDS[index % len(KINDS)]
        question = CategoryQuestion(
            category_id=category.id,
            position=start + index,
            kind=kind,
            label=f"Grown question {n}",
            options="Grown A\nGrown B" if "choice" in kind else "",
        )
        db.session.add(question)
        db.session.flush()
        for key in ("target", "draft"):
            nomination = db.session.get(Nomination, world.ids[key])
            answer = QuestionAnswer(nomination_id=nomination.id, question_id=question.id)
            if kind == "file":
                _attach(nomination, f"grown-answer-{n}-{key}", AttachmentKind.ANSWER)
                db.session.flush()
                answer.attachment_id = nomination.attachments[-1].id
            elif kind == "multiple_choice":
                answer.choices = ["Grown A", "Grown B"]
            elif kind == "yes_no":
                answer.bool_value = True
            elif kind == "number":
                answer.number_value = n
            else:
                answer.text_value = "Grown A" if kind == "single_choice" else f"Grown answer {n}"
            db.session.add(answer)
    db.session.flush()


def grow(world: AccessWorld, count: int) -> None:
    """Add ``count`` of everything (see the module's text) and commit."""
    _questions(world, count)
    for key in ("category", "second_category"):
        category = db.session.get(AwardCategory, world.ids[key])
        _reviewers(category, max(1, count // 3))
        people = _people(count)
        _nominations(world, category, people, count)
    for _ in range(max(1, count // 3)):
        _review_round(world)
        _world_category(world)
        _open_round(world)
        target = db.session.get(Nomination, world.ids["target"])
        _attach(target, f"grown-letter-{next(_serial)}", AttachmentKind.SUPPORT_LETTER)
    _past_rounds(world, max(1, count // 2))
    _log(world, count * 3)
    db.session.commit()
