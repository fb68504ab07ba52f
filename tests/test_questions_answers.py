"""Nominators answer a category's questions over HTTP (CSRF on): saved with the draft, checked
at submission (required, word limits, choices, number bounds, files checked like documents),
saved unchanged without a trace, shown to the panel and the administrators, never to another
nominator."""

from decimal import Decimal

import pytest

from nominations.models import (
    Attachment,
    AuditEvent,
    Nomination,
    NominationStatus,
    QuestionAnswer,
    db,
)
from nominations.policy import SYSTEM
from nominations.workflow.questions.definitions import QuestionData, add_question
from tests import factories
from tests.documents import stored_names
from tests.nominating import PDF, PNG, errors, field_errors, fields, only_nomination, pdf, text

SAVE = {"save_draft": "Save draft"}
SUBMIT = {"submit_nomination": "Submit nomination"}
CHANGE = {"save_changes": "Save changes"}


@pytest.fixture
def dept(app):
    return factories.department("Department of Tumor Biology")


@pytest.fixture
def category(app):
    return factories.category(factories.award_round("ICR Prizes"), requires_cv=False)


def ask(category, kind, label, **extra):
    question = add_question(category, QuestionData(kind=kind, label=label, **extra), actor=SYSTEM)
    db.session.commit()
    return question


@pytest.fixture
def q(category):
    """One question of each kind; the choice, yes/no and number ones required."""
    return {
        "short": ask(category, "short_text", "Main discovery", word_limit=5),
        "long": ask(category, "long_text", "Research plan", word_limit=10, label_nb="Plan"),
        "single": ask(
            category,
            "single_choice",
            "Career stage",
            options="Early\nSenior",
            options_nb="Tidlig\nErfaren",
            required=True,
        ),
        "multi": ask(category, "multiple_choice", "Fields", options="Biology\nPhysics\nMaths"),
        "yes_no": ask(category, "yes_no", "Leads a group", required=True),
        "number": ask(
            category,
            "number",
            "First-author papers",
            min_value=Decimal(0),
            max_value=Decimal(50),
            whole_numbers=True,
        ),
        "file": ask(category, "file", "Letter from the head", required=True),
    }


def name(question) -> str:
    return f"question_{question.id}"


@pytest.fixture
def nominator(make_client, staff):
    return make_client(staff.email)


def new_url(category) -> str:
    return f"/calls/{category.id}/nominate"


def answers() -> dict[str, object]:
    db.session.expire_all()
    found = {}
    for answer in db.session.execute(db.select(QuestionAnswer)).scalars():
        label = answer.question.label
        found[label] = (
            answer.attachment.original_name
            if answer.attachment_id
            else next(
                v
                for v in (answer.text_value, answer.number_value, answer.bool_value, answer.choices)
                if v is not None
            )
        )
    return found


