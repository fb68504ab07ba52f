"""After a refused submit the page says what is wrong where a screen reader meets it first:
an error summary at the top of the form that takes the focus and links to each field, and at
each field its message, tied to it with aria-describedby. A file field that already holds a
file says so. Forms keep the markup the HTML checker accepts (no repeated ids, no empty
action) on pages with several of them (issue 14)."""

from __future__ import annotations

import re

import pytest

from nominations.models import Panel, db
from nominations.workflow.conflicts import sync_automatic_conflicts
from tests import factories
from tests.form_markup import form_problems, message, summary
from tests.nominating import fields, pdf
from tests.results_helpers import decide
from tests.review_setup import browser, world

SAVE = {"save_draft": "Save draft"}
SUBMIT = {"submit_nomination": "Submit nomination"}


def html(response) -> str:
    return response.get_data(as_text=True)


def test_a_refused_form_leads_with_a_summary_linking_every_field_it_names(make_client, admin):
    chief = make_client(admin.email)
    response = chief.submit("/admin/rounds/new", {"name": "", "year": "", "opens_date": ""})
    page = html(response)
    assert response.status_code == 200
    assert form_problems(page) == []
    found = summary(page)
    assert found is not None and found.text.startswith("There is a problem")
    hrefs = [href for href, _ in found.links]
    assert {"#name", "#year", "#opens_date", "#closes_date", "#review_date"} <= set(hrefs)
    # The summary comes first in the form, before the first field.
    assert page.index("data-error-summary") < page.index('id="name"')
    # Each link names its field and says what is wrong, as the field's own message does.
    [name_link] = [text for href, text in found.links if href == "#name"]
    assert name_link == f"Name (English): {message(page, 'name-error')}"
    assert 'aria-describedby="name-error"' in page and 'aria-invalid="true"' in page


def test_the_nomination_form_summary_links_to_fields_and_radio_buttons(make_client, staff):
    dept = factories.department("Division of Radiation Biology")
    staff_user = staff
    staff_user.department_id = dept.id
    db.session.commit()
    category = factories.category(
        factories.award_round(), "Employee of the Year", department_nomination_allowed=True
    )
    nominator = make_client(staff.email)
    response = nominator.submit(
        f"/calls/{category.id}/nominate",
        {**fields(dept, nominee_email="not an address"), "on_behalf_of_department_id": "999"},
    )
    page = html(response)
    assert response.status_code == 200
    assert form_problems(page) == []
    hrefs = [href for href, _ in summary(page).links]
    assert "#nominee_email" in hrefs
    assert "#on_behalf_of_department_id-0" in hrefs  # the first radio button of the group
    assert 'id="on_behalf_of_department_id-0"' in page


def test_a_refused_submission_lists_the_missing_document_and_the_draft_note(make_client, staff):
    dept = factories.department()
    category = factories.category(factories.award_round(), requires_publications=True)
    nominator = make_client(staff.email)
    response = nominator.submit(
        f"/calls/{category.id}/nominate", {**fields(dept, nominee_position=""), **SUBMIT}
    )
    page = html(response)
    assert form_problems(page) == []
    found = summary(page)
    assert "Your draft is saved, but it cannot be submitted" in found.text
    hrefs = [href for href, _ in found.links]
    assert {"#nominee_position", "#cv", "#publications"} <= set(hrefs)


def test_a_winners_citation_sent_empty_is_refused_at_its_own_field(app):
    w = world(prize_count=2)
    decision = decide(w.nominations["other"], "A fine citation.")
    chair = browser(app, w.chair.email)
    url = f"/review/categories/{w.category.id}/decisions"
    response = chair.submit(f"/review/decisions/{decision.id}/citation", {}, page=url)
    page = html(response)
    assert response.status_code == 200
    assert form_problems(page) == []
    field_id = f"d{decision.id}-citation"
    assert [href for href, _ in summary(page).links] == [f"#{field_id}"]
    assert message(page, f"{field_id}-error") == "Write a short citation."
    assert re.search(rf'aria-describedby="{field_id}-error"[^>]*id="{field_id}"', page)
    assert db.session.get(type(decision), decision.id).citation == "A fine citation."


