"""The personal data of the features that came after issue 17, as sources of a person's
data: referees and their letters, answers to a category's questions (text and file),
publication lists, co-authorship decisions and the chair's discussion notes. What the access
export holds and what erasure does, per role; over HTTP as an administrator, in the access
world (tests/access_world.py), on both document back-ends."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from nominations.models import (
    Attachment,
    AttachmentKind,
    AuditEvent,
    AwardCategory,
    CoauthorDecision,
    DiscussionNote,
    Nomination,
    Publication,
    PublicationHolder,
    QuestionAnswer,
    Referee,
    User,
    db,
)
from nominations.workflow.questions.definitions import QuestionData, add_question
from nominations.workflow.referees.counts import letter_counts
from tests import documents, factories, results_helpers
from tests.access_world import PDF, _referee, build_world

pytestmark = pytest.mark.parametrize("document_storage", documents.BOTH)

TORA = "tora@example.org"
RITA = "rita@example.org"  # the referee of Tora's nomination who sent a letter
LETTER = PDF + b"% letter\n"
ANSWER_FILE = PDF + b"% TORA-ANSWER-FILE\n"


@pytest.fixture
def world(app):
    world = build_world()
    admin = db.session.get(User, world.user_ids["admin"])
    target = db.session.get(Nomination, world.ids["target"])
    reviewer = db.session.get(User, world.user_ids["reviewer"])
    # A file question answered by Tora's nomination, a co-authorship decision about her
    # nomination and the reviewer, and a publication list of Tora's own.
    question = add_question(
        target.category, QuestionData(kind="file", label="Letter from the head"), actor=admin
    )
    document = results_helpers.attach(target, "head.pdf", ANSWER_FILE, kind=AttachmentKind.ANSWER)
    db.session.add(
        QuestionAnswer(nomination_id=target.id, question_id=question.id, attachment_id=document.id)
    )
    decision = CoauthorDecision(
        nomination_id=target.id,
        reviewer_id=reviewer.id,
        outcome="dismissed",
        reason="Tora and Rita's paper is a consortium one (COAUTHOR-REASON).",
        decided_by_id=world.user_ids["chair"],
    )
    own = Publication(
        match_key="title:tora alone|2020", title="Tora alone", title_key="tora alone", year=2020
    )
    db.session.add_all([decision, own])
    db.session.flush()
    db.session.add(PublicationHolder(publication_id=own.id, email=TORA, source="tora.bib"))
    db.session.commit()
    world.ids.update(answer_file=document.id, coauthor=decision.id, own_paper=own.id)
    return world


@pytest.fixture
def admin_client(world, make_client):
    return make_client("admin@example.org")


def _export(client, email: str) -> tuple[dict, zipfile.ZipFile]:
    response = client.submit(f"/admin/people/{email}/export", page=f"/admin/people/{email}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    return json.loads(archive.read("person.json")), archive


def _erase(client, email: str) -> None:
    page = f"/admin/people/{email}/erase"
    response = client.submit(page, {"confirmed": "1"}, page=page, follow_redirects=True)
    assert "The person is erased" in response.get_data(as_text=True)
    db.session.expire_all()


def test_a_referees_export_holds_his_letter_and_the_nominees_only_that_it_exists(
    world, admin_client
):
    assert "Rita Referee" in admin_client.get("/admin/people?q=rita").get_data(as_text=True)
    assert "Referee for nominations" in admin_client.get(f"/admin/people/{RITA}").get_data(
        as_text=True
    )
    data, archive = _export(admin_client, RITA)
    letter = data["referee"]["letters_by"][0]
    assert (letter["name"], letter["relation"], letter["nominee"]) == (
        "Rita Referee",
        "Mentor",
        "Tora Target",
    )
    assert letter["letter_received"] and archive.read(letter["file"]) == LETTER
    assert data["person"]["names"] == ["Rita Referee"]

    data, archive = _export(admin_client, TORA)
    about = {(r["referee"], r["letter_received"]) for r in data["nominee"]["letters_about"]}
    assert about == {("Rita Referee", True), ("Paul Pending", False)}
    assert not [n for n in archive.namelist() if n.startswith("letters/")]
    assert all(archive.read(n) != LETTER for n in archive.namelist())


def test_a_nominees_export_holds_answers_notes_decisions_and_publications(world, admin_client):
    data, archive = _export(admin_client, TORA)
    answers = {a["question"]: a["answer"] for a in data["nominee"]["answers_about"]}
    assert answers["Research plan"] == "Grow (TARGET-ANSWER)."
    assert archive.read(answers["Letter from the head"]["file"]) == ANSWER_FILE
    assert "DISCUSSION-NOTE" in data["nominee"]["discussion_notes_about"][0]["note"]
    coauthor = data["nominee"]["coauthor_decisions_about"][0]
    assert coauthor["outcome"] == "dismissed" and "COAUTHOR-REASON" in coauthor["reason"]
    assert data["publications"]["publication_list"] == [
        {
            "title": "Tora alone",
            "year": 2020,
            "doi": "",
            "imported_from": "tora.bib",
            "added_at": data["publications"]["publication_list"][0]["added_at"],
        }
    ]

    data, _archive = _export(admin_client, "reviewer@example.org")
    assert data["reviewer"]["coauthor_decisions_on"][0]["outcome"] == "dismissed"
    assert data["publications"]["publication_list"][0]["title"] == "A paper written together"
    chair, _archive = _export(admin_client, "chair@example.org")
    assert "DISCUSSION-NOTE" in chair["panel"]["discussion_notes_by"][0]["note"]
    assert chair["panel"]["coauthor_decisions_made"][0]["nomination"] == world.ids["target"]


def test_erasing_a_referee_revokes_his_link_and_deletes_his_letter(world, admin_client):
    referee = db.session.get(Referee, world.ids["target_referee"])
    stored = referee.stored_name
    referee.token_hash = "a" * 64
    db.session.commit()
    target = db.session.get(Nomination, world.ids["target"])
    assert letter_counts([target])[target.id].received == 1

    _erase(admin_client, RITA)
    referee = db.session.get(Referee, world.ids["target_referee"])
    assert referee.name.startswith("Erased person #")
    assert referee.email.endswith("@erased.invalid") and referee.relation == ""
    assert referee.token_hash is None and not referee.received
    assert (referee.sha256, referee.size_bytes, referee.original_name) == (None, None, "")
    assert all(documents.stored_bytes(stored, where) is None for where in documents.BOTH)
    # Still named on the nomination, but the letter is no longer counted as received.
    target = db.session.get(Nomination, world.ids["target"])
    assert (letter_counts([target])[target.id].received, len(target.referees)) == (0, 2)
    page = admin_client.get(f"/admin/nominations/{target.id}").get_data(as_text=True)
    assert "Rita Referee" not in page and RITA not in page


def test_erasing_a_nominee_deletes_letters_answers_notes_reasons_and_their_list(
    world, admin_client
):
    letter = db.session.get(Referee, world.ids["target_referee"]).stored_name
    answer_file = db.session.get(Attachment, world.ids["answer_file"]).stored_name

    _erase(admin_client, TORA)
    target_id = world.ids["target"]
    referees = db.session.scalars(db.select(Referee).filter_by(nomination_id=target_id)).all()
    # The referees stay named (their data); the letters about Tora are gone, bytes too.
    assert sorted(r.name for r in referees) == ["Paul Pending", "Rita Referee"]
    assert not any(r.received for r in referees)
    for stored in (letter, answer_file):
        assert all(documents.stored_bytes(stored, where) is None for where in documents.BOTH)
    assert not db.session.scalars(
        db.select(QuestionAnswer).filter_by(nomination_id=target_id)
    ).all()
    assert db.session.get(Attachment, world.ids["answer_file"]) is None
    assert not db.session.scalars(
        db.select(DiscussionNote).filter_by(nomination_id=target_id)
    ).all()
    decision = db.session.get(CoauthorDecision, world.ids["coauthor"])
    assert (decision.outcome, decision.reason) == ("dismissed", "")
    assert not db.session.scalars(db.select(PublicationHolder).filter_by(email=TORA)).all()
    assert db.session.get(Publication, world.ids["own_paper"]) is None  # on no list now
    # The audit rows of the answers and the note forget them too.
    logged = json.dumps(
        [
            [e.before, e.after]
            for e in db.session.scalars(
                db.select(AuditEvent).where(AuditEvent.action != "person.erase")
            )
        ]
    )
    assert "TARGET-ANSWER" not in logged and "DISCUSSION-NOTE" not in logged


def test_erasing_a_reviewer_keeps_coauthor_decisions_without_reasons(world, admin_client):
    _erase(admin_client, "reviewer@example.org")
    decision = db.session.get(CoauthorDecision, world.ids["coauthor"])
    assert (decision.outcome, decision.reason) == ("dismissed", "")
    assert not db.session.scalars(
        db.select(PublicationHolder).filter_by(email="reviewer@example.org")
    ).all()
    # The shared paper stays on Olga's list.
    olga = db.session.scalars(db.select(PublicationHolder).filter_by(email="olga@example.org"))
    assert [h.publication.title for h in olga] == ["A paper written together"]


def test_erasing_a_chair_keeps_their_notes_by_the_anonymised_account(world, admin_client):
    _erase(admin_client, "chair@example.org")
    note = db.session.scalars(
        db.select(DiscussionNote).filter_by(nomination_id=world.ids["target"])
    ).one()
    assert "DISCUSSION-NOTE" in note.note
    assert note.updated_by_id == world.user_ids["chair"]
    assert note.updated_by.name.startswith("Erased person #")
    decision = db.session.get(CoauthorDecision, world.ids["coauthor"])
    assert "COAUTHOR-REASON" in decision.reason  # about someone else: kept


def test_a_published_winner_is_still_refused_and_keeps_the_letters(world, admin_client):
    category = db.session.get(AwardCategory, world.ids["published_category"])
    nominator = db.session.get(User, world.user_ids["nominator"])
    winner = factories.nomination(category, nominator, "Wilma Winner", "wilma@example.org")
    results_helpers.decide(winner, "For the lab.")
    referee = _referee(winner, "Rolf Referee", "rolf@example.org", PDF + b"% wilma\n")
    page = "/admin/people/wilma@example.org/erase"
    response = admin_client.submit(
        page, {"confirmed": "1"}, page="/admin/people/wilma@example.org", follow_redirects=True
    )
    assert "Not erased: rule “published_prize”" in response.get_data(as_text=True)
    db.session.expire_all()
    referee = db.session.get(Referee, referee.id)
    assert referee.received and documents.stored_bytes(referee.stored_name) == PDF + b"% wilma\n"


def test_texts_in_others_records_that_name_the_person_are_exported_and_lose_the_name(
    world, admin_client
):
    """A statement for someone else names Tora: it is her data too. Her export lists it
    under "mentioned"; erasing her replaces her name and e-mail there and keeps the rest."""
    other = db.session.get(Nomination, world.ids["other"])
    other.statement = "Olga built the lab with TORA TARGET (tora@example.org) in 2021."
    db.session.commit()

    data, _archive = _export(admin_client, TORA)
    [mention] = data["mentioned"]["mentions_nominations"]
    assert mention["nomination"] == other.id and "TORA TARGET" in mention["statement"]
    page = admin_client.get(f"/admin/people/{TORA}").get_data(as_text=True)
    counted = '<td class="text-end">1</td><td>kept; the name and e-mail replaced'
    assert f"Statements in others' nominations that name the person</td>{counted}" in page

    _erase(admin_client, TORA)
    statement = db.session.get(Nomination, world.ids["other"]).statement
    assert "TORA" not in statement.upper() and "tora@example.org" not in statement
    assert statement.startswith("Olga built the lab with Erased person #")
    assert statement.endswith("in 2021.")