def complete(q, dept, **overrides):
    data = {
        **fields(dept),
        name(q["short"]): "A new sequencing method",
        name(q["long"]): "Scale it to every clinic.",
        name(q["single"]): "Early",
        name(q["multi"]): ["Biology", "Maths"],
        name(q["yes_no"]): "yes",
        name(q["number"]): "12",
        name(q["file"]): pdf("letter.pdf"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_asks_each_question_accessibly(nominator, category, q):
    page = text(nominator.get(new_url(category)))
    # Choices: a fieldset whose legend is the question, its help tied to the group.
    assert "<legend" in page and "Career stage" in page
    assert f'id="{name(q["single"])}-0"' in page and 'value="Early"' in page
    assert 'type="checkbox"' in page and f'id="{name(q["multi"])}-2"' in page
    # Word limit and bounds in the help text, tied to the input by aria-describedby.
    assert f'aria-describedby="{name(q["short"])}-help"' in page
    assert "At most 5 words." in page
    assert "A whole number. From 0 to 50." in page
    assert f'name="{name(q["file"])}" type="file"' in page or 'type="file"' in page


def test_answers_are_saved_with_the_draft_and_submitted(nominator, category, q, dept, staff):
    response = nominator.submit(new_url(category), {**complete(q, dept), **SAVE})
    assert response.status_code == 302, errors(response)
    assert answers() == {
        "Main discovery": "A new sequencing method",
        "Research plan": "Scale it to every clinic.",
        "Career stage": "Early",
        "Fields": ["Biology", "Maths"],
        "Leads a group": True,
        "First-author papers": Decimal(12),
        "Letter from the head": "letter.pdf",
    }
    nomination = only_nomination()
    letter = db.session.execute(db.select(Attachment)).scalar_one()
    assert letter.kind == "answer" and letter.stored_name in stored_names()
    edit = f"/nominations/{nomination.id}"
    page = text(nominator.get(edit))
    assert 'value="A new sequencing method"' in page
    assert "Already uploaded: letter.pdf" in page
    response = nominator.submit(edit, {**complete(q, dept, **{name(q["file"]): None}), **SUBMIT})
    assert response.status_code == 302, errors(response)
    assert only_nomination().status == NominationStatus.SUBMITTED


def test_saving_unchanged_changes_nothing(nominator, category, q, dept):
    nominator.submit(new_url(category), {**complete(q, dept), **SAVE})
    nomination = only_nomination()
    edit = f"/nominations/{nomination.id}"
    nominator.submit(edit, {**complete(q, dept, **{name(q["file"]): None}), **SUBMIT})
    nomination = only_nomination()
    updated_at, audit_count = nomination.updated_at, db.session.query(AuditEvent).count()
    # The same form again, and the same file again: nothing moves.
    response = nominator.submit(edit, {**complete(q, dept), **CHANGE})
    assert "Nothing was changed." in text(nominator.get(response.headers["Location"]))
    assert only_nomination().updated_at == updated_at
    assert db.session.query(AuditEvent).count() == audit_count
    assert len(db.session.execute(db.select(Attachment)).scalars().all()) == 1


def test_a_changed_answer_is_audited_with_before_and_after(nominator, category, q, dept):
    nominator.submit(new_url(category), {**complete(q, dept), **SAVE})
    nomination = only_nomination()
    nominator.submit(
        f"/nominations/{nomination.id}",
        {**complete(q, dept, **{name(q["number"]): "13", name(q["file"]): None}), **SAVE},
    )
    event = (
        db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action == "nomination.answers")
            .order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert event.before == {"First-author papers": "12"}
    assert event.after == {"First-author papers": "13"}


def test_required_answers_are_asked_for_at_submission(nominator, category, q, dept):
    data = complete(
        q,
        dept,
        **{name(q["single"]): None, name(q["yes_no"]): None, name(q["file"]): None},
    )
    response = nominator.submit(new_url(category), {**data, **SUBMIT})
    assert response.status_code == 200
    assert field_errors(response, name(q["single"])) == ["Answer the question “Career stage”."]
    assert field_errors(response, name(q["yes_no"])) == ["Answer the question “Leads a group”."]
    assert field_errors(response, name(q["file"])) == [
        "Answer the question “Letter from the head”."
    ]
    # The error summary links to the first radio button of the group.
    assert f'href="#{name(q["single"])}-0"' in text(response)
    # The draft keeps what was answered.
    assert only_nomination().status == NominationStatus.DRAFT
    assert answers()["Main discovery"] == "A new sequencing method"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("short", "one two three four five six", "The answer has 6 words; the limit is 5."),
        ("long", " ".join(["word"] * 12), "The answer has 12 words; the limit is 10."),
        ("number", "51", "Enter a number from 0 to 50."),
        ("number", "-1", "Enter a number from 0 to 50."),
        ("number", "2.5", "Enter a whole number."),
    ],
)
def test_limits_are_checked_at_submission_and_kept_in_the_draft(
    nominator, category, q, dept, key, value, message
):
    response = nominator.submit(
        new_url(category), {**complete(q, dept, **{name(q[key]): value}), **SUBMIT}
    )
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, name(q[key]))), errors(response)
    assert only_nomination().status == NominationStatus.DRAFT


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("number", "a dozen", "Enter a number, such as 12 or 3.5."),
        ("single", "Emeritus", "Choose one of the options offered."),
        ("multi", ["Biology", "Chemistry"], "Choose among the options offered."),
        ("yes_no", "maybe", "Answer yes or no."),
    ],
)
def test_values_that_cannot_be_stored_refuse_the_save(
    nominator, category, q, dept, key, value, message
):
    response = nominator.submit(
        new_url(category), {**complete(q, dept, **{name(q[key]): value}), **SAVE}
    )
    assert response.status_code == 200
    assert field_errors(response, name(q[key])) == [message]
    assert db.session.execute(db.select(Nomination)).first() is None  # nothing stored


def test_a_decimal_number_with_a_comma_is_understood(nominator, category, dept):
    question = ask(category, "number", "Impact factor", min_value=Decimal("0.5"))
    nominator_page = nominator.submit(
        new_url(category), {**fields(dept), name(question): "3,25", **SUBMIT}
    )
    assert nominator_page.status_code == 302, errors(nominator_page)
    assert answers() == {"Impact factor": Decimal("3.25")}


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (pdf("photo.pdf", PNG), "“photo.pdf” is not a PDF document."),
        (pdf("empty.pdf", b""), "“empty.pdf” is empty."),
    ],
)
def test_a_file_answer_is_checked_like_the_documents(nominator, category, q, dept, upload, message):
    response = nominator.submit(
        new_url(category), {**complete(q, dept, **{name(q["file"]): upload}), **SUBMIT}
    )
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, name(q["file"])))
    assert only_nomination().status == NominationStatus.DRAFT
    assert "Letter from the head" not in answers()
    assert stored_names() == []


