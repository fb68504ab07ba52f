"""The audit log page: filters by actor, action, round and local dates; readable before/after."""

import re
from datetime import UTC, date, datetime, time

import pytest

from nominations.models import AuditEvent, db
from nominations.timeutil import from_local
from nominations.workflow.rounds import RoundData, update_round
from tests import factories


def _event(action, created_at, actor=None, round_id=None, before=None, after=None):
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        object_type="AwardRound",
        object_id=round_id,
        round_id=round_id,
        before=before,
        after=after,
        created_at=created_at,
    )
    db.session.add(event)
    db.session.commit()
    return event


def _actions(client, query: str = "") -> list[str]:
    page = client.get(f"/admin/audit{query}")
    assert page.status_code == 200
    return re.findall(r'class="audit-event" data-action="([^"]+)"', page.get_data(as_text=True))


@pytest.fixture
def logged(app, admin, client):
    """Workflow changes by the admin and by a second admin, plus set-up without an actor (the
    admin's client is signed in before the log is emptied: a sign-in is logged too)."""
    client.login("admin@example.org")
    other = factories.user("otto@example.org", "Otto Other", roles=("staff", "admin"))
    first = factories.award_round("ICR Prizes", year=2030)
    second = factories.award_round("OUH Research Awards", year=2030)
    db.session.execute(db.delete(AuditEvent))  # start from a known log
    db.session.commit()
    # 1 March 2026, 23:30 in Oslo is 22:30 UTC; 2 March 00:30 in Oslo is 1 March 23:30 UTC.
    _event("round.create", datetime(2026, 3, 1, 22, 30, tzinfo=UTC), admin, first.id)
    _event("round.create", datetime(2026, 3, 1, 23, 30, tzinfo=UTC), other, second.id)
    _event("user.create", datetime(2026, 2, 1, 12, tzinfo=UTC), None)
    _event("round.publish", datetime(2026, 6, 1, 12, tzinfo=UTC), admin, first.id)
    return {"other": other, "first": first, "second": second}


def test_filters_by_actor_action_round_and_local_dates(client, logged, admin):
    first, second = logged["first"], logged["second"]
    # Newest first.
    assert _actions(client) == ["round.publish", "round.create", "round.create", "user.create"]
    assert _actions(client, f"?actor={admin.id}") == ["round.publish", "round.create"]
    assert _actions(client, f"?actor={logged['other'].id}") == ["round.create"]
    assert _actions(client, "?actor=system") == ["user.create"]
    assert _actions(client, "?action=round.create") == ["round.create", "round.create"]
    assert _actions(client, f"?round={first.id}") == ["round.publish", "round.create"]
    assert _actions(client, f"?round={second.id}&action=round.publish") == []
    # Local dates: the event at 00:30 on 2 March (Oslo) belongs to 2 March, not 1 March.
    assert _actions(client, "?since=2026-03-01&until=2026-03-01") == ["round.create"]
    assert _actions(client, "?since=2026-03-02&until=2026-03-02") == ["round.create"]
    assert _actions(client, "?since=2026-03-02") == ["round.publish", "round.create"]
    assert _actions(client, "?until=2026-02-28") == ["user.create"]
    # A date that does not parse is reported, not a crash, and does not filter.
    page = client.get("/admin/audit?since=yesterday").get_data(as_text=True)
    assert "Not a valid date value." in page
    assert _actions(client, "?since=yesterday") == _actions(client)
    # The filter form offers the people, actions and rounds there are.
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Otto Other (otto@example.org)" in page and 'value="round.publish"' in page
    assert f'value="{first.id}">ICR Prizes 2030' in page


def test_before_and_after_are_shown_readably(client, admin):
    award_round = factories.award_round(
        "ICR Prizes",
        year=2027,
        opens_at=from_local(date(2027, 1, 10), time(9, 0)),
        closes_at=from_local(date(2027, 3, 7)),
        review_deadline=from_local(date(2027, 4, 15)),
    )
    update_round(
        award_round,
        RoundData(
            name="ICR Prizes",
            year=2027,
            opens_at=award_round.opens_at,
            closes_at=from_local(date(2027, 3, 14)),
            review_deadline=award_round.review_deadline,
            department_conflicts=True,
        ),
        actor=admin,
    )
    db.session.commit()  # the test is the edge
    client.login("admin@example.org")
    page = client.get("/admin/audit?action=round.update").get_data(as_text=True)
    assert "Ada Admin" in page and "ICR Prizes 2027" in page
    assert "<del>7 March 2027, 23:59:59 CET</del>" in page
    assert "→ 14 March 2027, 23:59:59 CET" in page
    assert "department conflicts" in page and "<del>no</del>" in page and "→ yes" in page
    assert "2027-03-07T" not in page  # no raw ISO strings


def test_the_log_is_paginated_and_loads_actors_at_once(client, admin, app, count_queries):
    people = [factories.user(f"p{i}@example.org", f"Person {i}") for i in range(6)]
    client.login("admin@example.org")  # before the log is emptied: a sign-in is logged too
    db.session.execute(db.delete(AuditEvent))
    db.session.commit()
    for index, person in enumerate(people[:2]):
        _event("user.update", datetime(2026, 1, 1 + index, tzinfo=UTC), person)
    db.session.expire_all()
    with count_queries() as few:
        client.get("/admin/audit")
    for index, person in enumerate(people[2:]):
        _event("user.update", datetime(2026, 2, 1 + index, tzinfo=UTC), person)
    db.session.expire_all()
    with count_queries() as many:
        page = client.get("/admin/audit").get_data(as_text=True)
    assert many.count == few.count
    assert all(f"<td><bdi>Person {i}</bdi></td>" in page for i in range(6))

    app.config["PER_PAGE"] = 4
    first = _actions(client)
    second = _actions(client, "?page=2")
    assert len(first) == 4 and len(second) == 2
    page = client.get("/admin/audit?action=user.update&page=2").get_data(as_text=True)
    assert "<td><bdi>Person 1</bdi></td>" in page and "<td><bdi>Person 5</bdi></td>" not in page
    assert "action=user.update" in page  # pagination keeps the filter


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_only_admins_see_the_audit_log(client, staff, who):
    if who == "staff":
        client.login("staff@example.org")
        assert client.get("/admin/audit").status_code == 403
    else:
        response = client.get("/admin/audit")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admins_find_the_audit_log_in_the_navigation(client, admin):
    client.login("admin@example.org")
    assert 'href="/admin/audit"' in client.get("/").get_data(as_text=True)
