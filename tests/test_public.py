from datetime import timedelta

from nominations.timeutil import now
from tests import factories


def test_healthz_reports_database_schema_and_scheduler(client):
    response = client.get("/healthz")
    body = response.get_json()
    assert body["database"] == "reachable"
    assert "scheduler" in body and "state" in body["scheduler"]
    # The test database is built with create_all, not migrations: the schema check says so.
    assert body["schema"]["expected"] is not None
    assert response.status_code == (200 if body["schema"]["up_to_date"] else 503)


def test_calls_json_lists_only_open_calls(client):
    open_round = factories.award_round("ICR Prizes")
    factories.category(
        open_round, "Researcher of the Year", 100_000, funder="Radium Hospital Foundation"
    )
    upcoming = factories.award_round(
        "Later", opens_at=now() + timedelta(days=3), closes_at=now() + timedelta(days=30)
    )
    factories.category(upcoming, "Not yet", 1000)
    closed = factories.award_round(
        "Past", opens_at=now() - timedelta(days=30), closes_at=now() - timedelta(seconds=1)
    )
    factories.category(closed, "Too late", 1000)
    calls = client.get("/calls.json").get_json()["calls"]
    assert [c["category"] for c in calls] == ["Researcher of the Year"]
    call = calls[0]
    assert call["prize_amount"] == 100_000 and call["currency"] == "NOK"
    assert call["number_of_prizes"] == 1
    assert call["closes_at"][-6:] in ("+01:00", "+02:00")  # ISO 8601 with the Oslo offset
