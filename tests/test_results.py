"""Publishing results: exactly the winners become public, once, and the people concerned are
told once."""

from datetime import date

import pytest

from nominations.models import (
    AuditEvent,
    NominationStatus,
    OutboxMessage,
    ReminderKind,
    ReminderRule,
    RoundStatus,
    db,
)
from nominations.workflow import PermissionDenied, WorkflowError
from nominations.workflow.results import publish_round
from tests import factories
from tests import results_helpers as h


@pytest.fixture
def decided(app, admin):
    """A decided round: two categories, winners, a loser, a withdrawn and a draft nomination."""
    award_round = h.closed_round("OUH Research Awards", ceremony_on=date(2031, 12, 11))
    excellent = factories.category(
        award_round,
        "Excellent Researcher Award",
        400_000,
        funder="Radium Hospital Foundation",
    )
    early = factories.category(award_round, "Early Career Award", 200_000, prize_count=2)
    empty = factories.category(award_round, "Employee of the Year", 50_000)
    dept = factories.department("Department of Cancer Genetics")
    nominator = factories.user("nora@example.org", "Nora Nominator")
    other = factories.user("olav@example.org", "Olav Other")
    winner = factories.nomination(
        excellent, nominator, "Wenche Winner", "Wenche.Winner@example.org", department=dept
    )
    loser = factories.nomination(
        excellent, other, "Lars Loser", "lars@example.org", status=NominationStatus.NOT_AWARDED
    )
    withdrawn = factories.nomination(
        early, other, "Wilma Withdrawn", "wilma@example.org", status=NominationStatus.WITHDRAWN
    )
    draft = factories.nomination(
        early, other, "Dag Draft", "dag@example.org", status=NominationStatus.DRAFT
    )
    early_winner = factories.nomination(early, other, "Erik Early", "erik@example.org")
    h.decide(winner, "For pioneering work on tumour immunology.", decided_by=admin)
    h.decide(early_winner, "For a remarkable first decade.", decided_by=admin)
    h.set_status(award_round, RoundStatus.DECIDED)
    return {
        "round": award_round,
        "categories": (excellent, early, empty),
        "winner": winner,
        "early_winner": early_winner,
        "loser": loser,
        "withdrawn": withdrawn,
        "draft": draft,
    }


def test_unpublished_results_are_not_found_for_anyone(client, decided, make_client):
    award_round = decided["round"]
    for status in (RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.DECIDED):
        h.set_status(award_round, status)
        assert client.get(f"/results/{award_round.id}").status_code == 404
        admin_client = make_client("admin@example.org")
        assert admin_client.get(f"/results/{award_round.id}").status_code == 404
    assert client.get("/results/999999").status_code == 404
    history = client.get("/results/").get_data(as_text=True)
    assert "Wenche Winner" not in history and "No results have been published yet." in history


