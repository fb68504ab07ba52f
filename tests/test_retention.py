"""Retention: the scheduler deletes, when each round's periods end and not before, the
documents of nominations that did not win (their file answers and referees' letters
included), the review comments and the drafts never submitted (whole: referees, answers,
notes); in both storage back-ends; each once; recorded without the deleted content."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from datetime import date, time, timedelta

import pytest
import time_machine

from nominations.models import (
    Attachment,
    AttachmentKind,
    AuditEvent,
    AwardRound,
    CategoryQuestion,
    ConflictOfInterest,
    Criterion,
    Decision,
    DiscussionNote,
    JobRun,
    Nomination,
    NominationStatus,
    QuestionAnswer,
    Referee,
    Review,
    ReviewScore,
    ReviewStatus,
    RoundStatus,
    db,
)
from nominations.scheduling.jobs import run_job
from nominations.timeutil import from_local
from nominations.workflow.retention import add_months
from tests import documents, factories
from tests.results_helpers import attach, decide
from tests.scheduler_support import tick

pytestmark = pytest.mark.parametrize("document_storage", documents.BOTH)

OPENS = from_local(date(2027, 2, 1), time(9, 0))
CLOSES = from_local(date(2027, 3, 7))  # 23:59:59 CET
PUBLISHED = from_local(date(2027, 5, 10), time(12, 0))  # CEST
DRAFTS_DUE = from_local(date(2027, 4, 6), time(23, 59, 59))  # 30 days later, CEST now
COMMENTS_DUE = from_local(date(2027, 11, 10), time(12, 0))  # 6 months, CET by then
DOCUMENTS_DUE = from_local(date(2028, 5, 10), time(12, 0))  # 12 months
SECOND = timedelta(seconds=1)
SECRET_NAME = "Nora-Nominee-CV-private.pdf"
COMMENT = "Nora's results were thin in 2025; her supervisor worries about her health."


@pytest.fixture
def world(app, admin, staff):
    award_round = factories.award_round(
        "OUH Research Awards",
        2027,
        opens_at=OPENS,
        closes_at=CLOSES,
        review_deadline=from_local(date(2027, 4, 15)),
        retain_comments_months=6,
    )
    category = factories.category(award_round, "Researcher of the Year", 400_000)
    reviewer = factories.user("rita@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    criterion = (
        db.session.execute(db.select(Criterion).where(Criterion.category_id == category.id))
        .scalars()
        .first()
    )
    items = {
        "winner": factories.nomination(category, staff, "Wendy Winner", "wendy@example.org"),
        "loser": factories.nomination(category, staff, "Nora Nominee", "nora@example.org"),
        "withdrawn": factories.nomination(
            category, staff, "Walt Withdrawn", status=NominationStatus.WITHDRAWN
        ),
        "draft": factories.nomination(
            category, staff, "Dina Draft", "dina@example.org", status=NominationStatus.DRAFT
        ),
    }
    files = {
        "winner": attach(items["winner"], "wendy-cv.pdf", b"%PDF-winner" * 50),
        "loser_cv": attach(items["loser"], SECRET_NAME, b"%PDF-loser" * 100),
        "loser_letter": attach(items["loser"], "letter.pdf", b"%PDF-letter" * 20, "support_letter"),
        "withdrawn": attach(items["withdrawn"], "walt.pdf", b"%PDF-walt" * 10),
        "draft": attach(items["draft"], "dina.pdf", b"%PDF-dina" * 30),
    }
    for key in ("winner", "loser"):
        review = Review(
            nomination_id=items[key].id,
            reviewer_id=reviewer.id,
            status=ReviewStatus.SUBMITTED,
            comment=COMMENT,
            recommendation="support",
        )
        review.scores = [ReviewScore(criterion_id=criterion.id, score=6)]
        db.session.add(review)
    db.session.commit()
    decide(items["winner"], citation="For building the platform three groups rely on.")
    items["loser"].status = NominationStatus.NOT_AWARDED
    award_round.status, award_round.published_at = RoundStatus.PUBLISHED, PUBLISHED
    db.session.commit()
    return {"round": award_round, "items": items, "files": files, "reviewer": reviewer}


def _names(world) -> dict[str, str]:
    return {key: a.stored_name for key, a in world["files"].items()}


def _stored(name: str) -> bool:
    return documents.stored_bytes(name) is not None


def _events(prefix: str = "retention.") -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        ).scalars()
    )


def _comments() -> list[str]:
    db.session.expire_all()
    return list(db.session.execute(db.select(Review.comment).order_by(Review.id)).scalars())


def test_months_are_calendar_months_at_the_same_local_time(app, document_storage):
    assert add_months(PUBLISHED, 12) == DOCUMENTS_DUE
    assert add_months(PUBLISHED, 6) == COMMENTS_DUE  # summer time to winter time: still 12:00
    end_of_january = from_local(date(2027, 1, 31), time(8, 0))
    assert add_months(end_of_january, 1) == from_local(date(2027, 2, 28), time(8, 0))


def test_drafts_go_whole_when_the_call_closed_thirty_days_ago_not_before(world):
    names = _names(world)
    draft_id = world["items"]["draft"].id
    assert tick(DRAFTS_DUE - SECOND, "retention").outcome == "idle"
    assert db.session.get(Nomination, draft_id) is not None and _stored(names["draft"])

    run = tick(DRAFTS_DUE, "retention")
    assert run.outcome == "ok", run.detail
    db.session.expire_all()
    assert db.session.get(Nomination, draft_id) is None
    assert (
        db.session.execute(
            db.select(Attachment).where(Attachment.nomination_id == draft_id)
        ).first()
        is None
    )
    assert not _stored(names["draft"])  # the bytes really are gone
    # Nothing else yet: the documents and comments wait for their own dates.
    assert all(_stored(names[key]) for key in ("winner", "loser_cv", "loser_letter", "withdrawn"))
    assert _comments() == [COMMENT, COMMENT]
    [event] = _events()
    assert event.action == "retention.drafts" and event.object_id == draft_id
    assert event.actor_id is None
    assert event.after["documents"] == 1 and event.after["bytes"] == 9 * 30
    assert event.after["days"] == 30


def test_review_comments_are_cleared_after_their_months_and_the_scores_stay(world):
    tick(COMMENTS_DUE - SECOND, "retention")
    assert _comments() == [COMMENT, COMMENT]
    tick(COMMENTS_DUE, "retention")
    assert _comments() == ["", ""]
    scores = db.session.execute(db.select(ReviewScore.score)).scalars().all()
    assert scores == [6, 6]
    statuses = db.session.execute(db.select(Review.status, Review.recommendation)).all()
    assert statuses == [("submitted", "support")] * 2
    events = [e for e in _events() if e.action == "retention.comments"]
    assert sorted(e.object_id for e in events) == sorted(
        [world["items"]["winner"].id, world["items"]["loser"].id]
    )
    assert all(e.after["comments"] == 1 and e.after["months"] == 6 for e in events)
    assert "health" not in json.dumps([e.after for e in events])


def test_documents_of_those_who_did_not_win_go_after_twelve_months(world):
    names = _names(world)
    tick(DOCUMENTS_DUE - SECOND, "retention")  # drafts and comments go; documents stay
    assert _stored(names["loser_cv"]) and _stored(names["withdrawn"])

    run = tick(DOCUMENTS_DUE, "retention")
    assert "deleted 3 document(s)" in run.detail
    for key in ("loser_cv", "loser_letter", "withdrawn"):
        assert not _stored(names[key]), key
    assert _stored(names["winner"])  # the winner keeps documents, name and citation
    db.session.expire_all()
    remaining = db.session.execute(db.select(Attachment.nomination_id)).scalars().all()
    assert remaining == [world["items"]["winner"].id]
    winner = db.session.get(Nomination, world["items"]["winner"].id)
    assert winner.nominee_name == "Wendy Winner"
    assert db.session.execute(db.select(Decision.citation)).scalar().startswith("For building")
    loser = db.session.get(Nomination, world["items"]["loser"].id)
    assert loser.status == NominationStatus.NOT_AWARDED and loser.nominee_name == "Nora Nominee"

    events = {e.object_id: e for e in _events() if e.action == "retention.documents"}
    loser_event = events[world["items"]["loser"].id]
    assert loser_event.after["documents"] == 2
    assert loser_event.after["bytes"] == 10 * 100 + 11 * 20
    assert loser_event.after["months"] == 12
    assert events[world["items"]["withdrawn"].id].after["documents"] == 1
    # Without the content: no file names, no stored names, no nominee names.
    logged = json.dumps([e.after for e in _events()] + [e.before for e in _events()])
    for secret in (SECRET_NAME, "letter.pdf", names["loser_cv"], "Nora Nominee", "Dina"):
        assert secret not in logged

    assert tick(DOCUMENTS_DUE + timedelta(hours=1), "retention").outcome == "idle"


def test_two_runs_at_once_delete_and_record_each_thing_once(app, world):
    def run_elsewhere() -> None:
        with app.app_context():
            run_job("retention", holder="elsewhere")

    names = _names(world)
    with time_machine.travel(DOCUMENTS_DUE + SECOND, tick=False):
        threads = [threading.Thread(target=run_elsewhere) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    outcomes = (
        db.session.execute(db.select(JobRun.outcome).where(JobRun.holder == "elsewhere"))
        .scalars()
        .all()
    )
    assert len(outcomes) == 2
    if db.engine.dialect.name == "postgresql":  # the second waits for the first, then idles
        assert sorted(outcomes) == ["idle", "ok"]
    # On SQLite one run may find the other writing and give up a step (changing nothing:
    # production on several processes is PostgreSQL); the next run does what is left.
    tick(DOCUMENTS_DUE + 2 * SECOND, "retention")
    counts: dict[str, int] = {}
    for event in _events():
        counts[event.action] = counts.get(event.action, 0) + 1
    assert counts == {"retention.documents": 2, "retention.comments": 2, "retention.drafts": 1}
    assert not any(_stored(name) for key, name in names.items() if key != "winner")


def test_the_round_page_links_a_preview_of_what_will_be_deleted_and_when(
    world, make_client, staff, admin
):
    round_id = world["round"].id
    url = f"/admin/rounds/{round_id}/retention"
    assert make_client(staff.email).get(url).status_code == 403
    assert url in make_client(admin.email).get(f"/admin/rounds/{round_id}").get_data(as_text=True)
    with time_machine.travel(DRAFTS_DUE - timedelta(days=1), tick=False):
        page = make_client(admin.email).get(url).get_data(as_text=True)
    assert "Retention: OUH Research Awards 2027" in page
    assert "10 May 2028, 12:00 CEST" in page  # the documents' date
    assert "10 November 2027, 12:00 CET" in page  # the comments'
    assert "6 April 2027, 23:59:59 CEST" in page  # the drafts'
    assert "3 documents" in page and "2 comments" in page and "1 draft" in page
    assert "Nora Nominee" in page and "Dina Draft" in page
    assert "Wendy Winner" in page  # her review comment goes; her documents do not
    assert "due: at the next retention run" not in page

    tick(DOCUMENTS_DUE, "retention")
    with time_machine.travel(DOCUMENTS_DUE + SECOND, tick=False):
        page = make_client(admin.email).get(url).get_data(as_text=True)
    assert "0 documents" in page and "0 comments" in page and "0 drafts" in page


def test_an_unpublished_round_deletes_no_documents_and_says_when_it_will(world, make_client, admin):
    names = _names(world)
    award_round = db.session.get(AwardRound, world["round"].id)
    award_round.status, award_round.published_at = RoundStatus.DECIDED, None
    db.session.commit()
    tick(DOCUMENTS_DUE + timedelta(days=400), "retention")
    assert _stored(names["loser_cv"])
    assert _comments() == [COMMENT, COMMENT]
    assert not _stored(names["draft"])  # the call did close: drafts go
    page = make_client(admin.email).get(f"/admin/rounds/{award_round.id}/retention")
    assert "once the results are published" in page.get_data(as_text=True)
    assert "due: at the next retention run" not in page.get_data(as_text=True)


def test_administrators_run_it_from_the_command_line(app, world):
    runner = app.test_cli_runner()
    with time_machine.travel(COMMENTS_DUE + SECOND, tick=False):
        result = runner.invoke(args=["retention", "run"])
        assert result.exit_code == 0, result.output
        assert "Cleared 2 review comment(s), deleted 1 draft(s)" in result.output.replace(
            "Deleted 0 document(s) (0 bytes), c", "C"
        )
        again = runner.invoke(args=["retention", "run"])
    assert "Deleted 0 document(s) (0 bytes), cleared 0 review comment(s)" in again.output
    assert _comments() == ["", ""]


# --- referees' letters, answers to the category's questions, discussion notes ------------

REFEREE_NAME, LETTER_NAME = "Rolf Referee", "Rolf-about-Nora-confidential.pdf"


def _letter(item: Nomination, content: bytes, name: str = REFEREE_NAME) -> Referee:
    """A referee whose letter has come (stored like an attachment)."""
    stored = secrets.token_hex(16) + ".pdf"
    documents.put(stored, content)
    referee = Referee(
        nomination_id=item.id,
        name=name,
        email=f"{secrets.token_hex(4)}@example.org",
        relation="Former supervisor",
        token_hash=secrets.token_hex(32),
        stored_name=stored,
        original_name=LETTER_NAME,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        uploaded_at=from_local(date(2027, 3, 10)),
    )
    db.session.add(referee)
    db.session.commit()
    return referee


def _answers(item: Nomination, content: bytes) -> Attachment:
    """A text answer and a file answer (an attachment of kind "answer") of ``item``."""
    questions = {
        kind: db.session.execute(
            db.select(CategoryQuestion).where(
                CategoryQuestion.category_id == item.category_id, CategoryQuestion.kind == kind
            )
        ).scalar_one_or_none()
        or CategoryQuestion(category_id=item.category_id, kind=kind, label=f"Your {kind}")
        for kind in ("file", "short_text")
    }
    db.session.add_all(questions.values())
    document = attach(item, "answer-about-nora.pdf", content, AttachmentKind.ANSWER)
    db.session.flush()
    db.session.add_all(
        [
            QuestionAnswer(
                nomination_id=item.id, question_id=questions["file"].id, attachment_id=document.id
            ),
            QuestionAnswer(
                nomination_id=item.id, question_id=questions["short_text"].id, text_value="Yes"
            ),
        ]
    )
    db.session.commit()
    return document


def _rows(model, nomination_id: int) -> list:
    db.session.expire_all()
    return (
        db.session.execute(db.select(model).where(model.nomination_id == nomination_id))
        .scalars()
        .all()
    )


def test_the_letters_and_file_answers_of_those_who_did_not_win_go_with_their_documents(
    world, make_client, admin
):
    loser = world["items"]["loser"]
    letter = _letter(loser, b"%PDF-rolf" * 40)
    winners_letter = _letter(world["items"]["winner"], b"%PDF-wendy-ref" * 5, "Wilma Referee")
    answer = _answers(loser, b"%PDF-answer" * 7)
    stored = {"letter": letter.stored_name, "winner": winners_letter.stored_name}
    stored["answer"], answer_id = answer.stored_name, answer.id
    loser.category.required_letters = 1
    db.session.commit()
    url = f"/admin/rounds/{world['round'].id}/retention"
    with time_machine.travel(DOCUMENTS_DUE - SECOND, tick=False):
        preview = make_client(admin.email).get(url).get_data(as_text=True)
    assert "5 documents" in preview  # CV, support letter, file answer, referee's letter, Walt's

    run = tick(DOCUMENTS_DUE, "retention")
    assert "deleted 5 document(s)" in run.detail, run.detail
    assert not _stored(stored["letter"]) and not _stored(stored["answer"])
    assert _stored(stored["winner"])  # the winner's referee keeps his letter
    [referee] = _rows(Referee, loser.id)
    assert referee.name == REFEREE_NAME and not referee.received  # named, letter gone
    assert referee.original_name == "" and referee.sha256 is None and referee.token_hash is None
    # No answer is left pointing at a deleted document; the text answer stays.
    answers = _rows(QuestionAnswer, loser.id)
    assert [(a.attachment_id, a.text_value) for a in answers] == [(None, "Yes")]
    assert _rows(Attachment, loser.id) == []

    [event] = [
        e
        for e in _events("retention.documents")
        if e.object_id == loser.id  # Nora's: CV, support letter, answer, referee's letter
    ]
    assert event.after["documents"] == 4 and event.after["letters"] == 1
    assert event.after["bytes"] == 10 * 100 + 11 * 20 + 11 * 7 + 9 * 40
    logged = json.dumps([e.after for e in _events()])
    for secret in (REFEREE_NAME, LETTER_NAME, "answer-about-nora.pdf", stored["letter"]):
        assert secret not in logged

    # The pages name the referee, say why there is no letter, and link no download.
    download = f"/review/nominations/{loser.id}/letters/{referee.id}"
    with time_machine.travel(DOCUMENTS_DUE + SECOND, tick=False):
        browser = make_client(admin.email)
        for page_url in (f"/admin/nominations/{loser.id}", f"/review/nominations/{loser.id}"):
            response = browser.get(page_url)
            assert response.status_code == 200, page_url
            page = response.get_data(as_text=True)
            assert REFEREE_NAME in page and download not in page
            assert "letters are deleted after the retention period" in page
            assert "required letter" not in page  # deleted is not missing
            assert f"/attachments/{answer_id}" not in page
        assert browser.get(download).status_code == 404
        after = make_client(admin.email).get(url).get_data(as_text=True)
    assert "0 documents" in after


def test_a_draft_goes_with_its_referees_answers_and_notes_and_nothing_points_at_it(world, staff):
    draft = world["items"]["draft"]
    letter = _letter(draft, b"%PDF-draft-ref" * 3)
    answer = _answers(draft, b"%PDF-draft-answer" * 2)
    db.session.add(DiscussionNote(nomination_id=draft.id, note="Dina came up twice."))
    again = factories.nomination(
        draft.category, staff, "Dina Draft", status=NominationStatus.SUBMITTED
    )
    again.renominated_from_id = draft.id
    db.session.commit()
    stored = [letter.stored_name, answer.stored_name, world["files"]["draft"].stored_name]

    run = tick(DRAFTS_DUE, "retention")
    assert run.outcome == "ok", run.detail
    assert not any(_stored(name) for name in stored)
    for model in (
        Referee,
        QuestionAnswer,
        Attachment,
        DiscussionNote,
        ConflictOfInterest,
        Decision,
        Review,
    ):
        assert _rows(model, draft.id) == [], model.__name__
    assert db.session.get(Nomination, draft.id) is None
    assert db.session.get(Nomination, again.id).renominated_from_id is None
    [event] = _events("retention.drafts")
    assert event.after["documents"] == 3  # CV, file answer, referee's letter
    assert event.after["bytes"] == 9 * 30 + 17 * 2 + 14 * 3
    assert "Dina" not in json.dumps(event.after)


def test_the_audit_log_forgets_what_retention_deleted(world, staff):
    """The log of what people did holds what they typed and uploaded: once retention has
    deleted it, those values are "[erased]" there too; what is kept stays readable."""
    from nominations.workflow import audit
    from nominations.workflow.nominations.documents import ATTACHMENT_FIELDS

    items, files = world["items"], world["files"]
    round_id = world["round"].id
    for key in ("winner", "loser_cv", "draft"):
        attachment = files[key]
        audit.record(
            "attachment.add",
            attachment,
            actor=staff,
            after={
                "nomination_id": attachment.nomination_id,
                **audit.snapshot(attachment, ATTACHMENT_FIELDS),
            },
            round_id=round_id,
        )
    for review in db.session.execute(db.select(Review)).scalars():
        audit.record(
            "review.submit", review, actor=world["reviewer"], after={"comment": review.comment}
        )
    draft = items["draft"]
    audit.record(
        "nomination.create",
        draft,
        actor=staff,
        after={"nominee_name": draft.nominee_name, "statement": "Dina ran the biobank."},
        round_id=round_id,
    )
    db.session.commit()

    for due in (DRAFTS_DUE, COMMENTS_DUE, DOCUMENTS_DUE):
        assert tick(due, "retention").outcome == "ok"
    logged = json.dumps([[e.before, e.after] for e in _events("")])
    for gone in (SECRET_NAME, COMMENT, "Dina Draft", "dina.pdf", "Dina ran the biobank."):
        assert gone not in logged, gone
    assert "[erased]" in logged
    assert "wendy-cv.pdf" in logged  # the winner's documents are kept, and so is their record
    actions = [e.action for e in _events("")]
    assert actions.count("attachment.add") == 3 and "nomination.create" in actions
