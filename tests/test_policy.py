"""The policy module: every rule is used (by a route of the access table or a workflow check
below), every rule the table names exists, workflow functions refuse by the policy whoever
calls them, and a chair acts on what their panels cover, no wider."""

from __future__ import annotations

import pytest

from nominations.models import AuditEvent, PanelMember, RoundStatus, db
from nominations.policy import RULES, SYSTEM, Refused, allowed
from nominations.workflow.accounts import update_user
from nominations.workflow.decisions import award_prize, complete_decisions
from nominations.workflow.disagreement import save_note
from nominations.workflow.panels import create_panel
from nominations.workflow.results import publish_round
from nominations.workflow.rounds import RoundData, create_round
from tests import factories
from tests.access_table import ACCESS, VARIANTS
from tests.review_setup import browser, make_nomination, review, user, world


def _two_category_world():
    """The review world plus a second category, chaired by its own panel's chair; each
    category has a winner, so only the permission stands between a chair and 'decided'."""
    w = world()
    second = factories.category(w.award_round, name="Early Career Award")
    second_chair = user("second@example.org", "Sid Second", roles=("staff", "reviewer"))
    create_panel(
        w.award_round, name="Early career panel", chair=second_chair, category=second, actor=w.admin
    )
    early = make_nomination(second, w.nominator, "Bea Early")
    award_prize(w.nominations["other"], "For X.", actor=w.admin)
    award_prize(early, "For Y.", actor=w.admin)
    db.session.commit()  # the test is the edge: workflow functions only flush
    return w, second, second_chair


def _status(award_round) -> str:
    db.session.expire_all()
    return award_round.status


def test_a_chair_of_one_category_cannot_mark_the_whole_round_decided(app):
    w, _second, second_chair = _two_category_world()
    summary = f"/review/rounds/{w.award_round.id}/decisions"
    page = browser(app, second_chair.email)
    response = page.submit(f"/review/rounds/{w.award_round.id}/complete", page=summary)
    assert response.status_code == 403
    assert _status(w.award_round) != RoundStatus.DECIDED
    assert (
        db.session.execute(
            db.select(AuditEvent.id).where(AuditEvent.action == "round.decide")
        ).first()
        is None
    )
    # Not by calling the workflow either (a CLI command or a job would).
    with pytest.raises(Refused) as refused:
        complete_decisions(w.award_round, actor=second_chair)
    assert refused.value.rule == "round.complete"
    # The chair of the whole-round panel may.
    chair = browser(app, w.chair.email)
    response = chair.submit(
        f"/review/rounds/{w.award_round.id}/complete", page=summary, follow_redirects=True
    )
    assert "are complete" in response.get_data(as_text=True)
    assert _status(w.award_round) == RoundStatus.DECIDED


def test_a_chair_whose_panels_cover_every_category_may_mark_the_round_decided(app):
    w, second, _second_chair = _two_category_world()
    both = user("both@example.org", "Bo Both", roles=("staff", "reviewer"))
    create_panel(w.award_round, name="First", chair=both, category=w.category, actor=w.admin)
    create_panel(w.award_round, name="Second", chair=both, category=second, actor=w.admin)
    db.session.commit()  # the test is the edge: workflow functions only flush
    summary = f"/review/rounds/{w.award_round.id}/decisions"
    response = browser(app, both.email).submit(
        f"/review/rounds/{w.award_round.id}/complete", page=summary, follow_redirects=True
    )
    assert "are complete" in response.get_data(as_text=True)
    assert _status(w.award_round) == RoundStatus.DECIDED


def test_a_chair_decides_only_in_the_categories_their_panels_cover(app):
    w, second, second_chair = _two_category_world()
    page = browser(app, second_chair.email)
    assert page.get(f"/review/categories/{w.category.id}/decisions").status_code == 403
    assert page.get(f"/review/categories/{second.id}/decisions").status_code == 200
    progress = page.get(f"/review/rounds/{w.award_round.id}/progress").get_data(as_text=True)
    assert "Early Career Award" in progress and "Researcher of the Year" not in progress
    with pytest.raises(Refused) as refused:
        award_prize(w.nominations["target"], "Not mine to give.", actor=second_chair)
    assert refused.value.rule == "decision.record"


# --------------------------------------------------------------------------------------------
# Workflow functions ask the policy whoever calls them (the rules no route decides alone)


def _round_data(name: str = "Policy Prizes") -> RoundData:
    sample = factories.award_round(name="Template")
    return RoundData(
        name=name,
        year=sample.year,
        organiser=sample.organiser,
        opens_at=sample.opens_at,
        closes_at=sample.closes_at,
        review_deadline=sample.review_deadline,
    )


