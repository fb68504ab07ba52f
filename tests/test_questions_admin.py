"""Administrators add, edit, order and remove a category's questions over HTTP (CSRF on),
every change audited with before and after; what answers allow (tests/test_questions_answers.py
for the nominator's side)."""

from decimal import Decimal

import pytest

from nominations.models import (
    AuditEvent,
    CategoryQuestion,
    NominationStatus,
    QuestionAnswer,
    RoundStatus,
    db,
)
from tests import factories
from tests.nominating import errors, text


@pytest.fixture
def category(app):
    return factories.category(factories.award_round("ICR Prizes"), requires_cv=False)


@pytest.fixture
def admin_client(make_client, admin):
    return make_client(admin.email)


def url(category) -> str:
    return f"/admin/categories/{category.id}/questions"


def questions(category) -> list[CategoryQuestion]:
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(CategoryQuestion)
            .where(CategoryQuestion.category_id == category.id)
            .order_by(CategoryQuestion.position)
        ).scalars()
    )


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).scalars()
    )


def add(client, category, **values):
    data = {"kind": "short_text", "label": "Your question", **values}
    return client.submit(url(category), data)


def test_admin_adds_every_kind_and_sees_them_in_order(admin_client, category):
    assert "No questions" in text(admin_client.get(url(category)))
    assert add(admin_client, category, label="Main discovery", word_limit="50").status_code == 302
    add(admin_client, category, kind="long_text", label="Research plan", label_nb="Forskningsplan")
    add(
        admin_client,
        category,
        kind="single_choice",
        label="Career stage",
        options="Early\nMid\nSenior",
        options_nb="Tidlig\nMidt\nSenior",
        required="y",
    )
    add(admin_client, category, kind="multiple_choice", label="Fields", options="Biology\nPhysics")
    add(admin_client, category, kind="yes_no", label="Has the nominee led a group?")
    add(
        admin_client,
        category,
        kind="number",
        label="Papers as first author",
        min_value="0",
        max_value="200",
        whole_numbers="y",
    )
    response = add(admin_client, category, kind="file", label="Letter from the head")
    page = text(admin_client.get(response.headers["Location"]))
    assert "Question “Letter from the head” added." in page
    stored = questions(category)
    assert [q.kind for q in stored] == [
        "short_text",
        "long_text",
        "single_choice",
        "multiple_choice",
        "yes_no",
        "number",
        "file",
    ]
    assert [q.position for q in stored] == list(range(7))
    assert stored[0].word_limit == 50
    assert stored[2].required and stored[2].option_list == ["Early", "Mid", "Senior"]
    assert stored[5].min_value == Decimal(0) and stored[5].max_value == Decimal(200)
    assert stored[5].whole_numbers
    edit_page = text(admin_client.get(f"/admin/questions/{stored[5].id}/edit"))
    assert 'value="200"' in edit_page  # as typed, not 200.000000
    created = events("question.create")
    assert len(created) == 7
    assert created[2].after["options"] == "Early\nMid\nSenior"
    assert created[2].actor.email == "admin@example.org"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"label": ""}, "Write the question in English."),
        ({"kind": "single_choice", "options": "Only one"}, "Give at least two options"),
        ({"kind": "multiple_choice", "options": "A\na"}, "different from the others"),
        (
            {"kind": "single_choice", "options": "A\nB", "options_nb": "En"},
            "one bokmål line for each English option",
        ),
        ({"kind": "number", "min_value": "5", "max_value": "1"}, "must not be below the lowest"),
        ({"kind": "number", "min_value": "0.5", "whole_numbers": "y"}, "Whole numbers only"),
        ({"word_limit": "0"}, "The word limit must be between 1"),
    ],
)
def test_a_question_that_makes_no_sense_is_refused_at_its_field(
    admin_client, category, values, message
):
    response = add(admin_client, category, **values)
    assert response.status_code == 200
    assert any(message in error for error in errors(response)), errors(response)
    assert questions(category) == []
    assert events("question.create") == []


def test_the_same_question_twice_is_refused(admin_client, category):
    add(admin_client, category, label="Main discovery")
    response = add(admin_client, category, label="Main discovery")
    assert "This category already asks this question." in errors(response)
    assert len(questions(category)) == 1


def test_editing_records_before_and_after_and_unchanged_records_nothing(admin_client, category):
    add(admin_client, category, label="Main discovery", word_limit="50")
    question = questions(category)[0]
    edit = f"/admin/questions/{question.id}/edit"
    page = text(admin_client.get(edit))
    assert "Kind of answer: Short text." in page
    response = admin_client.submit(
        edit, {"label": "Main discovery", "label_nb": "Viktigste funn", "word_limit": "80"}
    )
    assert response.status_code == 302
    (update,) = events("question.update")
    assert update.before == {"label_nb": "", "word_limit": 50}
    assert update.after == {"label_nb": "Viktigste funn", "word_limit": 80}
    # Saved again as it is: nothing recorded.
    admin_client.submit(
        edit, {"label": "Main discovery", "label_nb": "Viktigste funn", "word_limit": "80"}
    )
    assert len(events("question.update")) == 1
    # The kind is fixed: a forged one is not taken.
    admin_client.submit(edit, {"kind": "number", "label": "Main discovery", "word_limit": "80"})
    assert questions(category)[0].kind == "short_text"


