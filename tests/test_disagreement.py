"""Disagreement worth a discussion: the list's order and threshold, and the chair's note on
how it was resolved (written by the chair and admins, audited, read by the panel, never by a
nominator or a member who may not write it)."""

from __future__ import annotations

import re

import pytest

from nominations.models import AuditEvent, DiscussionNote, db
from nominations.policy import Refused
from nominations.workflow.disagreement import disagreements, save_note
from nominations.workflow.ranking import compute_ranking
from tests.ranking_setup import TableParser, scored_category
from tests.review_setup import browser
from tests.uncertainty_setup import FRAGILE, ROBUST, panel


def _listed(html: str) -> list[str]:
    table = TableParser("disagreements")
    table.feed(html)
    return [row[0] for row in table.rows[1:]]


def test_the_list_orders_by_spread_of_z_scores(app):
    """FRAGILE (tests/uncertainty_setup.py), z-scores by reviewer (own mean and sd):
        Hanna 5, 2, 1, 2 (mean 2.5, sd 1.5): Ada +1.667, Ben -0.333, Cleo -1.0, Dan -0.333
        Leo   7, 1, 1, 3 (mean 3, sd 2.449): Ada +1.633, Ben -0.816, Cleo -0.816, Dan 0
        Mia   3, 7, 2, 3 (mean 3.75, sd 1.920): Ada -0.391, Ben +1.692, Cleo -0.911, Dan -0.391
    Spreads (highest - lowest z): Ben 2.509, Ada 2.057, Dan 0.391, Cleo 0.184: Ben, then Ada;
    Dan and Cleo stay under 1.0."""
    world = panel(FRAGILE)
    found = disagreements(compute_ranking(world.category, viewer=world.chair))
    assert [d.row.nominee_name for d in found] == ["Ben Franklin", "Ada Lovelace"]
    assert [round(d.spread, 3) for d in found] == [2.509, 2.057]
    assert round(found[0].lowest, 3) == -0.816 and round(found[0].highest, 3) == 1.692
    html = browser(app, "mia@example.org").get(f"/review/categories/{world.category.id}/discussion")
    assert html.status_code == 200
    assert _listed(html.get_data(as_text=True)) == ["Ben Franklin", "Ada Lovelace"]


def test_an_agreeing_panel_has_nothing_to_discuss(app):
    world = panel(ROBUST)
    html = (
        browser(app, "mia@example.org")
        .get(f"/review/categories/{world.category.id}/discussion")
        .get_data(as_text=True)
    )
    assert 'id="no-disagreement"' in html and 'id="disagreements"' not in html


def test_the_list_is_capped_and_ordered(app):
    scored = scored_category(chair_conflict=False)
    result = compute_ranking(scored.category, viewer=scored.admin)
    assert len(disagreements(result, limit=1)) == 1
    assert disagreements(result, threshold=100) == []


def _note_form(chair, scored, nomination, text):
    page = f"/review/categories/{scored.category.id}/discussion"
    return chair.submit(
        f"/review/nominations/{nomination.id}/discussion-note",
        {f"n{nomination.id}-note": text},
        page=page,
    )


def _audit(action_prefix: str):
    return list(
        db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action.like(action_prefix + "%"))
            .order_by(AuditEvent.id)
        ).scalars()
    )