def _create_round_as_staff(w):
    create_round(_round_data(), actor=w.nominator)


def _publish_as_system(w):
    publish_round(w.award_round, actor=SYSTEM)


def _update_user_as_chair(w):
    update_user(
        w.reviewer,
        actor=w.chair,
        name="Rita",
        department=None,
        is_staff=True,
        is_reviewer=True,
        is_admin=True,
        active=True,
    )


def _complete_as_narrow_chair(w):
    second = factories.category(w.award_round, name="Early Career Award")
    narrow = user("narrow@example.org", "Nia Narrow", roles=("staff", "reviewer"))
    create_panel(w.award_round, name="Narrow", chair=narrow, category=second, actor=w.admin)
    complete_decisions(w.award_round, actor=narrow)


def _award_as_outsider(w):
    award_prize(w.nominations["other"], "For X.", actor=w.outsider)


def _review_as_admin(w):
    # Admins read every nomination for the panel; the panel alone writes reviews.
    review(w.nominations["other"], w.admin, 5)


def _note_as_member(w):
    # The panel reads the chair's note on a discussion; only the chair (or an admin) writes it.
    save_note(w.nominations["other"], "Resolved.", actor=w.reviewer)


WORKFLOW_REFUSALS = {
    "round.manage": _create_round_as_staff,
    "results.publish": _publish_as_system,
    "user.manage": _update_user_as_chair,
    "round.complete": _complete_as_narrow_chair,
    "decision.record": _award_as_outsider,
    "review.write": _review_as_admin,
    "discussion.note": _note_as_member,
}


@pytest.mark.parametrize("rule", sorted(WORKFLOW_REFUSALS))
def test_workflow_functions_refuse_by_the_policy(app, rule):
    w = world()
    with pytest.raises(Refused) as refused:
        WORKFLOW_REFUSALS[rule](w)
    assert refused.value.rule == rule


def test_the_system_actor_sets_up_but_never_reviews_or_decides(app):
    w = world()
    assert create_round(_round_data("Set up by the shell"), actor=SYSTEM).id
    for rule in ("review.write", "review.view_others", "nomination.view"):
        assert not allowed(rule, SYSTEM, w.target)
    assert not allowed("decision.record", SYSTEM, w.category)


def test_other_reviews_follow_the_policy(app):
    """review.view_others (no route of its own: it decides what the review page shows)."""
    w = world()
    other = w.nominations["other"]
    assert allowed("review.view_others", w.chair, other)
    assert allowed("review.view_others", w.admin, other)
    assert not allowed("review.view_others", w.nominator, other)
    assert not allowed("review.view_others", w.conflicted, w.target)


TESTED_HERE = set(WORKFLOW_REFUSALS) | {"review.view_others"}


def test_every_rule_is_used_and_every_named_rule_exists():
    named = {entry.rule for entry in [*ACCESS.values(), *VARIANTS.values()] if entry.rule}
    assert named - set(RULES) == set(), "the access table names rules the policy lacks"
    assert set(RULES) - named - TESTED_HERE == set(), "rules no route or workflow test uses"
    assert set(RULES) >= TESTED_HERE


def test_a_page_reads_each_access_fact_once_and_the_next_page_reads_it_again(app, count_queries):
    """During a GET (which never writes) the facts under the rules are read once; the next
    request, even in the same app context, and any POST read them afresh."""
    w = world()
    chair, category, target = w.chair, w.category, w.nominations["other"]

    def loaded() -> None:
        """What the rules read from the objects themselves, loaded before counting."""
        _ = chair.active, category.round.status, target.category.round.id

    def ask() -> tuple[bool, bool, bool]:
        return (
            allowed("ranking.view", chair, category),
            allowed("decision.record", chair, category),
            allowed("review.write", chair, target),
        )

    with app.test_request_context("/review/", method="GET"):
        loaded()
        with count_queries() as counter:
            assert ask() == (True, True, True)
            assert ask() == (True, True, True)
        assert counter.count == 2, counter.statements  # his seats; whether he owes the review
        # What a POST elsewhere could do meanwhile: he leaves the panel.
        for seat in db.session.execute(
            db.select(PanelMember).where(PanelMember.user_id == chair.id)
        ).scalars():
            db.session.delete(seat)
        db.session.commit()
    with app.test_request_context("/review/", method="GET"):
        assert ask() == (False, False, False)
    with app.test_request_context("/review/", method="POST"):
        loaded()
        with count_queries() as counter:
            ask()
        once = counter.count
        with count_queries() as counter:
            ask()
        assert once >= 2 and counter.count == once  # nothing kept: a POST may change them
