"""Departments managed by administrators: created, renamed, merged, deactivated (issue 12,
point 9). Before this, departments existed only through the demo loader."""

from __future__ import annotations

from nominations.models import AuditEvent, ConflictOfInterest, Department, Nomination, User, db
from tests import factories, results_helpers


def _department(name: str) -> Department | None:
    db.session.expire_all()
    return db.session.execute(
        db.select(Department).where(Department.name == name)
    ).scalar_one_or_none()


def test_admin_adds_a_department_and_a_second_with_the_same_name_is_refused(make_client, admin):
    browser = make_client(admin.email)
    response = browser.submit("/admin/departments", {"name": "  Department of  Cancer Genetics "})
    assert response.status_code == 302
    page = browser.get("/admin/departments").get_data(as_text=True)
    assert "Department Department of Cancer Genetics added." in page
    assert _department("Department of Cancer Genetics").active

    again = browser.submit("/admin/departments", {"name": "department of cancer genetics"})
    assert again.status_code == 200
    assert "A department called Department of Cancer Genetics already exists." in again.get_data(
        as_text=True
    )
    assert db.session.execute(db.select(db.func.count(Department.id))).scalar_one() == 1


def test_rename_keeps_people_and_is_audited(make_client, admin):
    dept = factories.department("Dept of Tumour Biology")
    person = factories.user("tora@example.org", "Tora", dept=dept)
    browser = make_client(admin.email)
    response = browser.submit(
        f"/admin/departments/{dept.id}", {"name": "Department of Tumor Biology"}
    )
    assert response.status_code == 302
    assert "Dept of Tumour Biology is now called Department of Tumor Biology." in browser.get(
        "/admin/departments"
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).department.name == "Department of Tumor Biology"
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "department.rename")
    ).scalar_one()
    assert event.before["name"] == "Dept of Tumour Biology"
    assert event.actor_id == admin.id


def test_deactivate_and_reactivate(make_client, admin):
    dept = factories.department("Department of Research Support")
    browser = make_client(admin.email)
    page = f"/admin/departments/{dept.id}"
    response = browser.submit(f"{page}/active", {"active": "0"}, page=page)
    assert response.status_code == 302
    assert "Department of Research Support deactivated." in browser.get(page).get_data(as_text=True)
    assert not _department("Department of Research Support").active
    assert "deactivated" in browser.get("/admin/departments").get_data(as_text=True)

    browser.submit(f"{page}/active", {"active": "1"}, page=page)
    assert _department("Department of Research Support").active


def test_merge_moves_people_and_nominations_and_resyncs_automatic_conflicts(make_client, admin):
    old = factories.department("Division of Radiation Biology")
    new = factories.department("Department of Radiation Biology")
    reviewer = factories.user("rita@example.org", "Rita Reviewer", ("staff", "reviewer"), dept=new)
    moved = factories.user("mona@example.org", "Mona Moved", dept=old)
    award_round = results_helpers.closed_round(department_conflicts=True)
    category = factories.category(award_round, "Employee of the Year")
    results_helpers.panel(award_round, [(reviewer, "member")])
    nominee = factories.nomination(category, moved, "Nils Nominee", department=old)
    assert db.session.execute(db.select(ConflictOfInterest)).first() is None

    browser = make_client(admin.email)
    page = f"/admin/departments/{old.id}"
    response = browser.submit(f"{page}/merge", {"merge-into_id": str(new.id)}, page=page)
    assert response.status_code == 302
    assert (
        "Division of Radiation Biology merged into Department of Radiation Biology: "
        "1 people and 1 nominations moved."
        in browser.get("/admin/departments").get_data(as_text=True)
    )
    assert _department("Division of Radiation Biology") is None
    assert db.session.get(User, moved.id).department_id == new.id
    assert db.session.get(Nomination, nominee.id).nominee_department_id == new.id
    # The reviewer now works in the nominee's department: the chair sees the conflict.
    conflict = db.session.execute(db.select(ConflictOfInterest)).scalar_one()
    assert (conflict.reviewer_id, conflict.nomination_id) == (reviewer.id, nominee.id)
    assert conflict.automatic and conflict.kind == "same_department"


def test_merge_needs_another_active_department(make_client, admin):
    dept = factories.department("Department of Core Facilities")
    closed = factories.department("Old Core Facilities")
    closed.active = False
    db.session.commit()
    browser = make_client(admin.email)
    page = f"/admin/departments/{dept.id}"
    response = browser.submit(f"{page}/merge", {"merge-into_id": str(closed.id)}, page=page)
    assert response.status_code == 200
    assert "Choose the department to merge into." in response.get_data(as_text=True)
    assert _department("Department of Core Facilities") is not None


def test_departments_page_is_for_administrators_only(make_client, staff):
    browser = make_client(staff.email)
    assert browser.get("/admin/departments").status_code == 403
    response = browser.post("/admin/departments", data={"name": "Sneaky"})
    assert response.status_code in (400, 403)
    assert _department("Sneaky") is None
