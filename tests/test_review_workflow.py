"""The review form (draft, submit, validation), the lock at the review deadline, the blind
rule in its three modes, and conflicts of interest (declared, automatic, cleared)."""

import re
from datetime import timedelta

import pytest
import time_machine

from nominations.models import (
    AuditEvent,
    ConflictOfInterest,
    Review,
    ReviewStatus,
    db,
)
from nominations.workflow import NotFound, PermissionDenied, WorkflowError, access
from nominations.workflow.conflicts import (
    clear_conflict,
    sync_automatic_conflicts,
)
from nominations.workflow.reviews import ReviewInput, save_review, visible_other_reviews
from nominations.workflow.rubric import category_criteria
from tests import factories
from tests.review_setup import browser, make_nomination, review, scores_for, user, world


def errors(response) -> list[str]:
    body = response.get_data(as_text=True)
    return re.findall(
        r'(?:invalid-feedback[^>]*|alert-danger" role="alert|<li class="form-error")>([^<]*)<', body
    )


def _form(category, values, **extra) -> dict:
    data = {f"score_{cid}": str(v) if v is not None else "" for cid, v in values.items()}
    return data | extra


# --------------------------------------------------------------------------------------------
# The review form


def test_reviewer_saves_a_draft_then_submits(app):
    w = world()
    nomination = w.nominations["other"]
    criteria = category_criteria(w.category)
    assert [(c.name, c.weight) for c in criteria] == [
        ("Scientific excellence", 2.0),
        ("Impact", 1.0),
        ("Leadership and collaboration", 1.0),
    ]
    client = browser(app, w.reviewer.email)
    url = f"/review/nominations/{nomination.id}"
    page = client.get(url).get_data(as_text=True)
    # The live total: a script file of its own (no inline script) and weights on the fields.
    assert "/static/js/review.js" in page and 'data-weight="2.0"' in page
    assert "<script>" not in page

    partial = {criteria[0].id: 6, criteria[1].id: None, criteria[2].id: None}
    response = client.submit(url, _form(w.category, partial, save_draft="Save draft"))
    assert response.status_code == 302
    stored = db.session.execute(db.select(Review)).scalar_one()
    assert stored.status == ReviewStatus.DRAFT and len(stored.scores) == 1

    # Submitting needs every score and a recommendation; the draft is kept as it was.
    response = client.submit(url, _form(w.category, partial, submit_review="Submit review"))
    assert "Score Impact before submitting." in errors(response)
    db.session.expire_all()
    assert db.session.get(Review, stored.id).status == ReviewStatus.DRAFT

    full = {criteria[0].id: 6, criteria[1].id: 5, criteria[2].id: 3}
    response = client.submit(
        url,
        _form(w.category, full, recommendation="support", comment="Strong record.")
        | {"submit_review": "Submit review"},
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert "Your review of Olga Other is submitted." in body
    # (2*6 + 5 + 3) / 4 = 5.00
    assert '<output id="weighted-total"' in body and ">5.00</output>" in body
    db.session.expire_all()
    stored = db.session.get(Review, stored.id)
    assert stored.status == ReviewStatus.SUBMITTED and stored.submitted_at is not None
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert "review.save_draft" in actions and "review.submit" in actions


def test_scores_outside_the_scale_and_foreign_criteria_are_refused(app):
    w = world()
    nomination = w.nominations["other"]
    criteria = category_criteria(w.category)
    with pytest.raises(WorkflowError) as error:
        save_review(
            nomination, ReviewInput(scores={criteria[0].id: 8}), actor=w.reviewer, submit=False
        )
    assert error.value.field == f"score_{criteria[0].id}" and "from 1 to 7" in error.value.message
    with pytest.raises(WorkflowError):
        save_review(nomination, ReviewInput(scores={999999: 3}), actor=w.reviewer)
    # Over HTTP a value that is not on the scale is a form error, not a 500.
    client = browser(app, w.reviewer.email)
    response = client.submit(
        f"/review/nominations/{nomination.id}",
        {f"score_{criteria[0].id}": "12", "save_draft": "Save draft"},
    )
    assert response.status_code == 200 and "Not a valid choice." in errors(response)
    assert db.session.execute(db.select(Review)).first() is None


def test_outsider_and_conflicted_cannot_post_a_review(app):
    w = world()
    for reviewer, nomination in ((w.outsider, w.nominations["other"]), (w.conflicted, w.target)):
        with pytest.raises(NotFound):
            review(nomination, reviewer, 5)
        response = browser(app, reviewer.email).submit(
            f"/review/nominations/{nomination.id}",
            {"save_draft": "Save draft"} | _form(w.category, scores_for(w.category, 5)),
            page="/review/",
        )
        assert response.status_code == 404
    assert db.session.execute(db.select(Review)).first() is None


def test_admin_not_on_the_panel_reads_but_does_not_review(app):
    w = world()
    client = browser(app, w.admin.email)
    page = client.get(f"/review/nominations/{w.nominations['other'].id}").get_data(as_text=True)
    assert "Olga Other" in page and "Your review" not in page


# --------------------------------------------------------------------------------------------
# The review deadline


def test_reviews_lock_at_the_review_deadline(app):
    w = world()
    nomination = w.nominations["other"]
    deadline = w.award_round.review_deadline
    url = f"/review/nominations/{nomination.id}"
    criteria = category_criteria(w.category)
    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        review(nomination, w.reviewer, 4, submit=False, comment="first thoughts")
        client = browser(app, w.reviewer.email)
        page = client.get(url).get_data(as_text=True)
        assert "Save draft" in page
        # The form is fetched one second before the deadline ...
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    # ... and posted at the deadline: refused on the server, the draft unchanged.
    with time_machine.travel(deadline, tick=False):
        data = _form(w.category, {c.id: 7 for c in criteria}, recommendation="support")
        response = client.post(url, data=data | {"csrf_token": token, "submit_review": "Submit"})
        assert response.status_code == 200
        assert "The review deadline passed" in response.get_data(as_text=True)
        with pytest.raises(WorkflowError, match="reviews are locked"):
            review(nomination, w.reviewer, 7)
        page = client.get(url).get_data(as_text=True)
        assert "Save draft" not in page and "reviews are locked" in page
        assert "first thoughts" in page  # shown read-only
    db.session.expire_all()
    stored = db.session.execute(db.select(Review)).scalar_one()
    assert stored.status == ReviewStatus.DRAFT and stored.comment == "first thoughts"
    assert {s.score for s in stored.scores} == {4}


def test_submitted_review_can_change_until_the_deadline_and_stays_submitted(app):
    w = world()
    nomination = w.nominations["other"]
    review(nomination, w.reviewer, 4)
    with pytest.raises(WorkflowError, match="Score"):
        # A submitted review cannot lose a score (it would no longer be complete).
        save_review(
            nomination,
            ReviewInput(scores={}, recommendation="support"),
            actor=w.reviewer,
            submit=False,
        )
    updated = review(nomination, w.reviewer, 6, submit=False)
    assert updated.status == ReviewStatus.SUBMITTED
    assert {s.score for s in updated.scores} == {6}
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "review.update")
    ).scalar_one()
    assert event.before["scores"]["Impact"] == 4 and event.after["scores"]["Impact"] == 6


