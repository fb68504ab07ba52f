"""Save changes nothing by itself, for the forms of nominators, reviewers and chairs: each one,
opened and sent back unchanged with its own button, leaves everything stored as it was (the
row, its documents, its scores), records no audit event and queues no e-mail.

What is posted is read out of the page the person sees (tests.page_forms); everything stored
is compared before and after (tests.round_trip). The admin forms:
tests/test_edit_round_trip.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from nominations.models import Decision, NominationStatus, db
from nominations.workflow.decisions import award_prize
from nominations.workflow.rubric import category_criteria
from tests import factories
from tests.nominating import fields, only_nomination, pdf
from tests.page_forms import form_values
from tests.review_setup import browser, world
from tests.round_trip import assert_saved_unchanged

# The buttons pressed, as (name, value).
SAVE_DRAFT = ("save_draft", "Save draft")
SUBMIT = ("submit_nomination", "Submit nomination")
SAVE_CHANGES = ("save_changes", "Save changes")
# Typed with blank lines, two spaces inside a line, indentation and a line break at the end.
STATEMENT = (
    "Nora built the single-cell platform.\r\n\r\n"
    "Three groups  now rely on it:\r\n"
    "  - tumour biology\r\n"
    "  - radiation biology\r\n"
)
COMMENT = "Strong record.\r\n\r\nLeadership  could be clearer.\r\n"


# --------------------------------------------------------------------------------------------
# The nominator's nomination form


@pytest.fixture
def dept(app):
    return factories.department("Avdeling for strålebiologi")


@pytest.fixture
def category(app):
    award_round = factories.award_round("OUH Research Awards")
    return factories.category(
        award_round,
        "Early Career Award",
        200_000,
        phd_within_years=8,
        department_nomination_allowed=True,
        requires_publications=True,
        max_support_letters=2,
    )


@pytest.fixture
def nominator(make_client, dept):
    factories.user("staff@example.org", "Sam Staff", dept=dept)
    return make_client("staff@example.org")


def _nominate(nominator, category, dept, button: tuple[str, str]) -> str:
    """A nomination typed in full through the form, with every kind of document; its URL."""
    typed = fields(
        dept,
        nominee_name="Nora Nominee",
        nominee_email="Nora.Nominee@Example.org",
        statement=STATEMENT,
        nominee_phd_date=date(2024, 6, 14).isoformat(),
        on_behalf_of_department_id=str(dept.id),
    )
    documents = {
        "cv": pdf("cv.pdf"),
        "publications": pdf("publications.pdf"),
        "support_letters": [pdf("letter one.pdf"), pdf("letter two.pdf")],
    }
    response = nominator.submit(
        f"/calls/{category.id}/nominate", {**typed, **documents, button[0]: button[1]}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    nomination = only_nomination()
    assert nomination.statement.startswith("Nora built") and "groups  now" in nomination.statement
    assert len(nomination.attachments) == 4
    return f"/nominations/{nomination.id}"


def _stored_files(app) -> list[str]:
    return sorted(str(p) for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file())


def test_saving_a_draft_nomination_unchanged(app, nominator, category, dept):
    url = _nominate(nominator, category, dept, SAVE_DRAFT)
    files = _stored_files(app)
    assert_saved_unchanged(nominator, url, action=url, button=SAVE_DRAFT)
    assert _stored_files(app) == files


def test_saving_a_half_typed_draft_unchanged(app, nominator, category):
    # No e-mail, department, position, date or documents yet: empty stays empty.
    response = nominator.submit(
        f"/calls/{category.id}/nominate",
        {"nominee_name": "Nora Nominee", "statement": STATEMENT, "save_draft": "Save draft"},
    )
    assert response.status_code == 302
    url = response.headers["Location"]
    assert_saved_unchanged(nominator, url, action=url, button=SAVE_DRAFT)


def test_saving_a_submitted_nomination_unchanged(app, nominator, category, dept):
    url = _nominate(nominator, category, dept, SUBMIT)
    assert only_nomination().status == NominationStatus.SUBMITTED
    files = _stored_files(app)
    assert_saved_unchanged(nominator, url, action=url, button=SAVE_CHANGES)
    assert _stored_files(app) == files


def test_saving_a_withdrawn_nomination_unchanged_keeps_it_withdrawn(app, nominator, category, dept):
    url = _nominate(nominator, category, dept, SUBMIT)
    response = nominator.submit(f"{url}/withdraw", {"confirmed": "1"}, page=url)
    assert response.status_code == 302
    assert only_nomination().status == NominationStatus.WITHDRAWN
    saved = assert_saved_unchanged(nominator, url, action=url, button=SAVE_DRAFT)
    page = nominator.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Nothing was changed." in page and "Withdrawn" in page


def test_removing_a_letter_makes_a_withdrawn_nomination_a_draft_again(
    app, nominator, category, dept
):
    url = _nominate(nominator, category, dept, SUBMIT)
    assert nominator.submit(f"{url}/withdraw", {"confirmed": "1"}, page=url).status_code == 302
    nomination = only_nomination()
    last_change = nomination.updated_at
    letter = next(a for a in nomination.attachments if a.kind == "support_letter")
    # The form as it came, with one letter ticked for removal: a change to the documents only.
    pairs = form_values(nominator.get(url).get_data(as_text=True), url)
    pairs += [("remove_documents", str(letter.id)), SAVE_DRAFT]
    assert nominator.post(url, data=MultiDict(pairs)).status_code == 302
    nomination = only_nomination()
    assert nomination.status == NominationStatus.DRAFT and len(nomination.attachments) == 3
    assert nomination.updated_at > last_change


# --------------------------------------------------------------------------------------------
# The reviewer's review form


def _review_url(app, w, button: tuple[str, str], scored: int | None = None):
    """The reviewer's browser and the review page, with a review typed through the form
    (the first ``scored`` criteria scored, lowest and highest of the scale in turn)."""
    client = browser(app, w.reviewer.email)
    url = f"/review/nominations/{w.nominations['other'].id}"
    criteria = category_criteria(w.category)
    scores = {
        f"score_{c.id}": str(c.scale_max if i % 2 else c.scale_min) if i < (scored or 99) else ""
        for i, c in enumerate(criteria)
    }
    typed = {**scores, "recommendation": "support", "comment": COMMENT, button[0]: button[1]}
    response = client.submit(url, typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return client, url


def _says_nothing_changed(client, saved) -> None:
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Nothing was changed." in page
    assert "saved." not in page and "is submitted." not in page


def test_saving_a_half_scored_draft_review_unchanged(app):
    w = world()
    client, url = _review_url(app, w, SAVE_DRAFT, scored=2)
    _says_nothing_changed(client, assert_saved_unchanged(client, url, button=SAVE_DRAFT))


def test_updating_a_submitted_review_unchanged(app):
    w = world()
    client, url = _review_url(app, w, ("submit_review", "Submit review"))
    button = ("submit_review", "Update submitted review")
    _says_nothing_changed(client, assert_saved_unchanged(client, url, button=button))


# --------------------------------------------------------------------------------------------
# The chair's decisions page


def test_saving_the_recorded_citations_unchanged(app):
    w = world(prize_count=2)
    award_prize(
        w.nominations["other"], "For the platform.\n\nAnd  for the teaching.", actor=w.chair
    )
    award_prize(w.target, "For the clinical trial.", actor=w.chair)
    db.session.commit()
    chair = browser(app, w.chair.email)
    url = f"/review/categories/{w.category.id}/decisions"
    for decision in db.session.execute(db.select(Decision)).scalars().all():
        assert_saved_unchanged(chair, url, action=f"/review/decisions/{decision.id}/citation")