def test_admin_publishes_and_exactly_the_winners_become_public(client, decided):
    award_round = decided["round"]
    client.login("admin@example.org")
    round_page = client.get(f"/admin/rounds/{award_round.id}").get_data(as_text=True)
    assert "Publish results" in round_page and "data-confirm=" in round_page
    assert "Wenche Winner" in round_page  # the admin sees what will be published

    response = client.submit(
        f"/admin/rounds/{award_round.id}/publish",
        {"confirmed": "1"},
        page=f"/admin/rounds/{award_round.id}",
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert f"The results of {award_round.title} are published." in body
    assert "Publish results" not in body

    page = client.get(f"/results/{award_round.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in (
        "Wenche Winner",
        "For pioneering work on tumour immunology.",
        "Department of Cancer Genetics",
        "NOK 400,000",
        "Radium Hospital Foundation",
        "Erik Early",
        "NOK 200,000",
        "each of 2 prizes",
        "11 December 2031",
        "Employee of the Year",
        "No prize was awarded in this category.",
    ):
        assert expected in text, expected
    for hidden in ("Lars Loser", "Wilma Withdrawn", "Dag Draft", "nora@example.org"):
        assert hidden not in text, hidden
    assert text.count('class="card mb-2 winner"') == 2

    award_round = db.session.get(type(award_round), award_round.id)
    assert award_round.status == RoundStatus.PUBLISHED and award_round.published_at is not None


def test_publishing_tells_nominators_and_nominees_once(app, decided, admin):
    award_round = decided["round"]
    queued = publish_round(award_round, actor=admin)
    db.session.commit()  # the test is the edge: workflow functions only flush
    messages = db.session.execute(db.select(OutboxMessage)).scalars().all()
    # Nominators and nominees of nominations that went in and stayed in (winners and losers);
    # not the nominee of a withdrawn nomination nor of a draft.
    assert {m.recipient for m in messages} == {
        "nora@example.org",
        "wenche.winner@example.org",
        "olav@example.org",
        "lars@example.org",
        "erik@example.org",
    }
    assert queued == len(messages) == 5
    assert {m.dedupe_key for m in messages} == {
        f"results_published:{award_round.id}:{m.recipient}" for m in messages
    }
    message = next(m for m in messages if m.recipient == "nora@example.org")
    assert message.subject == f"Results of {award_round.title} are published"
    assert "Hello Nora Nominator," in message.body_text
    assert f"http://localhost/results/{award_round.id}" in message.body_text
    assert "11 December 2031" in message.body_text
    assert f'href="http://localhost/results/{award_round.id}"' in message.body_html

    # Twice: refused, and nobody is told again.
    with pytest.raises(WorkflowError, match="already published"):
        publish_round(award_round, actor=admin)
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar() == 5

    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.publish")
    ).scalar_one()
    assert event.actor_id == admin.id and event.round_id == award_round.id
    assert event.before["status"] == "decided" and event.after["status"] == "published"
    assert "Wenche Winner (Excellent Researcher Award)" in event.after["winners"]
    assert event.after["notifications_queued"] == 5


def test_publishing_twice_over_http_is_refused_with_a_message(client, decided):
    award_round = decided["round"]
    client.login("admin@example.org")
    page = f"/admin/rounds/{award_round.id}"
    client.submit(f"/admin/rounds/{award_round.id}/publish", {"confirmed": "1"}, page=page)
    # Not confirmed the second time: the refusal comes before any question.
    response = client.submit(
        f"/admin/rounds/{award_round.id}/publish", page=page, follow_redirects=True
    )
    assert "were already published on" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar() == 5
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("round.publish") == 1


def test_disabled_results_rule_publishes_without_mail(app, decided, admin):
    award_round = decided["round"]
    rule = db.session.execute(
        db.select(ReminderRule).where(
            ReminderRule.round_id == award_round.id,
            ReminderRule.kind == ReminderKind.RESULTS_PUBLISHED,
        )
    ).scalar_one()
    rule.enabled = False
    db.session.commit()
    assert publish_round(award_round, actor=admin) == 0
    assert award_round.status == RoundStatus.PUBLISHED
    assert db.session.execute(db.select(OutboxMessage)).first() is None


@pytest.mark.parametrize(
    "status", [RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED], ids=str
)
def test_only_a_decided_round_can_be_published(app, decided, admin, status):
    award_round = decided["round"]
    h.set_status(award_round, status)
    with pytest.raises(WorkflowError, match=f"Only a decided round can be published.*{status}"):
        publish_round(award_round, actor=admin)
    db.session.rollback()
    assert award_round.status == status and award_round.published_at is None
    assert db.session.execute(db.select(OutboxMessage)).first() is None


def test_a_decided_round_without_winners_or_with_too_many_is_refused(app, admin):
    award_round = h.closed_round()
    category = factories.category(award_round, "Researcher of the Year", 100_000)
    nominator = factories.user("nora@example.org")
    first = factories.nomination(category, nominator, "First")
    h.set_status(award_round, RoundStatus.DECIDED)
    with pytest.raises(WorkflowError, match="no winners yet"):
        publish_round(award_round, actor=admin)
    db.session.rollback()
    h.decide(first)
    h.decide(factories.nomination(category, nominator, "Second"))
    with pytest.raises(WorkflowError, match="2 winners but only 1 prize"):
        publish_round(award_round, actor=admin)
    db.session.rollback()
    assert award_round.status == RoundStatus.DECIDED