def test_a_file_answer_too_large_is_refused(app, nominator, category, q, dept):
    app.config["MAX_FILE_BYTES"] = 100
    big = PDF + b"x" * 200
    response = nominator.submit(
        new_url(category), {**complete(q, dept, **{name(q["file"]): pdf("big.pdf", big)}), **SAVE}
    )
    assert any("larger than" in e for e in field_errors(response, name(q["file"])))
    assert stored_names() == []


def test_a_file_answer_is_replaced_and_removed(nominator, category, q, dept):
    nominator.submit(new_url(category), {**complete(q, dept), **SAVE})
    nomination = only_nomination()
    first = db.session.execute(db.select(Attachment)).scalar_one().stored_name
    edit = f"/nominations/{nomination.id}"
    other = PDF + b"% second version\n"
    nominator.submit(edit, {**complete(q, dept, **{name(q["file"]): pdf("v2.pdf", other)}), **SAVE})
    assert answers()["Letter from the head"] == "v2.pdf"
    assert first not in stored_names() and len(stored_names()) == 1
    nominator.submit(
        edit,
        {**complete(q, dept, **{name(q["file"]): None}), "remove_answers": name(q["file"]), **SAVE},
    )
    assert "Letter from the head" not in answers()
    assert stored_names() == []
    assert db.session.execute(db.select(Attachment)).first() is None


def test_the_panel_and_admins_see_the_answers_other_nominators_do_not(
    app, make_client, category, q, dept, staff, admin
):
    nominator = make_client(staff.email)
    nominator.submit(new_url(category), {**complete(q, dept), **SUBMIT})
    nomination = only_nomination()
    assert nomination.status == NominationStatus.SUBMITTED
    admin_page = text(make_client(admin.email).get(f"/admin/nominations/{nomination.id}"))
    for shown in ("Answers to the questions", "A new sequencing method", "Biology; Maths", "Yes"):
        assert shown in admin_page
    assert "letter.pdf" in admin_page
    # Another nominator: no such nomination.
    factories.user("other@example.org", "Otto Other")
    other = make_client("other@example.org")
    assert other.get(f"/nominations/{nomination.id}").status_code == 404
    letter = db.session.execute(db.select(Attachment)).scalar_one()
    download = f"/nominations/{nomination.id}/attachments/{letter.id}"
    assert other.get(download).status_code == 404
    assert nominator.get(download).status_code == 200


def test_bokmal_readers_see_bokmal_labels_and_options(make_client, category, q, dept, staff):
    staff.locale = "nb"
    db.session.commit()
    client = make_client(staff.email)
    page = text(client.get(new_url(category)))
    assert "Plan" in page  # the bokmål label
    assert "Tidlig" in page and "Erfaren" in page
    assert "Main discovery" in page  # no bokmål: the English is shown
    client.submit(new_url(category), {**complete(q, dept), **SAVE})
    assert answers()["Career stage"] == "Early"  # the English option is what is stored


def test_the_review_page_shows_the_answers_to_the_panel_only(app):
    from tests.review_setup import browser, world

    setting = world()
    question = ask(setting.category, "long_text", "Research plan", label_nb="Forskningsplan")
    choice = ask(setting.category, "single_choice", "Stage", options="Early\nSenior")
    target = setting.nominations["other"]
    db.session.add_all(
        [
            QuestionAnswer(
                nomination_id=target.id, question_id=question.id, text_value="Scale it up."
            ),
            QuestionAnswer(nomination_id=target.id, question_id=choice.id, text_value="Senior"),
        ]
    )
    db.session.commit()
    page = text(browser(app, setting.reviewer.email).get(f"/review/nominations/{target.id}"))
    assert "Answers to the questions" in page
    assert "Research plan" in page and "Scale it up." in page and "Senior" in page
    outsider = browser(app, setting.outsider.email).get(f"/review/nominations/{target.id}")
    assert outsider.status_code == 404
    assert "Scale it up." not in text(outsider)


def test_the_database_keeps_one_typed_answer_per_nomination_and_question(category, staff):
    from sqlalchemy.exc import IntegrityError

    question = ask(category, "short_text", "Main discovery")
    nomination = factories.nomination(category, staff, "Nora Nominee")
    for answer in (
        QuestionAnswer(nomination_id=nomination.id, question_id=question.id),  # no value
        QuestionAnswer(
            nomination_id=nomination.id, question_id=question.id, text_value="x", bool_value=True
        ),
        QuestionAnswer(nomination_id=nomination.id, question_id=question.id, text_value=""),
    ):
        db.session.add(answer)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    db.session.add(
        QuestionAnswer(nomination_id=nomination.id, question_id=question.id, text_value="a")
    )
    db.session.commit()
    db.session.add(
        QuestionAnswer(nomination_id=nomination.id, question_id=question.id, text_value="b")
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
