"""A person's data (issue 17): the access export, erasure with its keep rules, and the audit
log forgetting; over HTTP as an administrator, in the access world (tests/access_world.py),
on both document back-ends."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from nominations.models import (
    Attachment,
    AuditEvent,
    AwardCategory,
    ConflictOfInterest,
    Decision,
    Nomination,
    OutboxMessage,
    Review,
    RoundStatus,
    User,
    db,
)
from nominations.workflow import audit
from nominations.workflow.ranking import compute_ranking
from tests import documents, factories, results_helpers
from tests.access_world import PDF, build_world

pytestmark = pytest.mark.parametrize("document_storage", documents.BOTH)

TORA = "tora@example.org"


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def admin_client(world, make_client):
    return make_client("admin@example.org")


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _flashes(response) -> str:
    return response.get_data(as_text=True)


def test_the_export_holds_what_is_held_about_a_nominee_and_is_logged(world, admin_client):
    page = admin_client.get("/admin/people?q=tora")
    assert TORA in page.get_data(as_text=True)
    person_page = admin_client.get(f"/admin/people/{TORA}").get_data(as_text=True)
    assert "Nominations of the person" in person_page

    archive = _zip(
        admin_client.submit(f"/admin/people/{TORA}/export", page=f"/admin/people/{TORA}")
    )
    data = json.loads(archive.read("person.json"))
    nomination = data["nominee"]["nominations_about"][0]
    assert nomination["name"] == "Tora Target"
    assert "TARGET-STATEMENT" in nomination["statement"]
    assert nomination["submitted_at"].endswith("+00:00")  # ISO, with its offset
    assert "REVIEWER-COMMENT" in data["nominee"]["reviews_about"][0]["comment"]
    assert "TARGET-CITATION" in data["nominee"]["decisions_about"][0]["citation"]
    document = data["nominee"]["documents_about"][0]
    assert document["file_name"] == "cv-tora.pdf"
    assert archive.read(document["file"]) == PDF + b"% target\n"
    assert "account" not in data  # a nominee without an account

    logged = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "person.export")
    ).scalar_one()
    assert logged.actor_id == world.user_ids["admin"]
    assert logged.after["email"] == TORA
    assert "TARGET-STATEMENT" not in json.dumps(logged.after)


def test_the_export_of_a_reviewer_holds_their_account_reviews_and_seats(world, admin_client):
    archive = _zip(
        admin_client.submit(
            "/admin/people/Reviewer@Example.org/export", page="/admin/people/reviewer@example.org"
        )
    )
    data = json.loads(archive.read("person.json"))
    assert data["account"]["account"][0]["name"] == "Rita Reviewer"
    review = data["reviewer"]["reviews_by"][0]
    assert "REVIEWER-COMMENT" in review["comment"] and set(review["scores"].values()) == {5}
    assert data["panel"]["panel_seats"][0]["panel"] == "Leadership group"


def test_only_administrators_see_a_persons_data(world, make_client):
    chair = make_client("chair@example.org")
    assert chair.get(f"/admin/people/{TORA}").status_code == 403
    assert chair.get(f"/admin/people/{TORA}/erase").status_code == 403


def _ranking(category_id: int) -> list[tuple]:
    db.session.expire_all()
    category = db.session.get(AwardCategory, category_id)
    ranking = compute_ranking(category)
    return sorted((row.nomination_id, row.rank, row.mean, row.normalised) for row in ranking.rows)


def test_erasing_a_nominee_keeps_counts_scores_ranking_and_decisions(world, admin_client):
    target_id = world.ids["target"]
    cv = db.session.get(Attachment, world.ids["target_cv"])
    stored = cv.stored_name
    ranking_before = _ranking(world.ids["category"])
    scores_before = sorted(
        (s.criterion_id, s.score) for r in db.session.scalars(db.select(Review)) for s in r.scores
    )
    nominations_before = db.session.scalar(db.select(db.func.count(Nomination.id)))

    confirm = admin_client.get(f"/admin/people/{TORA}/erase").get_data(as_text=True)
    assert "Documents of nominations of the person" in confirm and 'name="confirmed"' in confirm
    response = admin_client.submit(
        f"/admin/people/{TORA}/erase", {"confirmed": "1"}, follow_redirects=True
    )
    assert "The person is erased and now appears as “Erased person #" in _flashes(response)

    db.session.expire_all()
    target = db.session.get(Nomination, target_id)
    assert target.nominee_name.startswith("Erased person #")
    assert (target.nominee_email, target.statement, target.nominee_position) == ("", "", "")
    assert target.attachments == [] and documents.stored_bytes(stored) is None
    assert db.session.get(Decision, world.ids["decision"]).citation == ""
    assert db.session.get(ConflictOfInterest, world.ids["conflict"]).reason == ""
    assert all(
        r.comment == ""
        for r in db.session.scalars(db.select(Review).filter_by(nomination_id=target_id))
    )
    # What is counted, scored, ranked and decided stays.
    assert _ranking(world.ids["category"]) == ranking_before
    assert (
        sorted(
            (s.criterion_id, s.score)
            for r in db.session.scalars(db.select(Review))
            for s in r.scores
        )
        == scores_before
    )
    assert db.session.scalar(db.select(db.func.count(Nomination.id))) == nominations_before
    assert target.status == "awarded"
    erased = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "person.erase")
    ).scalar_one()
    assert erased.after["counts"]["documents_about"] == 1
    assert "Tora" not in json.dumps(erased.after) and TORA not in json.dumps(erased.after)
    # The person is gone from the finder: nothing is held about that address any more.
    again = admin_client.get(f"/admin/people/{TORA}").get_data(as_text=True)
    assert "Nothing is held about this person." in again


def test_erasing_a_reviewer_deactivates_them_and_keeps_their_scores(
    world, admin_client, make_client
):
    reviewer_client = make_client("reviewer@example.org")
    assert reviewer_client.get("/review/").status_code == 200
    admin_client.submit(
        "/admin/people/reviewer@example.org/erase",
        {"confirmed": "1"},
        page="/admin/people/reviewer@example.org/erase",
    )
    db.session.expire_all()
    user = db.session.get(User, world.user_ids["reviewer"])
    assert user.name.startswith("Erased person #") and not user.active
    assert user.email != "reviewer@example.org"
    review = db.session.execute(db.select(Review).filter_by(reviewer_id=user.id)).scalar_one()
    assert review.comment == "" and {s.score for s in review.scores} == {5}
    # Signed out everywhere: the session cookie no longer signs them in.
    assert reviewer_client.get("/review/").headers["Location"].startswith("/login")


def test_a_published_winner_is_not_erased_and_the_refusal_names_the_rule(world, admin_client):
    category = db.session.get(AwardCategory, world.ids["published_category"])
    winner = factories.nomination(
        category,
        db.session.get(User, world.user_ids["nominator"]),
        "Wilma Winner",
        "wilma@example.org",
    )
    results_helpers.decide(winner, "For the lab.")
    assert category.round.status == RoundStatus.PUBLISHED

    confirm = admin_client.get("/admin/people/wilma@example.org/erase").get_data(as_text=True)
    assert "published_prize" in confirm and 'name="confirmed"' not in confirm
    response = admin_client.submit(
        "/admin/people/wilma@example.org/erase",
        {"confirmed": "1"},
        page="/admin/people/wilma@example.org",
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Not erased: rule “published_prize”" in text
    db.session.expire_all()
    assert db.session.get(Nomination, winner.id).nominee_name == "Wilma Winner"
    assert not db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "person.erase")
    ).all()


def test_an_administrator_cannot_erase_themselves(world, admin_client):
    confirm = admin_client.get("/admin/people/admin@example.org/erase").get_data(as_text=True)
    assert "own_account" in confirm


def test_the_audit_log_forgets_the_erased_person(world, admin_client):
    target = db.session.get(Nomination, world.ids["target"])
    admin = db.session.get(User, world.user_ids["admin"])
    audit.record(
        "nomination.update",
        target,
        actor=admin,
        before={
            "nominee_name": "Tora T.",
            "statement": "old (TARGET-STATEMENT)",
            "status": "draft",
        },
        after={"nominee_name": "Tora Target", "statement": "new text", "status": "submitted"},
    )
    audit.record(
        "round.note",
        target.category.round,
        actor=admin,
        after={"note": "Ask tora@example.org for a photo", "count": 3},
    )
    db.session.commit()
    admin_client.submit(f"/admin/people/{TORA}/export", page=f"/admin/people/{TORA}")
    admin_client.submit(
        f"/admin/people/{TORA}/erase", {"confirmed": "1"}, page=f"/admin/people/{TORA}/erase"
    )

    db.session.expire_all()
    update = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "nomination.update")
    ).scalar_one()
    assert update.before == {"nominee_name": "[erased]", "statement": "[erased]", "status": "draft"}
    assert update.after["status"] == "submitted" and update.after["statement"] == "[erased]"
    assert update.object_id == target.id and update.actor_id == admin.id
    note = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.note")
    ).scalar_one()
    assert note.after == {"note": "[erased]", "count": 3}
    export = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "person.export")
    ).scalar_one()
    assert export.after["email"] == "[erased]"
    log = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Tora" not in log and TORA not in log and "TARGET-STATEMENT" not in log


def test_mail_to_the_person_is_deleted_and_mail_naming_them_is_rewritten(world, admin_client):
    db.session.add_all(
        [
            OutboxMessage(
                dedupe_key="t:1",
                recipient=TORA,
                subject="You were nominated",
                body_text="Hi Tora Target",
            ),
            OutboxMessage(
                dedupe_key="t:2",
                recipient="nominator@example.org",
                subject="Your nomination of Tora Target",
                body_text="Tora Target (tora@example.org) is nominated.",
                body_html="<p>TORA TARGET</p>",
            ),
        ]
    )
    db.session.commit()
    admin_client.submit(
        f"/admin/people/{TORA}/erase", {"confirmed": "1"}, page=f"/admin/people/{TORA}/erase"
    )
    db.session.expire_all()
    left = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.dedupe_key.like("t:%"))
    ).all()
    assert [m.recipient for m in left] == ["nominator@example.org"]
    text = left[0].subject + left[0].body_text + left[0].body_html
    assert "tora" not in text.lower() and "Erased person #" in left[0].subject
