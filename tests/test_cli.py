from flask import g
from werkzeug.security import check_password_hash

from nominations.demo import DEMO_PASSWORD
from nominations.models import AwardCategory, AwardRound, Nomination, User, db
from nominations.workflow.calls import accepts_nominations


def test_create_user_command_makes_an_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Boss@Example.org",
            "--name",
            "Boss",
            "--password",
            "very secret",
            "--role",
            "admin",
            "--role",
            "staff",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User)).scalar_one()
    assert (
        user.email == "boss@example.org"
        and user.is_admin
        and check_password_hash(user.password_hash, "very secret")
    )
    again = runner.invoke(
        args=[
            "create-user",
            "--email",
            "boss@example.org",
            "--name",
            "B",
            "--password",
            "very secret",
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_demo_loads_four_awards_once(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    names = set(db.session.execute(db.select(AwardCategory.name)).scalars())
    assert names >= {
        "Excellent Researcher Award",
        "Early Career Award",
        "Researcher of the Year",
        "Employee of the Year",
    }
    amounts = dict(
        db.session.execute(db.select(AwardCategory.name, AwardCategory.prize_amount)).all()
    )
    assert amounts["Excellent Researcher Award"] == 400_000
    assert amounts["Early Career Award"] == 200_000
    rounds = db.session.execute(db.select(AwardRound)).scalars().all()
    assert any(accepts_nominations(r) for r in rounds)
    emails = set(db.session.execute(db.select(User.email)).scalars())
    assert {
        "admin@example.org",
        "staff@example.org",
        "reviewer@example.org",
        "chair@example.org",
    } <= emails
    client.login("admin@example.org", DEMO_PASSWORD)
    assert client.get("/admin/rounds").status_code == 200
    # A command starts with an empty `g`, as in its own process (the test's app context is
    # shared with the request above, which cached the demo admin's language, bokmål).
    g.__dict__.clear()
    second = runner.invoke(args=["demo", "--if-empty"])
    assert "not loaded" in second.output
    assert db.session.execute(db.select(db.func.count(AwardRound.id))).scalar() == len(rounds)


def test_demo_gives_every_role_something_to_do(app, make_client):
    app.test_cli_runner().invoke(args=["demo"])
    reviewer = make_client()
    reviewer.login("reviewer@example.org", DEMO_PASSWORD)
    review_page = reviewer.get("/review/", follow_redirects=True).get_data(as_text=True)
    assert "Innovasjonsprisen" in review_page  # the demo reviewer reads bokmål
    public = make_client()
    history = public.get("/results/").get_data(as_text=True)
    assert "Ingrid Haugen" in history and "Lars Berg" not in history


def test_demo_shows_a_nominee_history_and_a_coauthorship_proposal(app, make_client):
    app.test_cli_runner().invoke(args=["demo"])
    chair = make_client()
    chair.login("chair@example.org", DEMO_PASSWORD)
    lars = db.session.execute(
        db.select(Nomination)
        .join(Nomination.category)
        .where(Nomination.nominee_name == "Lars Berg", AwardCategory.name == "Innovation Prize")
    ).scalar_one()
    page = chair.get(f"/review/nominations/{lars.id}").get_data(as_text=True)
    assert 'id="history"' in page and "not awarded" in page  # last year's, published
    proposals = chair.get(f"/review/rounds/{lars.category.round_id}/coauthors")
    text = proposals.get_data(as_text=True)
    assert "Radiation response of organoids: a joint study" in text and "Rita Reviewer" in text
