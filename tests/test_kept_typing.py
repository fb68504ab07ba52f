"""Nothing typed lost (issue 12, point 6): a nomination form that arrives after its CSRF token or
its sign-in expired answers with what was typed and a form that sends it again; nothing is
stored until the sender is signed in with a valid token, and then exactly once."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from nominations.models import Nomination, User, db
from nominations.timeutil import now
from tests import factories
from tests.nominating import fields, pdf, text

STATEMENT = "Nora built the single-cell platform; three groups rely on it <every> day."
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
SUBMIT = {"submit_nomination": "Submit nomination"}


@pytest.fixture
def dept(app):
    return factories.department("Department of Tumor Biology")


@pytest.fixture
def category(app):
    closes = now() + timedelta(days=20)
    award_round = factories.award_round(
        "ICR Prizes", opens_at=closes - timedelta(days=30), closes_at=closes
    )
    return factories.category(award_round, "Researcher of the Year", 100_000, requires_cv=False)


def kept_form(response) -> dict[str, str]:
    """The hidden fields of the page's form, as the browser would send them."""
    return {
        html.unescape(name): html.unescape(value)
        for name, value in HIDDEN.findall(response.get_data(as_text=True))
    }


def stored() -> list[Nomination]:
    db.session.expire_all()
    return list(db.session.execute(db.select(Nomination)).scalars())


def typed(dept) -> dict:
    return {**fields(dept, statement=STATEMENT), **SUBMIT}


def test_an_expired_csrf_token_keeps_what_was_typed(make_client, staff, dept, category):
    nominator = make_client(staff.email)
    url = f"/calls/{category.id}/nominate"
    nominator.get(url)
    response = nominator.post(
        url, data={**typed(dept), "csrf_token": "expired", "cv": pdf(), "form_token": "t" * 32}
    )
    assert response.status_code == 400
    page = text(response)
    assert "The form had expired, so nothing was saved yet." in page
    assert STATEMENT in page  # shown to copy, and carried
    assert "choose the files again" in page
    assert stored() == []

    again = kept_form(response)
    assert again["statement"] == STATEMENT and again["form_token"] == "t" * 32
    sent = nominator.post(url, data={**again, **SUBMIT})
    assert sent.status_code == 302
    [nomination] = stored()
    assert (nomination.statement, nomination.status) == (STATEMENT, "submitted")


def test_an_expired_sign_in_keeps_what_was_typed_until_signed_in_again(
    make_client, staff, dept, category
):
    nominator = make_client(staff.email)
    url = f"/calls/{category.id}/nominate"
    token = nominator.csrf_token(url)
    user = db.session.get(User, staff.id)
    user.end_sessions()  # the sign-in expires (or was ended elsewhere) while the form is open
    db.session.commit()

    response = nominator.post(url, data={**typed(dept), "csrf_token": token})
    assert response.status_code == 401  # not a redirect that drops the POST
    page = text(response)
    assert "Your sign-in has expired, so nothing was saved." in page
    assert 'href="/login" target="_blank"' in page
    assert STATEMENT in page
    assert stored() == []
    carried = kept_form(response)

    nominator.login(staff.email)  # in another tab: a new session, a new CSRF secret
    first = nominator.post(url, data={**carried, **SUBMIT})
    assert first.status_code == 400  # the page's token was the signed-out session's
    assert "The form had expired, so nothing was saved yet." in text(first)
    assert stored() == []
    sent = nominator.post(url, data={**kept_form(first), **SUBMIT})
    assert sent.status_code == 302
    [nomination] = stored()
    assert (nomination.statement, nomination.nominee_name) == (STATEMENT, "Nora Nominee")


def test_an_edit_after_the_sign_in_expired_is_kept_and_reveals_nothing(
    make_client, client, staff, dept, category
):
    nominator = make_client(staff.email)
    saved = nominator.submit(
        f"/calls/{category.id}/nominate", {**fields(dept), "save_draft": "Save draft"}
    )
    url = saved.headers["Location"]
    response = client.post(url, data={**typed(dept), "csrf_token": client.csrf_token("/login")})
    assert response.status_code == 401
    page = text(response)
    assert STATEMENT in page
    assert "Nora Nominee" in page  # only what this request carried, nothing stored
    assert "Researcher of the Year" not in page
    [nomination] = stored()
    assert nomination.statement != STATEMENT
