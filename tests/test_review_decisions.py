"""The chair's decision: the prize limit on the server, statuses, revisions until publication,
'decisions complete', and the audit trail."""

import pytest

from nominations.models import (
    AuditEvent,
    Decision,
    NominationStatus,
    RoundStatus,
    db,
)
from nominations.workflow import PermissionDenied, WorkflowError
from nominations.workflow.decisions import (
    award_prize,
    complete_decisions,
    revoke_prize,
    set_winners,
)
from tests.review_setup import browser, make_nomination, world


def _statuses(w) -> dict[str, str]:
    db.session.expire_all()
    return {key: n.status for key, n in w.nominations.items()}


def test_prize_limit_is_enforced_on_the_server(app):
    w = world(prize_count=1)
    other, target = w.nominations["other"], w.target
    chair = browser(app, w.chair.email)
    url = f"/review/categories/{w.category.id}/decisions"
    response = chair.submit(
        url,
        {"nomination_id": str(other.id), "citation": "For outstanding work on X."},
        follow_redirects=True,
    )
    assert "Olga Other is a winner of Researcher of the Year." in response.get_data(as_text=True)
    # A second winner for a single prize: refused, whatever the page offered.
    response = chair.submit(url, {"nomination_id": str(target.id), "citation": "Also very good."})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "choose at most 1 winner" in body
    assert db.session.execute(db.select(db.func.count(Decision.id))).scalar() == 1
    with pytest.raises(WorkflowError, match="at most 1 winner"):
        set_winners(w.category, {other.id: "a", target.id: "b"}, actor=w.admin)
    assert _statuses(w)["other"] == NominationStatus.AWARDED
    assert _statuses(w)["target"] == NominationStatus.NOT_AWARDED
    # Withdrawn, ineligible and draft nominations are untouched and cannot win.
    assert _statuses(w)["withdrawn"] == NominationStatus.WITHDRAWN
    with pytest.raises(WorkflowError, match="submitted nomination"):
        set_winners(w.category, {w.nominations["withdrawn"].id: "x"}, actor=w.admin)


def test_two_prizes_citations_revisions_and_audit(app):
    w = world(prize_count=2)
    third = make_nomination(w.category, w.nominator, "Tor Third")
    other, target = w.nominations["other"], w.target
    award_prize(other, "For X.", actor=w.chair)
    # The chair may not decide on a nomination they have a conflict with; here the chair
    # has none with the target, so both prizes go.
    award_prize(target, "For Y.", actor=w.chair)
    assert {n: s for n, s in _statuses(w).items() if n in ("other", "target")} == {
        "other": NominationStatus.AWARDED,
        "target": NominationStatus.AWARDED,
    }
    with pytest.raises(WorkflowError, match="at most 2 winners"):
        award_prize(third, "For Z.", actor=w.chair)
    # Revise: replace the target by the third nomination, with a new citation for Olga.
    decision = db.session.execute(
        db.select(Decision).where(Decision.nomination_id == target.id)
    ).scalar_one()
    revoke_prize(decision, actor=w.chair)
    award_prize(third, "For Z.", actor=w.chair)
    set_winners(w.category, {other.id: "For X, and more.", third.id: "For Z."}, actor=w.chair)
    db.session.expire_all()
    assert db.session.get(type(third), third.id).status == NominationStatus.AWARDED
    assert _statuses(w)["target"] == NominationStatus.NOT_AWARDED
    events = (
        db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action.like("decision.%"))
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert [e.action for e in events] == [
        "decision.create",
        "decision.create",
        "decision.delete",
        "decision.create",
        "decision.update",
    ]
    assert events[-1].before == {"citation": "For X."}
    assert events[-1].after == {"citation": "For X, and more."}
    assert all(e.actor_id == w.chair.id for e in events)
    summaries = (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "category.decide"))
        .scalars()
        .all()
    )
    assert len(summaries) == 5
    assert {wn["nominee"] for wn in summaries[2].before["winners"]} == {
        "Olga Other",
        "Conny Conflicted",
    }
    assert [wn["nominee"] for wn in summaries[2].after["winners"]] == ["Olga Other"]


def test_only_the_chair_or_an_admin_decides_and_not_before_the_call_closes(app):
    w = world()
    other = w.nominations["other"]
    for person in (w.reviewer, w.nominator, w.outsider):
        with pytest.raises(PermissionDenied):
            award_prize(other, "Citation.", actor=person)
    assert (
        browser(app, w.reviewer.email)
        .get(f"/review/categories/{w.category.id}/decisions")
        .status_code
        == 403
    )
    award_prize(other, "Citation.", actor=w.admin)  # admins may record it too
    assert _statuses(w)["other"] == NominationStatus.AWARDED


