"""Answers to a category's questions in the exports (a spreadsheet column per question, file
answers in the documents ZIP), and the questions copied with the category into next year."""

import csv
import io
import zipfile
from datetime import date, time
from decimal import Decimal

from nominations.models import (
    AttachmentKind,
    AuditEvent,
    AwardCategory,
    CategoryQuestion,
    QuestionAnswer,
    db,
)
from nominations.policy import SYSTEM
from nominations.timeutil import from_local
from nominations.workflow.cloning import open_next_year
from nominations.workflow.questions.definitions import QuestionData, add_question
from tests import factories
from tests import results_helpers as h


def ask(category, kind, label, **extra):
    return add_question(category, QuestionData(kind=kind, label=label, **extra), actor=SYSTEM)


def csv_rows(data: bytes) -> tuple[list, list[list]]:
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return header, rows


def test_answers_are_exported_a_column_per_question_and_files_in_the_zip(make_client, admin):
    award_round = h.closed_round("ICR Prizes")
    category = factories.category(award_round, "Researcher of the Year", 100_000)
    other = factories.category(award_round, "Employee of the Year", 50_000)
    plan = ask(category, "long_text", "Research plan")
    fields = ask(category, "multiple_choice", "Fields", options="Biology\nPhysics")
    letter = ask(category, "file", "Letter from the head")
    ask(other, "yes_no", "Nominated by a department")
    nominator = factories.user("nora@example.org", "Nora Nominator")
    aase = factories.nomination(category, nominator, "Åse Ødegård", "aase@example.org")
    factories.nomination(category, nominator, "Bent Berg", "bent@example.org")
    document = h.attach(aase, "head.pdf", b"%PDF-1.4 the head's letter", AttachmentKind.ANSWER)
    db.session.add_all(
        [
            QuestionAnswer(nomination_id=aase.id, question_id=plan.id, text_value="Grow."),
            QuestionAnswer(nomination_id=aase.id, question_id=fields.id, choices=["Physics"]),
            QuestionAnswer(nomination_id=aase.id, question_id=letter.id, attachment_id=document.id),
        ]
    )
    db.session.commit()
    client = make_client(admin.email)

    response = client.get(f"/exports/categories/{category.id}/nominations.csv")
    header, rows = csv_rows(response.get_data())
    assert header[-3:] == ["Research plan", "Fields", "Letter from the head"]
    by_name = {row[2]: row for row in rows}
    assert by_name["Åse Ødegård"][-3:] == ["Grow.", "Physics", "head.pdf"]
    assert by_name["Bent Berg"][-3:] == ["", "", ""]

    # The round's export: both categories' questions, each named with its category.
    header, rows = csv_rows(client.get(f"/exports/rounds/{award_round.id}/nominations.csv").data)
    assert "Employee of the Year: Nominated by a department" in header
    assert "Researcher of the Year: Research plan" in header

    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/exports/categories/{category.id}/attachments.zip").data)
    )
    names = archive.namelist()
    (entry,) = [n for n in names if n.endswith("head.pdf")]
    assert entry == f"{aase.id} Åse Ødegård/Letter from the head - head.pdf"
    assert archive.read(entry) == b"%PDF-1.4 the head's letter"


def test_questions_are_copied_with_the_category_into_next_year(app, admin):
    award_round = factories.award_round(
        "OUH Research Awards",
        year=2026,
        opens_at=from_local(date(2026, 1, 10), time(9, 0)),
        closes_at=from_local(date(2026, 3, 28), time(12, 0)),
    )
    category = factories.category(award_round, "Early Career Award", 200_000)
    ask(category, "short_text", "Main discovery", label_nb="Viktigste funn", word_limit=30)
    ask(
        category,
        "single_choice",
        "Stage",
        options="Early\nSenior",
        options_nb="Tidlig\nErfaren",
        required=True,
    )
    ask(
        category, "number", "Papers", min_value=Decimal(1), max_value=Decimal(9), whole_numbers=True
    )
    nominator = factories.user("nora@example.org", "Nora Nominator")
    answered = factories.nomination(category, nominator, "Nils")
    first = db.session.execute(db.select(CategoryQuestion)).scalars().first()
    db.session.add(QuestionAnswer(nomination_id=answered.id, question_id=first.id, text_value="X"))
    db.session.commit()

    copy = open_next_year(award_round, actor=admin)
    db.session.commit()
    (new_category,) = db.session.execute(
        db.select(AwardCategory).where(AwardCategory.round_id == copy.id)
    ).scalars()
    copied = list(
        db.session.execute(
            db.select(CategoryQuestion)
            .where(CategoryQuestion.category_id == new_category.id)
            .order_by(CategoryQuestion.position)
        ).scalars()
    )
    assert [(q.kind, q.label, q.label_nb) for q in copied] == [
        ("short_text", "Main discovery", "Viktigste funn"),
        ("single_choice", "Stage", ""),
        ("number", "Papers", ""),
    ]
    assert copied[0].word_limit == 30
    assert copied[1].required and copied[1].option_list_nb == ["Tidlig", "Erfaren"]
    assert (copied[2].min_value, copied[2].max_value, copied[2].whole_numbers) == (1, 9, True)
    # Answers stay with this year's nominations.
    assert {a.question_id for a in db.session.execute(db.select(QuestionAnswer)).scalars()} == {
        first.id
    }
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.clone")
    ).scalar_one()
    assert event.after["questions"] == 3


def test_the_demo_has_a_category_with_its_own_questions_and_an_answered_nomination(
    app, make_client
):
    from nominations.demo import DEMO_PASSWORD
    from nominations.models import Nomination

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    answered = db.session.execute(
        db.select(Nomination)
        .where(Nomination.nominee_name == "Ingrid Haugen")
        .join(AwardCategory)
        .where(AwardCategory.name == "Innovation Prize")
    ).scalar_one()
    kinds = (
        db.session.execute(
            db.select(CategoryQuestion.kind).where(
                CategoryQuestion.category_id == answered.category_id
            )
        )
        .scalars()
        .all()
    )
    assert set(kinds) >= {
        "short_text",
        "long_text",
        "single_choice",
        "multiple_choice",
        "yes_no",
        "number",
    }
    reviewer = make_client()
    reviewer.login("reviewer@example.org", DEMO_PASSWORD)  # reads bokmål
    page = reviewer.get(f"/review/nominations/{answered.id}").get_data(as_text=True)
    assert "Karrieretrinn" in page and "Gruppeleder" in page
    assert "Grunnforskning; Innovasjon" in page and "14" in page
