"""A start page per role (issue 12, point 8): after sign-in each person lands on what they
have to do, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from nominations.models import NominationStatus, RoundStatus, User, db
from nominations.timeutil import now
from tests import factories, results_helpers


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_sign_in_lands_on_the_start_page_with_the_staff_drafts_and_days_left(make_client, staff):
    award_round = factories.award_round("ICR Prizes", closes_at=now() + timedelta(days=5, hours=1))
    category = factories.category(award_round, "Researcher of the Year", 100_000)
    factories.nomination(category, staff, "Dina Draft", status=NominationStatus.DRAFT)
    factories.nomination(category, staff, "Sofie Submitted")
    browser = make_client()
    response = browser.login(staff.email)
    assert response.headers["Location"] == "/"
    page = _text(browser.get("/"))
    assert "Your drafts" in page
    assert "Dina Draft</bdi></a> · Researcher of the Year · 5 days left" in page
    assert "Sofie Submitted" not in page  # submitted: nothing left to do
    assert "Reviews to do" not in page and "Rounds and their next step" not in page


def test_reviewer_sees_reviews_due_but_not_last_years_published_round(make_client):
    reviewer = factories.user("rita@example.org", "Rita", ("staff", "reviewer"))
    nominator = factories.user("nora@example.org", "Nora")
    current = results_helpers.closed_round("ICR Prizes")
    category = factories.category(current, "Researcher of the Year")
    results_helpers.panel(current, [(reviewer, "member")])
    factories.nomination(category, nominator, "Anna A")
    factories.nomination(category, nominator, "Berit B")
    last_year = results_helpers.closed_round("OUH Research Awards", year=now().year - 1)
    old_category = factories.category(last_year, "Early Career Award")
    results_helpers.panel(last_year, [(reviewer, "member")])
    factories.nomination(old_category, nominator, "Old Unreviewed")
    results_helpers.set_status(last_year, RoundStatus.PUBLISHED)

    page = _text(make_client(reviewer.email).get("/"))
    assert f"{current.title}</a>: 2 reviews still to do" in page
    assert last_year.title not in page


def test_chair_sees_progress_and_conflicts_to_check(make_client):
    chair = factories.user("carl@example.org", "Carl Chair", ("staff", "reviewer"))
    member = factories.user("mia@example.org", "Mia Member", ("staff", "reviewer"))
    nominator = factories.user("nora@example.org", "Nora")
    award_round = results_helpers.closed_round("ICR Prizes")
    category = factories.category(award_round, "Researcher of the Year")
    results_helpers.panel(award_round, [(chair, "chair"), (member, "member")])
    factories.nomination(category, nominator, "Anna A")
    factories.nomination(category, nominator, "Mia Member", "mia@example.org")  # automatic
    from nominations.workflow.conflicts import sync_automatic_conflicts

    sync_automatic_conflicts(award_round)
    db.session.commit()
    page = _text(make_client(chair.email).get("/"))
    # Chair and member owe Anna; the chair owes Mia's too (Mia is conflicted): 3 owed.
    assert "0 of 3 reviews in" in page
    assert "1 automatic conflict to check" in page


def test_admin_sees_each_round_with_its_next_step(make_client, admin):
    empty = factories.award_round("Empty Round", closes_at=now() + timedelta(days=30))
    running = factories.award_round("Running Round", closes_at=now() + timedelta(days=3, hours=1))
    category = factories.category(running, "Employee of the Year")
    for name in ("A", "B"):
        factories.nomination(category, admin, f"Nominee {name}")
    factories.nomination(category, admin, "Draft", status=NominationStatus.DRAFT)
    decided = results_helpers.closed_round("Decided Round")
    factories.category(decided, "Prize")
    results_helpers.set_status(decided, RoundStatus.DECIDED)
    page = _text(make_client(admin.email).get("/"))
    assert f"{empty.title}</a>: Add categories" in page
    assert f"{running.title}</a>: 2 nominations, closes in 3 days" in page
    assert f"{decided.title}</a>: Decided: publish the results" in page


def test_start_page_uses_a_fixed_number_of_queries(make_client, count_queries):
    person = factories.user("all@example.org", "All Roles", ("staff", "reviewer", "admin"))
    nominator = factories.user("nora@example.org", "Nora")
    browser = make_client(person.email)
    person_id, nominator_id = person.id, nominator.id

    def add_round(name: str) -> None:
        person, nominator = db.session.get(User, person_id), db.session.get(User, nominator_id)
        award_round = results_helpers.closed_round(name, department_conflicts=True)
        category = factories.category(award_round, "Prize")
        results_helpers.panel(award_round, [(person, "chair")])
        for index in range(3):
            factories.nomination(category, nominator, f"{name} nominee {index}")
        open_round = factories.award_round(f"{name} open")
        open_category = factories.category(open_round, "Prize")
        factories.nomination(open_category, person, f"{name} draft", status=NominationStatus.DRAFT)

    def measure() -> int:
        db.session.expunge_all()
        with count_queries() as counter:
            response = browser.get("/")
        assert response.status_code == 200
        return counter.count

    add_round("First")
    small = measure()
    for name in ("Second", "Third", "Fourth"):
        add_round(name)
    assert measure() == small
