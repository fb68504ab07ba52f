"""Confidential by construction: what a conflicted person can fetch gives away neither a
hidden score (not even by arithmetic) nor a hidden nominee's name, and a GET writes nothing.

- A chair with a conflict on one nomination sees every other reviewer's raw scores; if the
  normalised figures were computed with the hidden nomination's reviews, he could solve for
  them. The figures shown to him must be those computed as if those reviews did not exist.
- A reviewer with an automatic conflict (same department as the nominee, when the round asks
  for it) must not find the nominee's name in the e-mails queued for him.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from nominations.models import (
    AuditEvent,
    ConflictOfInterest,
    OutboxMessage,
    Review,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow.lifecycle import close_round_if_due
from nominations.workflow.panels import add_member, create_panel
from nominations.workflow.reminders.sending import send_due_reminders
from tests import factories
from tests.ranking_setup import scored_category, table
from tests.review_setup import browser, closed_round, make_nomination, user


def _ranking_page(client, category) -> list[list[str]]:
    response = client.get(f"/review/categories/{category.id}/ranking")
    assert response.status_code == 200
    return table(response.get_data(as_text=True), "ranking")[1:]


def _ranking_sheet(client, category) -> list[tuple]:
    response = client.get(f"/exports/categories/{category.id}/ranking.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()))["Ranking"]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_a_conflicted_chair_sees_the_figures_of_a_world_without_the_hidden_reviews(app):
    """Mia chairs and declared a conflict with Eve; Hanna and Leo scored Eve. Every figure on
    Mia's ranking page and in her XLSX equals the figure an unconflicted admin gets once Eve's
    reviews are deleted: so nothing Mia sees depends on the scores she may not see."""
    scored = scored_category(chair_conflict=True)
    category, eve = scored.category, scored["Eve"]
    chair = browser(app, scored.chair.email)
    page, sheet = _ranking_page(chair, category), _ranking_sheet(chair, category)
    assert not any("Eve Online" in cell for row in page for cell in row)
    assert not any("Eve Online" in str(cell) for row in sheet for cell in row)

    db.session.execute(db.delete(Review).where(Review.nomination_id == eve.id))
    db.session.commit()
    admin = browser(app, scored.admin.email)
    without_page = [r for r in _ranking_page(admin, category) if "Eve Online" not in r[1]]
    without_sheet = [r for r in _ranking_sheet(admin, category) if "Eve Online" not in r]
    assert page == without_page
    assert sheet == without_sheet


def test_the_conflicted_chairs_page_says_the_figures_leave_the_nomination_out(app):
    scored = scored_category(chair_conflict=True)
    body = (
        browser(app, scored.chair.email)
        .get(f"/review/categories/{scored.category.id}/ranking")
        .get_data(as_text=True)
    )
    assert "1 nomination with which you have a conflict of interest" in body
    assert "computed without it" in body


def _department_conflict_round():
    """A reviewer (Dag) works in the nominee's department, the round has department
    conflicts on; the call closed an hour ago and the scheduler has not processed it."""
    award_round = closed_round(department_conflicts=True)
    category = factories.category(award_round)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    nominator = user("nominator@example.org", "Nils Nominator")
    radiology = factories.department("Department of Radiology")
    biology = factories.department("Department of Tumor Biology")
    # Dag works in Radiology; the chair has no department.
    dag = user("dag@example.org", "Dag Department", ("staff", "reviewer"), dept=radiology)
    chair = user("chair@example.org", "Chris Chair", ("staff", "reviewer"))
    panel = create_panel(award_round, name="Panel", chair=chair, actor=admin)
    add_member(panel, dag, actor=admin)
    hidden = make_nomination(category, nominator, "Harald Hiddenname", department=radiology)
    shown = make_nomination(category, nominator, "Solveig Shownname", department=biology)
    return award_round, dag, chair, hidden, shown


def _mail_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.execute(
            db.select(OutboxMessage).where(OutboxMessage.recipient == address)
        ).scalars()
    )


def test_emails_to_a_reviewer_with_a_department_conflict_do_not_name_the_nominee(app):
    award_round, dag, chair, hidden, shown = _department_conflict_round()
    assert close_round_if_due(award_round.id, now()) is not None
    db.session.commit()
    opened = _mail_to(dag.email)
    assert [m.subject for m in opened] == [f"Reviewing is open: {award_round.title}"]
    # A week before the review deadline: the "reviews due" reminder.
    send_due_reminders(award_round.review_deadline - timedelta(days=6))
    messages = _mail_to(dag.email)
    assert len(messages) == 2
    for message in messages:
        text = f"{message.subject}\n{message.body_text}\n{message.body_html}"
        assert hidden.nominee_name not in text
    opened, reminder = messages
    # He owes the other review: counted when reviewing opens (which names nobody), named in
    # the reminder (which lists the few reviews still to do).
    assert "You have 1 nomination to review" in opened.body_text
    assert shown.nominee_name in reminder.body_text
    chair_mail = "".join(m.body_text for m in _mail_to(chair.email))
    assert hidden.nominee_name in chair_mail  # no conflict: the chair owes it


def _row_counts() -> dict[str, int]:
    counts = {}
    for table_ in db.metadata.sorted_tables:
        counts[table_.name] = db.session.execute(
            db.select(db.func.count()).select_from(table_)
        ).scalar_one()
    return counts


@pytest.mark.parametrize("who", ["dag", "chair"])
def test_pages_that_used_to_store_automatic_conflicts_write_nothing(app, who):
    """The review overview, a category's list and the conflicts page once stored automatic
    conflicts while being shown; a GET now leaves the database as it was, and Dag still does
    not see the nomination he has an automatic conflict with (the rule, not the rows)."""
    award_round, dag, chair, hidden, shown = _department_conflict_round()
    person = {"dag": dag, "chair": chair}[who]
    category_id = hidden.category_id
    client = browser(app, person.email)
    before = _row_counts()
    pages = ["/review/", f"/review/categories/{category_id}"]
    if who == "chair":
        pages.append(f"/review/rounds/{award_round.id}/conflicts")
    bodies = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.get_data(as_text=True))
    db.session.expire_all()
    assert _row_counts() == before
    assert db.session.execute(db.select(ConflictOfInterest)).first() is None
    if who == "dag":
        assert all(hidden.nominee_name not in body for body in bodies)
        assert shown.nominee_name in bodies[1]


def test_the_close_stores_the_automatic_conflicts_for_the_chair(app):
    award_round, dag, chair, hidden, shown = _department_conflict_round()
    close_round_if_due(award_round.id, now())
    db.session.commit()
    rows = db.session.execute(db.select(ConflictOfInterest)).scalars().all()
    assert [(r.reviewer_id, r.nomination_id, r.kind) for r in rows] == [
        (dag.id, hidden.id, "same_department")
    ]
    assert db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "conflict.automatic")
    ).first()


def test_a_department_change_stores_the_new_automatic_conflict(app):
    from nominations.workflow.accounts import update_user

    award_round, dag, chair, hidden, shown = _department_conflict_round()
    admin = db.session.execute(db.select(User).where(User.is_admin)).scalar_one()
    update_user(
        chair,
        actor=admin,
        name=chair.name,
        department=hidden.nominee_department,
        is_staff=True,
        is_reviewer=True,
        is_admin=False,
        active=True,
    )
    kinds = {
        (r.reviewer_id, r.nomination_id)
        for r in db.session.execute(db.select(ConflictOfInterest)).scalars()
    }
    assert (chair.id, hidden.id) in kinds
