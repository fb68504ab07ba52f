"""The demo's questions of a category, one of each common kind, and the answers of the demo
nomination that answers them."""

from __future__ import annotations

from decimal import Decimal

from nominations.models import AwardCategory, Nomination, QuestionAnswer, db
from nominations.policy import SYSTEM  # the loader sets up questions before any admin exists
from nominations.workflow.questions.definitions import QuestionData, add_question

# A category's own questions, one of each common kind: (kind, English, bokmål, extra).
QUESTIONS = (
    (
        "short_text",
        "The nominee's most important result, in one sentence",
        "Kandidatens viktigste resultat, i én setning",
        {"word_limit": 40, "required": True},
    ),
    (
        "long_text",
        "What will the prize make possible?",
        "Hva vil prisen gjøre mulig?",
        {"word_limit": 200, "help_text": "Plans for the next two years."},
    ),
    (
        "single_choice",
        "Career stage",
        "Karrieretrinn",
        {
            "options": "PhD candidate\nPostdoctoral fellow\nGroup leader",
            "options_nb": "Doktorgradsstipendiat\nPostdoktor\nGruppeleder",
            "required": True,
        },
    ),
    (
        "multiple_choice",
        "Fields of work",
        "Fagfelt",
        {
            "options": "Basic research\nClinical research\nInnovation",
            "options_nb": "Grunnforskning\nKlinisk forskning\nInnovasjon",
        },
    ),
    ("yes_no", "Has the nominee received this prize before?", "Har kandidaten fått prisen før?",
     {"required": True}),
    (
        "number",
        "Publications as first or last author in the last five years",
        "Publikasjoner som første- eller sisteforfatter de siste fem årene",
        {"min_value": Decimal(0), "max_value": Decimal(500), "whole_numbers": True},
    ),
)  # fmt: skip


def ask_questions(category: AwardCategory) -> list:
    return [
        add_question(
            category,
            QuestionData(kind=kind, label=label, label_nb=label_nb, **extra),
            actor=SYSTEM,
        )
        for kind, label, label_nb, extra in QUESTIONS
    ]


def answer(nomination: Nomination, questions: list) -> None:
    """The demo nomination's answers, one per question above."""
    short, plan, stage, fields, before, papers = questions
    db.session.add_all(
        [
            QuestionAnswer(
                nomination_id=nomination.id,
                question_id=short.id,
                text_value="Organoids that predict which patients respond to treatment.",
            ),
            QuestionAnswer(
                nomination_id=nomination.id,
                question_id=plan.id,
                text_value="Open the organoid platform to the hospital's clinical trials.",
            ),
            QuestionAnswer(
                nomination_id=nomination.id, question_id=stage.id, text_value="Group leader"
            ),
            QuestionAnswer(
                nomination_id=nomination.id,
                question_id=fields.id,
                choices=["Basic research", "Innovation"],
            ),
            QuestionAnswer(nomination_id=nomination.id, question_id=before.id, bool_value=False),
            QuestionAnswer(
                nomination_id=nomination.id, question_id=papers.id, number_value=Decimal(14)
            ),
        ]
    )
