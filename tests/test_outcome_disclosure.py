"""Nothing about the panel's decision reaches a nominator before the results are published:
not his list of nominations, not the nomination's own page, not the calls page, not the feeds,
not an e-mail. After publication he sees it."""

from __future__ import annotations

import pytest

from nominations.models import OutboxMessage, db
from nominations.workflow.decisions import complete_decisions, set_winners
from nominations.workflow.results import publish_round
from tests import factories
from tests.factories import nomination
from tests.nominating import text
from tests.results_helpers import closed_round

OUTCOME_WORDS = ("awarded", "not awarded", "not_awarded", "shortlisted")


@pytest.fixture
def decided(app, admin, staff):
    """Two nominations by Sam Staff in a closed round; the panel chose the first."""
    award_round = closed_round("ICR Prizes")
    category = factories.category(award_round, "Researcher of the Year")
    winner = nomination(category, staff, "Wendy Winner", "wendy@example.org")
    other = nomination(category, staff, "Otto Other", "otto@example.org")
    before = db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar()
    set_winners(category, {winner.id: "For the single-cell platform."}, actor=admin)
    complete_decisions(award_round, actor=admin)
    db.session.commit()
    after = db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar()
    assert after == before  # the decision itself e-mails nobody (publication does)
    assert (winner.status, other.status) == ("awarded", "not_awarded")
    return award_round, winner, other


def _no_outcome(page: str, where: str) -> None:
    lowered = page.lower()
    for word in OUTCOME_WORDS:
        assert word not in lowered, f"{where} shows {word!r}"


def test_my_nominations_say_submitted_until_the_results_are_published(make_client, decided, admin):
    award_round, winner, other = decided
    nominator = make_client("staff@example.org")
    mine = text(nominator.get("/nominations/mine"))
    _no_outcome(mine, "/nominations/mine")
    assert mine.count(">submitted<") == 2

    publish_round(award_round, actor=admin)
    db.session.commit()
    mine = text(nominator.get("/nominations/mine"))
    assert ">awarded<" in mine and ">not awarded<" in mine
    assert ">awarded<" in text(nominator.get(f"/nominations/{winner.id}"))


def test_the_nominations_own_page_says_submitted_until_publication(make_client, decided, admin):
    award_round, winner, other = decided
    nominator = make_client("staff@example.org")
    for item in (winner, other):
        own = text(nominator.get(f"/nominations/{item.id}"))
        _no_outcome(own, f"/nominations/{item.id}")
        assert ">submitted<" in own


def test_the_calls_page_shows_my_nominations_as_submitted_until_publication(
    make_client, decided, admin
):
    award_round, winner, other = decided
    nominator = make_client("staff@example.org")
    calls = text(nominator.get("/calls"))
    assert f"/nominations/{winner.id}" in calls  # the closed call lists my nominations
    _no_outcome(calls, "/calls")
    publish_round(award_round, actor=admin)
    db.session.commit()
    assert ">awarded<" in text(nominator.get("/calls"))


def test_the_last_change_shown_does_not_move_with_an_unpublished_decision(make_client, decided):
    award_round, winner, other = decided
    mine = text(make_client("staff@example.org").get("/nominations/mine"))
    from nominations.timeutil import format_local

    for item in (winner, other):
        db.session.refresh(item)
        assert item.updated_at != item.submitted_at
        assert format_local(item.submitted_at) in mine


def test_feeds_and_public_pages_show_no_decision_before_publication(client, decided):
    award_round, winner, other = decided
    for url in (
        "/results.atom",
        "/calls.ics",
        "/calls.json",
        "/results/",
        f"/results/{award_round.id}",
        "/",
    ):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert "Wendy Winner" not in page and "Otto Other" not in page, url