# --------------------------------------------------------------------------------------------
# The blind rule


@pytest.mark.parametrize(
    ("mode", "before_own", "after_own"),
    [("never", False, False), ("after_own", False, True), ("always", True, True)],
)
def test_blind_rule(app, mode, before_own, after_own):
    w = world(blind_mode=mode)
    nomination = w.nominations["other"]
    review(nomination, w.chair, 7, comment="CHAIR-NOTES")
    client = browser(app, w.reviewer.email)
    url = f"/review/nominations/{nomination.id}"

    assert access.can_view_reviews(w.reviewer, nomination) is before_own
    assert bool(visible_other_reviews(nomination, w.reviewer)) is before_own
    assert ("CHAIR-NOTES" in client.get(url).get_data(as_text=True)) is before_own

    review(nomination, w.reviewer, 3)
    assert access.can_view_reviews(w.reviewer, nomination) is after_own
    assert ("CHAIR-NOTES" in client.get(url).get_data(as_text=True)) is after_own

    # The chair sees the panel's reviews in every mode; nominators never do.
    assert access.can_view_reviews(w.chair, nomination)
    assert "Rita Reviewer" in browser(app, w.chair.email).get(url).get_data(as_text=True)
    assert not access.can_view_reviews(w.nominator, nomination)
    assert browser(app, w.nominator.email).get(url).status_code == 403


