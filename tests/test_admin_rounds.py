import re
from datetime import UTC, datetime

from nominations.models import AuditEvent, AwardCategory, AwardRound, Criterion, db

ROUND = {
    "name": "OUH Research Awards",
    "year": "2027",
    "organiser": "Oslo University Hospital",
    "description": "",
    "opens_date": "2027-01-10",
    "opens_time": "09:00",
    "closes_date": "2027-03-07",
    "closes_time": "",
    "review_date": "2027-04-15",
    "review_time": "",
    "blind_mode": "after_own",
}


def errors(response) -> list[str]:
    return re.findall(r"invalid-feedback[^>]*>([^<]*)<", response.get_data(as_text=True))


def test_admin_creates_round_with_two_categories(client, admin):
    client.login("admin@example.org")
    response = client.submit("/admin/rounds/new", ROUND, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Round OUH Research Awards 2027 created" in page
    award_round = db.session.execute(db.select(AwardRound)).scalar_one()
    # A closing date without a time is the end of that day in Oslo (CET, UTC+1).
    assert award_round.closes_at == datetime(2027, 3, 7, 22, 59, 59, tzinfo=UTC)
    assert award_round.opens_at == datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    assert "7 March 2027, 23:59:59 CET" in page

    url = f"/admin/rounds/{award_round.id}/categories/new"
    for name, amount, count in [
        ("Excellent Researcher Award", 400000, 1),
        ("Early Career Award", 200000, 2),
    ]:
        response = client.submit(
            url,
            {
                "name": name,
                "prize_amount": str(amount),
                "prize_count": str(count),
                "word_limit": "1000",
                "max_support_letters": "3",
                "requires_cv": "y",
            },
            follow_redirects=True,
        )
        assert f"Category {name} added" in response.get_data(as_text=True)
    page = client.get(f"/admin/rounds/{award_round.id}").get_data(as_text=True)
    assert "NOK 400,000" in page and "NOK 200,000" in page
    categories = db.session.execute(db.select(AwardCategory)).scalars().all()
    assert [c.prize_count for c in categories] == [1, 2]
    # Each new category starts with the default rubric.
    assert db.session.execute(db.select(db.func.count(Criterion.id))).scalar() == 6
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("category.create") == 2 and "round.create" in actions


def test_round_validation_messages_at_the_field(client, admin):
    client.login("admin@example.org")
    bad_order = dict(ROUND, closes_date="2027-01-01", review_date="2027-04-15")
    response = client.submit("/admin/rounds/new", bad_order)
    assert any("closing time must be after the opening time" in e for e in errors(response))
    late_review = dict(ROUND, review_date="2027-03-01")
    response = client.submit("/admin/rounds/new", late_review)
    assert any("review deadline must be after the closing time" in e for e in errors(response))
    skipped = dict(ROUND, closes_date="2027-03-28", closes_time="02:30")
    response = client.submit("/admin/rounds/new", skipped)
    assert any("does not exist in Europe/Oslo" in e for e in errors(response))
    # The form keeps what was typed.
    assert 'value="OUH Research Awards"' in response.get_data(as_text=True)
    assert db.session.execute(db.select(AwardRound)).first() is None


def test_category_amounts_and_counts_must_be_positive(client, admin):
    client.login("admin@example.org")
    client.submit("/admin/rounds/new", ROUND)
    award_round = db.session.execute(db.select(AwardRound)).scalar_one()
    response = client.submit(
        f"/admin/rounds/{award_round.id}/categories/new",
        {"name": "Broken", "prize_amount": "-5", "prize_count": "0", "word_limit": "100"},
    )
    messages = errors(response)
    assert "The prize amount must be positive." in messages
    assert any("at least one prize" in m or "number of prizes" in m for m in messages)
    assert db.session.execute(db.select(AwardCategory)).first() is None


def test_edit_round_moves_dates_and_logs_before_after(client, admin):
    client.login("admin@example.org")
    client.submit("/admin/rounds/new", ROUND)
    award_round = db.session.execute(db.select(AwardRound)).scalar_one()
    edit_page = client.get(f"/admin/rounds/{award_round.id}/edit").get_data(as_text=True)
    assert 'value="2027-03-07"' in edit_page and 'value="23:59' in edit_page
    client.submit(f"/admin/rounds/{award_round.id}/edit", dict(ROUND, closes_date="2027-03-14"))
    db.session.expire_all()
    assert award_round.closes_at == datetime(2027, 3, 14, 22, 59, 59, tzinfo=UTC)
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.update")
    ).scalar_one()
    assert event.before["closes_at"].startswith("2027-03-07")
    assert event.after["closes_at"].startswith("2027-03-14")
    assert event.actor_id == admin.id


def test_admin_manages_users(client, admin):
    client.login("admin@example.org")
    response = client.submit(
        "/admin/users/new",
        {
            "email": "New.Person@example.org",
            "name": "New Person",
            "password": "long enough",
            "is_staff": "y",
            "is_reviewer": "y",
            "active": "y",
            "department_id": "0",
        },
        follow_redirects=True,
    )
    assert "User New Person (new.person@example.org) created." in response.get_data(as_text=True)
    from nominations.models import User

    user = db.session.execute(
        db.select(User).where(User.email == "new.person@example.org")
    ).scalar_one()
    assert user.roles == ["staff", "reviewer"]
    client.submit(
        f"/admin/users/{user.id}", {"name": "New Person", "department_id": "0", "is_staff": "y"}
    )
    db.session.expire_all()
    # The reviewer role goes; whether the person may sign in is the deactivate button's job.
    assert user.active is True and user.roles == ["staff"]
    # Duplicate e-mail: a clear message.
    response = client.submit(
        "/admin/users/new",
        {
            "email": "new.person@example.org",
            "name": "Twin",
            "password": "long enough",
            "department_id": "0",
        },
    )
    assert "already exists" in response.get_data(as_text=True)
