"""Names cannot be disguised: text-direction and zero-width characters are refused at input
with a message at the field, and names shown on pages are isolated (``<bdi>``) so that one
written right to left cannot reorder the text after it."""

from __future__ import annotations

import pytest

from nominations.models import AwardCategory, AwardRound, Nomination, User, db
from nominations.workflow import WorkflowError
from nominations.workflow.accounts import get_or_create_department
from tests import factories
from tests.nominating import field_errors, fields, text
from tests.test_admin_rounds import ROUND

OVERRIDE = "Ola \u202eNordmann"  # shows as "Ola nnamdroN"
ZERO_WIDTH = "Ola\u200bNordmann"  # looks like "OlaNordmann"
# Embeddings, overrides, isolates, direction marks, zero-width characters.
DISGUISING = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]] + list(
    "\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"
)


@pytest.mark.parametrize("name", [OVERRIDE, ZERO_WIDTH], ids=["override", "zero-width"])
def test_a_nominee_name_with_hidden_characters_gets_a_form_error(make_client, staff, name):
    dept = factories.department()
    category = factories.category(factories.award_round())
    nominator = make_client("staff@example.org")
    response = nominator.submit(
        f"/calls/{category.id}/nominate",
        {**fields(dept, nominee_name=name), "save_draft": "Save draft"},
    )
    assert response.status_code == 200
    assert any(
        "invisible or text-direction characters" in m
        for m in field_errors(response, "nominee_name")
    )
    assert db.session.execute(db.select(Nomination)).first() is None


def test_a_user_name_with_hidden_characters_gets_a_form_error(make_client, admin):
    chief = make_client("admin@example.org")
    response = chief.submit(
        "/admin/users/new",
        {
            "email": "ola@example.org",
            "name": OVERRIDE,
            "department_id": "0",
            "is_staff": "y",
            "active": "y",
            "password": "long enough password",
        },
    )
    assert response.status_code == 200
    assert "U+202E" in text(response) and "invisible or text-direction" in text(response)
    assert (
        db.session.execute(db.select(User).where(User.email == "ola@example.org")).first() is None
    )


def test_round_and_category_names_with_hidden_characters_get_a_form_error(make_client, admin):
    chief = make_client("admin@example.org")
    response = chief.submit("/admin/rounds/new", dict(ROUND, name="ICR \u2067Prizes"))
    assert response.status_code == 200
    assert "invisible or text-direction characters (U+2067)" in text(response)
    assert db.session.execute(db.select(AwardRound)).first() is None

    award_round = factories.award_round()
    response = chief.submit(
        f"/admin/rounds/{award_round.id}/categories/new",
        {"name": "Prize\ufeff", "prize_amount": "1000", "prize_count": "1", "word_limit": "100"},
    )
    assert response.status_code == 200
    assert "invisible or text-direction characters (U+FEFF)" in text(response)
    assert db.session.execute(db.select(AwardCategory)).first() is None


def test_every_disguising_character_is_refused_in_department_names(app):
    for ch in DISGUISING:
        with pytest.raises(WorkflowError):
            get_or_create_department(f"Department{ch} of Tumor Biology")
    # Letters of right-to-left scripts are names like any other.
    assert get_or_create_department("قسم بيولوجيا الأورام").name == "قسم بيولوجيا الأورام"


def test_stored_names_are_shown_isolated(make_client, admin, staff):
    dept = factories.department()
    category = factories.category(factories.award_round())
    nominator = make_client("staff@example.org")
    response = nominator.submit(
        f"/calls/{category.id}/nominate", {**fields(dept), "save_draft": "Save draft"}
    )
    assert response.status_code == 302
    # Written into the database directly, as an import or an older version might have.
    nomination = db.session.execute(db.select(Nomination)).scalar_one()
    nomination.nominee_name = OVERRIDE
    staff.name = "Sam \u202eStaff"
    dept.name = "\u202bTumor Biology"
    db.session.commit()

    mine = nominator.get("/nominations/mine").get_data(as_text=True)
    assert "<bdi>Ola \u202eNordmann</bdi>" in mine
    own = nominator.get(f"/nominations/{nomination.id}").get_data(as_text=True)
    assert "<bdi>Sam \u202eStaff</bdi>" in own  # the signed-in name in the menu

    chief = make_client("admin@example.org")
    listing = chief.get("/admin/nominations").get_data(as_text=True)
    assert "<bdi>Ola \u202eNordmann</bdi>" in listing
    assert "<bdi>Sam \u202eStaff</bdi>" in listing
    users = chief.get("/admin/users").get_data(as_text=True)
    assert "<bdi>Sam \u202eStaff</bdi>" in users
    assert "<bdi>\u202bTumor Biology</bdi>" in listing
    review = chief.get(f"/admin/nominations/{nomination.id}").get_data(as_text=True)
    assert "<h1><bdi>Ola \u202eNordmann</bdi>" in review