def test_nominator_who_reviews_never_sees_reviews_of_own_nomination(app):
    w = world(blind_mode="always")
    # A reviewer on the panel nominated someone: an automatic conflict.
    own = make_nomination(w.category, w.reviewer, "Petra Protegee")
    review(own, w.chair, 5, comment="CHAIR-ON-PETRA")
    assert access.can_view_nomination(w.reviewer, own)  # as the nominator
    assert not access.can_view_reviews(w.reviewer, own)
    assert browser(app, w.reviewer.email).get(f"/review/nominations/{own.id}").status_code == 404


# --------------------------------------------------------------------------------------------
# Conflicts of interest


def test_declared_conflict_hides_the_nomination_and_is_audited(app):
    w = world()
    nomination = w.nominations["other"]
    review(nomination, w.reviewer, 5)
    client = browser(app, w.reviewer.email)
    url = f"/review/nominations/{nomination.id}/conflict"
    response = client.submit(url, {"kind": "collaborator", "reason": ""})
    assert "Say briefly why (the chair reads it)." in errors(response)
    declared = {"kind": "collaborator", "reason": "Co-author on three papers.", "confirmed": "1"}
    response = client.submit(url, declared)
    assert response.status_code == 302
    assert client.get(f"/review/nominations/{nomination.id}").status_code == 404
    assert not access.can_view_nomination(w.reviewer, nomination)
    # Their review no longer counts.
    assert visible_other_reviews(nomination, w.chair) == []
    conflict = db.session.execute(db.select(ConflictOfInterest)).scalar_one()
    assert (conflict.kind, conflict.automatic) == ("collaborator", False)
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "conflict.declare")
    ).scalar_one()
    assert event.actor_id == w.reviewer.id and event.after["reason"] == "Co-author on three papers."
    # A declared conflict cannot be cleared, not even by the chair.
    with pytest.raises(WorkflowError, match="declared conflict stands"):
        clear_conflict(conflict, reason="no", actor=w.chair)


def test_automatic_conflicts_are_stored_once_and_the_chair_clears_a_wrong_one(app):
    dept = factories.department("Department of Tumor Biology")
    w = world(department_conflicts=True)
    colleague = user("colleague@example.org", "Cleo Colleague", ("staff", "reviewer"), dept)
    from nominations.models import Panel
    from nominations.workflow.panels import add_member

    panel = db.session.execute(db.select(Panel)).scalar_one()
    add_member(panel, colleague, actor=w.admin)
    same_dept = make_nomination(w.category, w.nominator, "Tove Tumor", department=dept)
    own = make_nomination(w.category, w.chair, "Nina Chairs-Pick")

    assert not access.panel_can_view(colleague, same_dept)  # by rule, before any row exists
    # Adding Cleo to the panel already stored Conny's conflict (the panel changed); the
    # nominations made since are stored by the next sync.
    assert db.session.execute(db.select(db.func.count(ConflictOfInterest.id))).scalar() == 1
    assert sync_automatic_conflicts(w.award_round) == 2
    assert sync_automatic_conflicts(w.award_round) == 0  # idempotent
    db.session.commit()
    rows = {
        (c.reviewer.name, c.nomination.nominee_name): c.kind
        for c in db.session.execute(db.select(ConflictOfInterest)).scalars()
    }
    assert rows == {
        ("Conny Conflicted", "Conny Conflicted"): "is_nominee",
        ("Chris Chair", "Nina Chairs-Pick"): "is_nominator",
        ("Cleo Colleague", "Tove Tumor"): "same_department",
    }

    chair = browser(app, w.chair.email)
    page = chair.get(f"/review/rounds/{w.award_round.id}/conflicts").get_data(as_text=True)
    assert "Same department as the nominee (automatic)" in page
    conflict = db.session.execute(
        db.select(ConflictOfInterest).where(ConflictOfInterest.reviewer_id == colleague.id)
    ).scalar_one()
    clear_url = f"/review/conflicts/{conflict.id}/clear"
    response = chair.submit(
        clear_url,
        {"reason": ""},
        page=f"/review/rounds/{w.award_round.id}/conflicts",
        follow_redirects=True,
    )
    assert "Give the reason (it is logged)." in response.get_data(as_text=True)
    response = chair.submit(
        clear_url,
        {"reason": "Moved to another department last year."},
        page=f"/review/rounds/{w.award_round.id}/conflicts",
        follow_redirects=True,
    )
    assert "Conflict of Cleo Colleague with Tove Tumor cleared." in response.get_data(as_text=True)
    assert access.panel_can_view(colleague, same_dept)
    # Stays cleared: the next sync does not bring it back.
    sync_automatic_conflicts(w.award_round)
    assert access.panel_can_view(colleague, same_dept)
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "conflict.clear")
    ).scalar_one()
    assert event.actor_id == w.chair.id
    assert event.after["cleared_reason"] == "Moved to another department last year."
    assert event.before["cleared_at"] is None

    # Nobody clears their own conflict; reviewers who are not chairs clear nothing.
    own_conflict = db.session.execute(
        db.select(ConflictOfInterest).where(ConflictOfInterest.reviewer_id == w.chair.id)
    ).scalar_one()
    with pytest.raises(PermissionDenied):
        clear_conflict(own_conflict, reason="I am impartial.", actor=w.chair)
    target_conflict = db.session.execute(
        db.select(ConflictOfInterest).where(ConflictOfInterest.reviewer_id == w.conflicted.id)
    ).scalar_one()
    with pytest.raises(PermissionDenied):
        clear_conflict(target_conflict, reason="fine", actor=w.reviewer)
    assert (
        browser(app, w.reviewer.email)
        .get(f"/review/rounds/{w.award_round.id}/conflicts")
        .status_code
        == 403
    )
    assert not access.panel_can_view(w.chair, own)