def test_chair_with_a_conflict_cannot_decide_on_that_nomination(app):
    w = world()
    from nominations.workflow.conflicts import declare_conflict

    declare_conflict(w.target, kind="supervisor", reason="I supervised her PhD.", actor=w.chair)
    db.session.commit()  # the test is the edge: workflow functions only flush
    with pytest.raises(PermissionDenied, match="conflict of interest"):
        award_prize(w.target, "Citation.", actor=w.chair)
    page = browser(app, w.chair.email).get(f"/review/categories/{w.category.id}/decisions")
    body = page.get_data(as_text=True)
    assert f'<option value="{w.target.id}"' not in body
    assert f'<option value="{w.nominations["other"].id}"' in body
    award_prize(w.target, "Citation.", actor=w.admin)
    assert _statuses(w)["target"] == NominationStatus.AWARDED


def test_decisions_complete_then_revisable_until_published(app):
    w = world()
    other, target = w.nominations["other"], w.target
    chair = browser(app, w.chair.email)
    summary = f"/review/rounds/{w.award_round.id}/decisions"
    response = chair.submit(
        f"/review/rounds/{w.award_round.id}/complete", page=summary, follow_redirects=True
    )
    assert "These categories have no winner yet: Researcher of the Year." in response.get_data(
        as_text=True
    )
    award_prize(other, "For X.", actor=w.chair)
    db.session.commit()  # the test is the edge: workflow functions only flush
    response = chair.submit(
        f"/review/rounds/{w.award_round.id}/complete", page=summary, follow_redirects=True
    )
    assert "are complete" in response.get_data(as_text=True)
    db.session.expire_all()
    assert w.award_round.status == RoundStatus.DECIDED
    # Still revisable while decided ...
    set_winners(w.category, {target.id: "For Y."}, actor=w.chair)
    assert _statuses(w)["target"] == NominationStatus.AWARDED
    assert _statuses(w)["other"] == NominationStatus.NOT_AWARDED
    # ... and taking away the last winner reopens the round's decisions.
    set_winners(w.category, {}, actor=w.chair)
    db.session.expire_all()
    assert w.award_round.status == RoundStatus.CLOSED
    assert _statuses(w)["target"] == NominationStatus.SUBMITTED
    award_prize(target, "For Y.", actor=w.chair)
    complete_decisions(w.award_round, actor=w.chair)
    # Once published, nothing changes any more.
    w.award_round.status = RoundStatus.PUBLISHED
    db.session.commit()
    with pytest.raises(WorkflowError, match="published"):
        award_prize(other, "Late.", actor=w.chair)
    with pytest.raises(WorkflowError, match="published"):
        set_winners(w.category, {}, actor=w.admin)
    page = chair.get(f"/review/categories/{w.category.id}/decisions").get_data(as_text=True)
    assert "can no longer change" in page and "Award the prize" not in page
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("round.decide") == 2 and "round.decisions_reopened" in actions


def test_decisions_complete_for_a_round_the_scheduler_never_moved(app):
    """A round still marked draft has closed when its closing time has passed: the chair
    completes the decisions without waiting for a scheduler job."""
    w = world()
    w.award_round.status = RoundStatus.DRAFT
    db.session.commit()
    award_prize(w.nominations["other"], "For X.", actor=w.chair)
    complete_decisions(w.award_round, actor=w.chair)
    db.session.expire_all()
    assert w.award_round.status == RoundStatus.DECIDED


def _labels(html: str) -> list[str]:
    """The visible text of every <label> on a page."""
    import re

    return [
        " ".join(re.sub(r"<[^>]+>", "", text).split())
        for text in re.findall(r"<label\b[^>]*>(.*?)</label>", html, flags=re.S)
    ]


def _text(html: str) -> str:
    """What a reader sees: the page without its tags, spaces collapsed."""
    import re

    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return text.replace(" ,", ",").replace(" .", ".")


def test_decisions_page_says_when_every_prize_is_given_and_names_each_citation(app):
    w = world(prize_count=2)
    other, target = w.nominations["other"], w.target
    chair = browser(app, w.chair.email)
    url = f"/review/categories/{w.category.id}/decisions"
    chair.submit(url, {"nomination_id": str(other.id), "citation": "For X."})
    page = chair.get(url).get_data(as_text=True)
    assert "1 of 2 prizes awarded; 1 still to award." in _text(page)
    assert "Award the prize" in page
    chair.submit(url, {"nomination_id": str(target.id), "citation": "For Y."})
    page = chair.get(url).get_data(as_text=True)
    # Every prize is given: the page says so, and offers no form to award a third.
    assert "All 2 prizes are awarded: Olga Other, Conny Conflicted." in _text(page)
    assert "remove a winner first" in page
    assert "Award the prize" not in page
    # No two fields share a label: each citation names its winner.
    labels = _labels(page)
    assert len(labels) == len(set(labels)), labels
    assert "Citation for Olga Other" in labels and "Citation for Conny Conflicted" in labels
    # One prize left again: the form to award it comes back, its citation labelled apart.
    decision = db.session.execute(
        db.select(Decision).where(Decision.nomination_id == target.id)
    ).scalar_one()
    chair.submit(f"/review/decisions/{decision.id}/revoke", {"confirmed": "1"}, page=url)
    page = chair.get(url).get_data(as_text=True)
    labels = _labels(page)
    assert "Citation for the new winner" in labels and len(labels) == len(set(labels)), labels
