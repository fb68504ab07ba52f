"""The calls page and the calls feed keep what they render per content (calls.listing,
public.views): a change to a round or a category, made anywhere, shows on the next request, in
both languages, and what differs per visitor (sign-in state, own nominations, the CSRF token,
the time left) is never shared between visitors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import jsonify, template_rendered

from nominations.models import AwardCategory, AwardRound, RoundStatus, db
from tests import factories
from tests.conftest import make_test_app
from tests.nominating import text

NB = {"Accept-Language": "nb"}
EN = {"Accept-Language": "en"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def call(app):
    award_round = factories.award_round("Research Prizes", name_nb="Forskningspriser")
    category = factories.category(
        award_round, "Young Researcher", 100_000, name_nb="Ung forsker", funder="The Fund"
    )
    ids = award_round.id, category.id
    db.session.rollback()  # as a request starts: no transaction going on
    return ids


@pytest.fixture
def other_app(database_url, tmp_path):
    """Another instance of the app on the same database (another worker, another host)."""
    other = make_test_app(database_url, tmp_path / "other-uploads")
    yield other
    with other.app_context():
        db.engine.dispose()


def change(app, model, ident: int, **values) -> None:
    with app.app_context():
        row = db.session.get(model, ident)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()
        db.session.remove()


def both_languages(client) -> tuple[str, str]:
    return text(client.get("/calls", headers=EN)), text(client.get("/calls", headers=NB))


@pytest.mark.parametrize(
    "model, values, english, bokmal",
    [
        (AwardCategory, {"name": "Early Career Prize"}, "Early Career Prize", "Ung forsker"),
        (AwardCategory, {"name_nb": "Tidlig karriere"}, "Young Researcher", "Tidlig karriere"),
        (AwardRound, {"name": "Science Prizes"}, "Science Prizes", "Forskningspriser"),
        (AwardRound, {"name_nb": "Vitenskapspriser"}, "Research Prizes", "Vitenskapspriser"),
        (AwardCategory, {"prize_amount": 250_000}, "250,000", "250"),
        (AwardCategory, {"funder": "The Foundation"}, "The Foundation", "The Foundation"),
        (AwardCategory, {"description": "For the bold."}, "For the bold.", "For the bold."),
    ],
)
def test_a_change_made_by_another_instance_shows_on_the_next_request_in_both_languages(
    client, call, other_app, model, values, english, bokmal
):
    round_id, category_id = call
    before_en, before_nb = both_languages(client)  # both kept now
    assert english not in before_en or bokmal not in before_nb
    change(other_app, model, round_id if model is AwardRound else category_id, **values)
    after_en, after_nb = both_languages(client)
    assert english in after_en
    assert bokmal in after_nb


def test_a_new_closing_date_and_a_closed_status_show_on_the_next_request(client, call, other_app):
    round_id, _ = call
    page = text(client.get("/calls", headers=EN))
    assert "Open calls" in page and "No call is open" not in page
    closes = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3, hours=5)
    change(other_app, AwardRound, round_id, closes_at=closes)
    page = text(client.get("/calls", headers=EN))
    assert "3 days 4 hours left" in page or "3 days 5 hours left" in page
    change(other_app, AwardRound, round_id, status=RoundStatus.CLOSED)
    page = text(client.get("/calls", headers=EN))
    assert "No call is open for nominations at the moment." in page
    assert "Closed calls" in page and "Young Researcher" in page


def test_a_category_added_or_removed_elsewhere_shows_on_the_next_request(client, call, other_app):
    round_id, category_id = call
    assert "Senior Prize" not in text(client.get("/calls"))
    with other_app.app_context():
        db.session.add(
            AwardCategory(round_id=round_id, name="Senior Prize", prize_amount=5, position=9)
        )
        db.session.commit()
        db.session.remove()
    assert "Senior Prize" in text(client.get("/calls"))
    with other_app.app_context():
        db.session.delete(db.session.get(AwardCategory, category_id))
        db.session.commit()
        db.session.remove()
    page = text(client.get("/calls"))
    assert "Senior Prize" in page and "Young Researcher" not in page


def test_the_feed_shows_a_change_made_by_another_instance_on_the_next_request(
    client, call, other_app
):
    _, category_id = call
    first = client.get("/calls.json").get_json()
    assert [c["category_nb"] for c in first["calls"]] == ["Ung forsker"]
    change(other_app, AwardCategory, category_id, name_nb="Ung forskar", prize_amount=7)
    second = client.get("/calls.json").get_json()
    assert [(c["category_nb"], c["prize_amount"]) for c in second["calls"]] == [("Ung forskar", 7)]
    later = datetime.now(UTC) + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        third = client.get("/calls.json").get_json()
    assert third["generated_at"] != second["generated_at"]
    assert third["calls"] == second["calls"]


def test_the_feed_is_written_as_jsonify_writes_it(app, client, call):
    for _ in range(2):  # serialized, then kept
        response = client.get("/calls.json")
        assert response.mimetype == "application/json"
        assert response.get_data() == jsonify(**response.get_json()).get_data()


def test_each_language_gets_its_own_page_from_what_is_kept(client, call):
    for _ in range(2):  # rendered, then kept
        english = client.get("/calls", headers=EN)
        bokmal = client.get("/calls", headers=NB)
        assert '<html lang="en"' in english.get_data(as_text=True)
        assert '<html lang="nb"' in bokmal.get_data(as_text=True)
        assert "Open calls" in text(english) and "Young Researcher" in text(english)
        assert "Åpne utlysninger" in text(bokmal) or "Ung forsker" in text(bokmal)
        assert "Ung forsker" in text(bokmal) and "Young Researcher" not in text(bokmal)
        for response in (english, bokmal):
            assert "Accept-Language" in response.headers["Vary"]
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
            assert response.headers["X-Frame-Options"] == "DENY"


def test_the_time_left_follows_the_clock_on_a_kept_page(client, call, other_app):
    round_id, _ = call
    closes = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)
    later = closes + timedelta(days=30)
    change(other_app, AwardRound, round_id, closes_at=closes, review_deadline=later)
    with time_machine.travel(closes - timedelta(days=2, hours=3), tick=False):
        assert "2 days 3 hours left" in text(client.get("/calls", headers=EN))
    with time_machine.travel(closes - timedelta(minutes=40), tick=False):
        assert "40 minutes left" in text(client.get("/calls", headers=EN))
    with time_machine.travel(closes + timedelta(minutes=1), tick=False):
        page = text(client.get("/calls", headers=EN))
    assert "left" not in page and "No call is open for nominations at the moment." in page


def test_each_anonymous_visitor_gets_a_csrf_token_of_his_own_that_works(make_client, call):
    first, second = make_client(), make_client()
    tokens = []
    for visitor in (first, second):
        page = visitor.get("/calls").get_data(as_text=True)
        assert "Sign in</a> to nominate" in page
        tokens.append(CSRF.search(page).group(1))
    assert tokens[0] != tokens[1]
    switched = first.post(
        "/language", data={"csrf_token": tokens[0], "language": "nb", "next": "/calls"}
    )
    assert switched.status_code == 303
    assert '<html lang="nb"' in first.get("/calls").get_data(as_text=True)
    refused = second.post(
        "/language", data={"csrf_token": tokens[0], "language": "nb", "next": "/calls"}
    )
    assert refused.status_code == 400


def test_own_nominations_and_sign_in_state_are_never_shared(make_client, staff, call):
    _, category_id = call
    anonymous = make_client()
    assert "Your nominations here:" not in text(anonymous.get("/calls"))
    nominator = make_client(staff.email)
    nominator.submit(f"/calls/{category_id}/nominate", {"nominee_name": "Nora", "save_draft": "1"})
    mine = nominator.get("/calls")
    assert "Your nominations here:" in text(mine) and ">draft</a>" in mine.get_data(as_text=True)
    assert "Sign out" in text(mine) and "to nominate" not in text(mine)
    assert mine.headers["Cache-Control"] == "no-store"
    again = anonymous.get("/calls")
    assert "Your nominations here:" not in text(again) and "Sign out" not in text(again)
    assert "no-store" not in again.headers.get("Cache-Control", "")


def test_a_flashed_message_is_shown_on_the_calls_page(make_client, call):
    visitor = make_client()
    visitor.get("/calls")  # the page kept for anonymous visitors
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Something to say.")]
    assert "Something to say." in text(visitor.get("/calls"))
    assert "Something to say." not in text(visitor.get("/calls"))


def test_the_list_is_rendered_once_per_content_and_language(app, make_client, staff, call):
    rendered: list[str] = []

    def note(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(note, app)
    try:
        anonymous, nominator = make_client(), make_client(staff.email)
        anonymous.get("/calls", headers=EN)
        assert "calls/_round.html" in rendered
        rendered.clear()
        anonymous.get("/calls", headers=EN)
        nominator.get("/calls", headers=EN)
        assert rendered == ["calls/index.html"]  # the signed-in page; the list was kept
        rendered.clear()
        anonymous.get("/calls", headers=NB)
        assert "calls/_round.html" in rendered
    finally:
        template_rendered.disconnect(note, app)