def test_department_rule_applies_only_when_the_round_says_so(app):
    dept = factories.department("Department of Cancer Genetics")
    w = world(department_conflicts=False)
    colleague = user("colleague@example.org", "Cleo Colleague", ("staff", "reviewer"), dept)
    from nominations.models import Panel
    from nominations.workflow.panels import add_member

    add_member(db.session.execute(db.select(Panel)).scalar_one(), colleague, actor=w.admin)
    same_dept = make_nomination(w.category, w.nominator, "Gina Genetics", department=dept)
    assert access.panel_can_view(colleague, same_dept)
    w.award_round.department_conflicts = True
    db.session.commit()
    assert not access.panel_can_view(colleague, same_dept)
    sync_automatic_conflicts(w.award_round)
    # Switched off again: the stored automatic row no longer applies and is removed.
    w.award_round.department_conflicts = False
    db.session.commit()
    assert access.panel_can_view(colleague, same_dept)
    sync_automatic_conflicts(w.award_round)
    assert (
        db.session.execute(
            db.select(ConflictOfInterest).where(ConflictOfInterest.reviewer_id == colleague.id)
        ).first()
        is None
    )


# --------------------------------------------------------------------------------------------
# One unit of work


def test_review_and_conflict_changes_are_undone_when_their_edge_fails(app):
    """save_review and declare_conflict only flush: when the command or job that called them
    fails later, neither the review, the conflict nor their audit records are left behind."""
    from nominations.unit_of_work import transaction
    from nominations.workflow.conflicts import declare_conflict

    w = world()
    events_before = db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one()
    with pytest.raises(RuntimeError, match="later step"), transaction():
        save_review(
            w.nominations["other"],
            ReviewInput(scores=scores_for(w.category, 5), recommendation="support"),
            actor=w.reviewer,
            submit=True,
        )
        declare_conflict(
            w.nominations["other"], kind="collaborator", reason="Joint grant.", actor=w.chair
        )
        raise RuntimeError("a later step of the same command failed")
    db.session.expire_all()
    assert db.session.execute(db.select(Review)).scalars().all() == []
    declared = db.select(ConflictOfInterest).where(ConflictOfInterest.automatic.is_(False))
    assert db.session.execute(declared).scalars().all() == []
    events_after = db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one()
    assert events_after == events_before
