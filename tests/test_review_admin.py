"""Admins assign panels (members and exactly one chair, reviewers only) and edit rubrics until
reviewing starts."""

import re

import pytest

from nominations.models import AuditEvent, Criterion, Panel, PanelMember, PanelRole, db
from nominations.workflow import WorkflowError
from nominations.workflow.panels import add_member, create_panel, make_chair, remove_member
from nominations.workflow.rubric import (
    CriterionData,
    add_criterion,
    category_criteria,
    delete_criterion,
    update_criterion,
)
from tests import factories
from tests.review_setup import browser, closed_round, make_nomination, review, user


def errors(response) -> list[str]:
    return re.findall(r"invalid-feedback[^>]*>([^<]*)<", response.get_data(as_text=True))


def _roles(panel: Panel) -> dict[str, str]:
    db.session.expire_all()
    return {m.user.name: m.role for m in db.session.get(Panel, panel.id).members}


def test_admin_assigns_a_panel_with_a_chair_and_members(app):
    award_round = factories.award_round()
    category = factories.category(award_round)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    chair = user("chair@example.org", "Chris Chair", ("staff", "reviewer"))
    member = user("rita@example.org", "Rita Reviewer", ("staff", "reviewer"))
    staff = user("sam@example.org", "Sam Staff")
    client = browser(app, admin.email)

    url = f"/admin/rounds/{award_round.id}/panels/new"
    page = client.get(url).get_data(as_text=True)
    assert "Chris Chair" in page and "Sam Staff" not in page  # reviewers only
    response = client.submit(url, {"name": "Leadership group", "category_id": "0", "chair_id": "0"})
    assert "Choose the chair." in errors(response)
    response = client.submit(
        url,
        {"name": "Leadership group", "category_id": str(category.id), "chair_id": str(chair.id)},
    )
    panel = db.session.execute(db.select(Panel)).scalar_one()
    assert response.headers["Location"].endswith(f"/admin/panels/{panel.id}")
    assert panel.category_id == category.id and _roles(panel) == {"Chris Chair": "chair"}

    response = client.submit(
        f"/admin/panels/{panel.id}/members",
        {"user_id": str(member.id), "role": "member"},
        page=f"/admin/panels/{panel.id}",
        follow_redirects=True,
    )
    assert "Rita Reviewer added to Leadership group." in response.get_data(as_text=True)
    # Staff without the reviewer role cannot be added (not offered, and refused if forced).
    with pytest.raises(WorkflowError, match="does not have the reviewer role"):
        add_member(panel, staff, actor=admin)

    # The round page shows the panel and the rubric.
    page = client.get(f"/admin/rounds/{award_round.id}").get_data(as_text=True)
    assert "Leadership group" in page and "Chris Chair" in page and "Rita Reviewer" in page
    assert "Scientific excellence (×2.0, 1–7)" in page

    # Exactly one chair: appointing another demotes the first; the chair cannot be removed.
    rita = db.session.execute(
        db.select(PanelMember).where(PanelMember.user_id == member.id)
    ).scalar_one()
    client.submit(f"/admin/panel-members/{rita.id}/chair", page=f"/admin/panels/{panel.id}")
    assert _roles(panel) == {"Chris Chair": "member", "Rita Reviewer": "chair"}
    rita = db.session.get(PanelMember, rita.id)
    with pytest.raises(WorkflowError, match="Appoint another chair"):
        remove_member(rita, actor=admin)
    chris = db.session.execute(
        db.select(PanelMember).where(PanelMember.user_id == chair.id)
    ).scalar_one()
    remove_member(chris, actor=admin)
    assert _roles(panel) == {"Rita Reviewer": "chair"}
    add_member(panel, chair, role=PanelRole.CHAIR, actor=admin)
    assert _roles(panel) == {"Chris Chair": "chair", "Rita Reviewer": "member"}
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    for action in ("panel.create", "panel.add_member", "panel.chair", "panel.remove_member"):
        assert action in actions
    # Panel names are unique within a round.
    with pytest.raises(WorkflowError, match="already has a panel"):
        create_panel(award_round, name="Leadership group", chair=member, actor=admin)
    # Staff never reach these pages.
    assert browser(app, staff.email).get(f"/admin/panels/{panel.id}").status_code == 403
    assert make_chair(db.session.get(PanelMember, rita.id), actor=admin).role == "chair"


def test_rubric_is_edited_until_the_first_review(app):
    award_round = closed_round()
    category = factories.category(award_round)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    chair = user("chair@example.org", "Chris Chair", ("staff", "reviewer"))
    create_panel(award_round, name="Panel", chair=chair, actor=admin)
    db.session.commit()  # the test is the edge: workflow functions only flush
    client = browser(app, admin.email)
    url = f"/admin/categories/{category.id}/rubric"

    response = client.submit(
        url,
        {"name": "Teaching", "guidance": "", "weight": "1", "scale_min": "5", "scale_max": "3"},
    )
    assert "The highest score must be above the lowest." in errors(response)
    response = client.submit(
        url,
        {
            "name": "Teaching",
            "guidance": "Courses and supervision.",
            "weight": "0.5",
            "scale_min": "1",
            "scale_max": "5",
        },
        follow_redirects=True,
    )
    assert "Criterion Teaching added." in response.get_data(as_text=True)
    names = [c.name for c in category_criteria(category)]
    assert names == ["Scientific excellence", "Impact", "Leadership and collaboration", "Teaching"]
    teaching = category_criteria(category)[-1]
    response = client.submit(
        f"/admin/criteria/{teaching.id}/edit",
        {"name": "Teaching", "guidance": "", "weight": "1.5", "scale_min": "1", "scale_max": "7"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Criterion, teaching.id).weight == 1.5

    # The first review (a draft is enough) locks the rubric.
    nomination = make_nomination(category, admin, "Nina Nominee")
    review(nomination, chair, 4, submit=False)
    page = client.get(url).get_data(as_text=True)
    assert "The rubric is locked." in page and "Add a criterion" not in page
    with pytest.raises(WorkflowError, match="can no longer be changed"):
        add_criterion(category, CriterionData(name="Late"), actor=admin)
    with pytest.raises(WorkflowError, match="can no longer be changed"):
        update_criterion(teaching, CriterionData(name="Teaching", weight=9), actor=admin)
    response = client.submit(
        f"/admin/criteria/{teaching.id}/edit",
        {"name": "Teaching", "guidance": "", "weight": "9", "scale_min": "1", "scale_max": "7"},
    )
    assert "can no longer be changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Criterion, teaching.id).weight == 1.5
    assert "criterion.update" in db.session.execute(db.select(AuditEvent.action)).scalars().all()


def test_a_rubric_keeps_at_least_one_criterion(app):
    award_round = factories.award_round()
    category = factories.category(award_round)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    criteria = category_criteria(category)
    for criterion in criteria[:-1]:
        delete_criterion(criterion, actor=admin)
    with pytest.raises(WorkflowError, match="at least one criterion"):
        delete_criterion(criteria[-1], actor=admin)