def test_the_chair_writes_changes_and_removes_a_note_with_audit(app):
    scored = scored_category(chair_conflict=False)
    ada = scored["Ada"]
    chair = browser(app, "mia@example.org")
    response = _note_form(chair, scored, ada, "Hanna read an old CV; agreed on 5.")
    assert response.status_code == 302
    page = chair.get(response.headers["Location"]).get_data(as_text=True)
    assert "The note on Ada Lovelace is saved." in page
    assert "Hanna read an old CV; agreed on 5." in page
    note = db.session.execute(db.select(DiscussionNote)).scalar_one()
    assert note.updated_by_id == scored.chair.id
    [created] = _audit("discussion_note")
    assert created.action == "discussion_note.create"
    assert created.before is None and created.after["note"] == "Hanna read an old CV; agreed on 5."
    # Saving the same text again changes nothing, not even the log.
    stamp = note.updated_at
    response = _note_form(chair, scored, ada, "Hanna read an old CV; agreed on 5.")
    assert "Nothing was changed." in chair.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert len(_audit("discussion_note")) == 1
    assert db.session.execute(db.select(DiscussionNote)).scalar_one().updated_at == stamp
    # An admin changes it: before and after in the log.
    admin = browser(app, "admin@example.org")
    _note_form(admin, scored, ada, "Agreed on 5 after discussion.")
    db.session.expire_all()
    changed = _audit("discussion_note")[-1]
    assert changed.action == "discussion_note.update"
    assert changed.before["note"] == "Hanna read an old CV; agreed on 5."
    assert changed.after["note"] == "Agreed on 5 after discussion."
    assert changed.actor_id == scored.admin.id
    # Emptied: removed, and logged with what it said.
    response = _note_form(chair, scored, ada, "  ")
    assert "The note on Ada Lovelace is removed." in chair.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(db.select(DiscussionNote)).first() is None
    removed = _audit("discussion_note")[-1]
    assert removed.action == "discussion_note.delete"
    assert removed.before["note"] == "Agreed on 5 after discussion." and removed.after is None


def test_a_note_needs_the_csrf_token(app):
    scored = scored_category(chair_conflict=False)
    chair = browser(app, "mia@example.org")
    response = chair.post(
        f"/review/nominations/{scored['Ada'].id}/discussion-note",
        data={f"n{scored['Ada'].id}-note": "No token."},
    )
    assert response.status_code == 400
    assert db.session.execute(db.select(DiscussionNote)).first() is None


def test_a_note_too_long_is_refused_at_its_field(app):
    scored = scored_category(chair_conflict=False)
    chair = browser(app, "mia@example.org")
    response = _note_form(chair, scored, scored["Ada"], "x" * 5001)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "error-summary" in html and f'id="n{scored["Ada"].id}-note"' in html
    assert db.session.execute(db.select(DiscussionNote)).first() is None


def test_panel_members_read_the_note_but_cannot_write_it_and_nominators_never_see_it(app):
    scored = scored_category(chair_conflict=False)
    ada = scored["Ada"]
    save_note(ada, "Resolved: Hanna missed the 2024 paper.", actor=scored.chair)
    db.session.commit()
    member = browser(app, "hanna@example.org")
    page = member.get(f"/review/nominations/{ada.id}").get_data(as_text=True)
    assert "Resolved: Hanna missed the 2024 paper." in page
    assert 'id="discussion-note"' in page
    # A member may not open the list nor write a note.
    assert member.get(f"/review/categories/{scored.category.id}/discussion").status_code == 403
    refused = member.submit(
        f"/review/nominations/{ada.id}/discussion-note",
        {f"n{ada.id}-note": "Overwritten."},
        page=f"/review/nominations/{ada.id}",
    )
    assert refused.status_code == 403
    with pytest.raises(Refused):
        save_note(ada, "Overwritten.", actor=scored.hanna)
    db.session.rollback()
    assert db.session.execute(db.select(DiscussionNote.note)).scalar_one() == (
        "Resolved: Hanna missed the 2024 paper."
    )
    # The nominator sees no review page, so no note.
    nominator = browser(app, "nominator@example.org")
    assert nominator.get(f"/review/nominations/{ada.id}").status_code == 403
    mine = nominator.get("/nominations/mine").get_data(as_text=True)
    assert "Hanna missed" not in mine
    assert nominator.get(f"/review/categories/{scored.category.id}/discussion").status_code == 403


def test_a_conflicted_chair_cannot_write_a_note_on_a_hidden_nomination(app):
    scored = scored_category()  # Mia has a conflict with Eve
    chair = browser(app, "mia@example.org")
    response = _note_form(chair, scored, scored["Eve"], "Should not be stored.")
    assert response.status_code == 403
    assert db.session.execute(db.select(DiscussionNote)).first() is None
    html = chair.get(f"/review/categories/{scored.category.id}/discussion").get_data(as_text=True)
    assert not re.search(r"Eve Online", html)