def test_questions_move_up_and_down(admin_client, category):
    for label in ("First", "Second", "Third"):
        add(admin_client, category, label=label)
    third = questions(category)[2]
    admin_client.submit(f"/admin/questions/{third.id}/move", {"step": "up"}, page=url(category))
    assert [q.label for q in questions(category)] == ["First", "Third", "Second"]
    (moved,) = events("question.move")
    assert moved.before["order"] != moved.after["order"]
    # The first cannot move up: nothing changes, nothing is recorded.
    first = questions(category)[0]
    response = admin_client.submit(
        f"/admin/questions/{first.id}/move", {"step": "up"}, page=url(category)
    )
    assert "Nothing was changed." in text(admin_client.get(response.headers["Location"]))
    assert len(events("question.move")) == 1


def _answer(category, question, status):
    nominator = factories.user(f"n{status}@example.org", "Nina Nominator")
    nomination = factories.nomination(category, nominator, "Nora Nominee", status=status)
    db.session.add(
        QuestionAnswer(nomination_id=nomination.id, question_id=question.id, text_value="Yes")
    )
    db.session.commit()
    return nomination


def test_removal_asks_first_and_is_refused_once_a_submitted_nomination_answered(
    admin_client, category
):
    add(admin_client, category, label="Asked of drafts only")
    add(admin_client, category, label="Answered in a submission")
    draft_only, answered = questions(category)
    _answer(category, draft_only, NominationStatus.DRAFT)
    _answer(category, answered, NominationStatus.SUBMITTED)

    delete = f"/admin/questions/{draft_only.id}/delete"
    asked = admin_client.submit(delete, {}, page=url(category))
    assert asked.status_code == 200 and "Remove the question" in text(asked)
    assert len(questions(category)) == 2
    response = admin_client.submit(delete, {"confirmed": "1"}, page=url(category))
    assert response.status_code == 302
    assert [q.label for q in questions(category)] == ["Answered in a submission"]
    assert db.session.execute(db.select(QuestionAnswer)).scalars().all()[0].question_id == (
        answered.id
    )
    (deleted,) = events("question.delete")
    assert deleted.before["label"] == "Asked of drafts only"
    assert deleted.before["draft_answers"] == 1

    page = text(admin_client.get(url(category)))
    assert f'/admin/questions/{answered.id}/delete"' not in page  # no button offered
    response = admin_client.submit(
        f"/admin/questions/{answered.id}/delete", {"confirmed": "1"}, page=url(category)
    )
    shown = text(admin_client.get(response.headers["Location"]))
    assert "Submitted nominations have answered this question" in shown
    assert len(questions(category)) == 1
    assert len(events("question.delete")) == 1


def test_answered_options_cannot_be_removed_but_new_ones_can_be_added(admin_client, category):
    add(admin_client, category, kind="single_choice", label="Stage", options="Early\nSenior")
    question = questions(category)[0]
    _answer(category, question, NominationStatus.DRAFT)
    edit = f"/admin/questions/{question.id}/edit"
    response = admin_client.submit(edit, {"label": "Stage", "options": "Early\nLate"})
    assert any("“Senior” cannot be removed or renamed" in e for e in errors(response))
    response = admin_client.submit(edit, {"label": "Stage", "options": "Senior\nEarly\nMid"})
    assert response.status_code == 302
    assert questions(category)[0].option_list == ["Senior", "Early", "Mid"]


def test_no_changes_once_results_are_published(admin_client, category):
    add(admin_client, category, label="Main discovery")
    category.round.status = RoundStatus.PUBLISHED
    db.session.commit()
    page = text(admin_client.get(url(category)))
    assert "can no longer change" in page
    response = add(admin_client, category, label="Another")
    assert "can no longer change" in text(response)
    assert len(questions(category)) == 1


def test_only_administrators_manage_questions(make_client, staff, category):
    client = make_client(staff.email)
    assert client.get(url(category)).status_code == 403
    token = client.csrf_token("/nominations/mine")
    response = client.post(
        url(category), data={"kind": "yes_no", "label": "X", "csrf_token": token}
    )
    assert response.status_code == 403
    assert questions(category) == []


def test_without_csrf_token_nothing_is_added(admin_client, category):
    response = admin_client.post(url(category), data={"kind": "yes_no", "label": "Forged"})
    assert response.status_code == 400
    assert questions(category) == []