def test_a_conflict_cleared_without_a_reason_is_refused_at_its_row(app):
    w = world()
    sync_automatic_conflicts(w.award_round)  # the scheduler's close does it
    db.session.commit()
    chair = browser(app, w.chair.email)
    page = html(chair.get(f"/review/rounds/{w.award_round.id}/conflicts"))
    [conflict_id] = re.findall(r'action="/review/conflicts/(\d+)/clear"', page)
    response = chair.submit(
        f"/review/conflicts/{conflict_id}/clear",
        {"reason": ""},
        page=f"/review/rounds/{w.award_round.id}/conflicts",
    )
    page = html(response)
    assert response.status_code == 200
    assert form_problems(page) == []
    assert [href for href, _ in summary(page).links] == [f"#reason-{conflict_id}"]
    assert message(page, f"reason-{conflict_id}-error") == "Give the reason (it is logged)."


def test_a_form_level_refusal_is_in_the_summary_without_a_link(client, staff):
    response = client.submit("/login", {"email": staff.email, "password": "not the password"})
    page = html(response)
    found = summary(page)
    assert found is not None and found.links == []
    assert "password" in found.text.lower()
    assert form_problems(page) == []


def test_pages_with_several_forms_repeat_no_id_and_post_to_real_addresses(app):
    """The panel page once repeated ``csrf_token`` and ``submit`` (two forms) and the review
    form had ``action=""``: the HTML checker's errors."""
    w = world()
    admin = browser(app, w.admin.email)
    panel_id = db.session.execute(db.select(Panel.id)).scalar_one()
    pages = [
        f"/admin/panels/{panel_id}",
        f"/admin/rounds/{w.award_round.id}",
        f"/admin/categories/{w.category.id}/rubric",
        f"/admin/users/{w.reviewer.id}",
        f"/review/categories/{w.category.id}/decisions",
        f"/review/rounds/{w.award_round.id}/conflicts",
        f"/review/rounds/{w.award_round.id}/decisions",
    ]
    decide(w.nominations["other"], "Citation.")
    for url in pages:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert form_problems(html(response)) == [], url
    reviewer = browser(app, w.reviewer.email)
    page = html(reviewer.get(f"/review/nominations/{w.nominations['other'].id}"))
    assert "<form" in page and form_problems(page) == []
    assert 'action=""' not in page


# --------------------------------------------------------------------------------------------
# A file field that already holds a file


@pytest.fixture
def letters_category(app):
    return factories.category(
        factories.award_round(), requires_publications=True, max_support_letters=2
    )


def test_a_document_field_names_the_file_it_holds_and_no_longer_asks_for_one(
    make_client, staff, letters_category
):
    dept = factories.department()
    nominator = make_client(staff.email)
    new = nominator.submit(f"/calls/{letters_category.id}/nominate", {})
    assert message(html(new), "cv-help") == "Required."
    assert message(html(new), "publications-help") == "Required."
    saved = nominator.submit(
        f"/calls/{letters_category.id}/nominate",
        {**fields(dept), "cv": pdf("my-cv.pdf"), "support_letters": pdf("letter.pdf"), **SAVE},
    )
    assert saved.status_code == 302
    page = html(nominator.get(saved.headers["Location"]))
    assert message(page, "cv-help") == "Already uploaded: my-cv.pdf (upload again to replace)."
    assert message(page, "publications-help") == "Required."  # still none
    assert message(page, "support_letters-help").startswith(
        "Already uploaded: letter.pdf (new letters are added)."
    )
    assert re.search(r'aria-describedby="cv-help"[^>]*id="cv"', page)
    assert form_problems(page) == []


def test_a_refused_submission_that_kept_the_cv_says_so_at_the_cv_field(
    make_client, staff, letters_category
):
    """The draft is saved with the CV even though the submission is refused (publication list
    missing): the page must not ask for the CV again."""
    dept = factories.department()
    nominator = make_client(staff.email)
    response = nominator.submit(
        f"/calls/{letters_category.id}/nominate",
        {**fields(dept), "cv": pdf("cv.pdf"), **SUBMIT},
    )
    page = html(response)
    assert response.status_code == 200
    assert message(page, "cv-help") == "Already uploaded: cv.pdf (upload again to replace)."
    hrefs = [href for href, _ in summary(page).links]
    assert "#publications" in hrefs and "#cv" not in hrefs