def test_only_admins_publish(client, decided, staff, make_client):
    award_round = decided["round"]
    with pytest.raises(PermissionDenied):
        publish_round(award_round, actor=staff)
    db.session.rollback()
    client.login("staff@example.org")
    token = client.csrf_token("/")
    response = client.post(f"/admin/rounds/{award_round.id}/publish", data={"csrf_token": token})
    assert response.status_code == 403
    anonymous = make_client()
    token = anonymous.csrf_token("/login")
    response = anonymous.post(f"/admin/rounds/{award_round.id}/publish", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    db.session.expire_all()
    assert award_round.status == RoundStatus.DECIDED


def _published(name, year, category_name, winners, admin, ceremony=None):
    award_round = h.closed_round(name, year=year, ceremony_on=ceremony)
    category = factories.category(
        award_round, category_name, 100_000, prize_count=max(1, len(winners))
    )
    nominator = factories.user(f"nominator-{name.split()[0].lower()}-{year}@example.org")
    for person in winners:
        h.decide(factories.nomination(category, nominator, person), f"Citation for {person}.")
    h.set_status(award_round, RoundStatus.DECIDED)
    publish_round(award_round, actor=admin)
    db.session.commit()  # the test is the edge: workflow functions only flush
    return award_round


def test_history_lists_published_winners_searchable_by_name_award_and_year(client, admin):
    _published("ICR Prizes", 2024, "Researcher of the Year", ["Ingrid Hansen"], admin)
    _published("ICR Prizes", 2025, "Researcher of the Year", ["Per Olsen"], admin)
    _published(
        "OUH Research Awards", 2025, "Early Career Award", ["Kari Hansen", "Ola Berg"], admin
    )
    hidden = h.closed_round("Secret Round", year=2025)
    category = factories.category(hidden, "Hidden Award", 1000)
    h.decide(factories.nomination(category, admin, "Not Yet Public"))
    h.set_status(hidden, RoundStatus.DECIDED)

    page = client.get("/results/").get_data(as_text=True)
    for name in ("Ingrid Hansen", "Per Olsen", "Kari Hansen", "Ola Berg"):
        assert name in page
    assert "Not Yet Public" not in page and "Hidden Award" not in page
    # Newest year first.
    assert page.index("Per Olsen") < page.index("Ingrid Hansen")

    def winners(query: str) -> list[str]:
        text = client.get(f"/results/?{query}").get_data(as_text=True)
        return [n for n in ("Ingrid Hansen", "Per Olsen", "Kari Hansen", "Ola Berg") if n in text]

    assert winners("name=hansen") == ["Ingrid Hansen", "Kari Hansen"]
    assert winners("award=early+career") == ["Kari Hansen", "Ola Berg"]
    assert winners("award=ICR") == ["Ingrid Hansen", "Per Olsen"]  # the round's name counts too
    assert winners("year=2024") == ["Ingrid Hansen"]
    assert winners("name=hansen&year=2025") == ["Kari Hansen"]
    assert winners("name=secret") == [] and winners("name=not+yet") == []
    assert "No winner matches your search." in client.get("/results/?name=zzz").get_data(
        as_text=True
    )
    assert winners("name=%25") == []  # a % typed by someone is a character, not a wildcard


def test_history_is_paginated(client, admin, app):
    _published("ICR Prizes", 2023, "Researcher of the Year", ["A One", "B Two", "C Three"], admin)
    app.config["PER_PAGE"] = 2
    first = client.get("/results/").get_data(as_text=True)
    second = client.get("/results/?page=2").get_data(as_text=True)
    assert "A One" in first and "B Two" in first and "C Three" not in first
    assert "C Three" in second and "A One" not in second
    assert "3 in all." in first


def test_history_page_queries_do_not_grow_with_winners(client, admin, count_queries):
    _published("ICR Prizes", 2023, "Researcher of the Year", ["A One"], admin)
    with count_queries() as few:
        client.get("/results/")
    _published("OUH Research Awards", 2024, "Early Career Award", ["B", "C", "D", "E"], admin)
    with count_queries() as many:
        client.get("/results/")
    assert many.count == few.count


def test_winners_link_in_the_navigation(client):
    assert 'href="/results/"' in client.get("/").get_data(as_text=True)
