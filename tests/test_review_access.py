"""Who sees what: the permission matrix (nominator, reviewer on the panel, reviewer not on it,
conflicted reviewer, chair, admin) against the nomination, its attachments, its reviews and the
ranking, before and after the call closes."""

from datetime import timedelta

import pytest
import time_machine

from nominations.models import Attachment, AwardCategory, Nomination, db
from nominations.timeutil import now
from nominations.workflow import access
from nominations.workflow.panels import add_member, create_panel
from tests import factories
from tests.review_setup import browser, make_nomination, review, user, world

ROLES = ("nominator", "reviewer", "outsider", "conflicted", "chair", "admin")

# Expected answers, role by role, in the order of ROLES.
BEFORE_CLOSE = {
    "can_view_nomination": (True, False, False, False, False, True),  # attachments follow it
    "panel_page": (403, 404, 404, 404, 404, 200),
    "can_view_reviews": (False, False, False, False, False, True),
    "ranking_page": (403, 403, 403, 403, 403, 200),
}
AFTER_CLOSE = {
    "can_view_nomination": (True, True, False, False, True, True),
    "panel_page": (403, 200, 404, 404, 200, 200),
    # Blind by default: the reviewer has not submitted yet; the chair and admins see reviews.
    "can_view_reviews": (False, False, False, False, True, True),
    "ranking_page": (403, 403, 403, 403, 200, 200),
}


def _attach(nomination: Nomination) -> Attachment:
    attachment = Attachment(
        nomination_id=nomination.id,
        kind="cv",
        original_name="cv-of-the-nominee.pdf",
        stored_name=f"stored-{nomination.id}.pdf",
        sha256="0" * 64,
        size_bytes=2048,
    )
    db.session.add(attachment)
    db.session.commit()
    return attachment


def _observe(app, w) -> dict[str, tuple]:
    target = w.target
    attachment = db.session.get(Attachment, target.attachments[0].id)
    answers: dict[str, list] = {key: [] for key in BEFORE_CLOSE}
    for role in ROLES:
        user = getattr(w, role)
        client = browser(app, user.email)
        # The attachment download view (another area) asks can_view_nomination.
        answers["can_view_nomination"].append(
            access.can_view_nomination(user, attachment.nomination)
        )
        page = client.get(f"/review/nominations/{target.id}")
        answers["panel_page"].append(page.status_code)
        if page.status_code == 200:
            body = page.get_data(as_text=True)
            assert "cv-of-the-nominee.pdf" in body and target.statement in body
        answers["can_view_reviews"].append(access.can_view_reviews(user, target))
        answers["ranking_page"].append(
            client.get(f"/review/categories/{w.category.id}/ranking").status_code
        )
    return {key: tuple(values) for key, values in answers.items()}


def test_permission_matrix_before_and_after_the_call_closes(app):
    w = world(closes_at=now() + timedelta(days=2))
    _attach(w.target)
    with time_machine.travel(w.award_round.closes_at - timedelta(seconds=1), tick=False):
        assert _observe(app, w) == BEFORE_CLOSE
    # One second after the closing time: closed by the clock, whatever the status column says.
    with time_machine.travel(w.award_round.closes_at + timedelta(seconds=1), tick=False):
        assert w.award_round.status == "open"
        assert _observe(app, w) == AFTER_CLOSE


def test_reviews_are_shown_only_to_those_allowed(app):
    w = world()
    other = w.nominations["other"]
    review(other, w.chair, 6, comment="CHAIR-SECRET-COMMENT")
    # The conflicted reviewer is conflicted with the target only; use a declared conflict here.
    from nominations.workflow.conflicts import declare_conflict

    declare_conflict(other, kind="collaborator", reason="We share a grant.", actor=w.conflicted)
    db.session.commit()  # the test is the edge: workflow functions only flush
    seen = {}
    for role in ROLES:
        body = browser(app, getattr(w, role).email).get(f"/review/nominations/{other.id}")
        seen[role] = (body.status_code, "CHAIR-SECRET-COMMENT" in body.get_data(as_text=True))
    assert seen == {
        "nominator": (403, False),
        "reviewer": (200, False),  # blind until they submit their own
        "outsider": (404, False),
        "conflicted": (404, False),
        "chair": (200, True),  # their own review
        "admin": (200, True),
    }
    # Once the reviewer has submitted, the chair's review shows.
    review(other, w.reviewer, 4)
    page = browser(app, w.reviewer.email).get(f"/review/nominations/{other.id}")
    assert "CHAIR-SECRET-COMMENT" in page.get_data(as_text=True)


def test_reviewer_lists_show_only_submitted_unconflicted_nominations(app):
    w = world()
    expected = {
        "reviewer": {"Conny Conflicted", "Olga Other"},
        "chair": {"Conny Conflicted", "Olga Other"},
        "conflicted": {"Olga Other"},  # not the nomination of which they are the nominee
        "outsider": set(),
    }
    for role, names in expected.items():
        user = getattr(w, role)
        shown = {
            n.nominee_name
            for n in db.session.execute(
                access.visible_nominations_query(user, w.category, panel_only=True)
            ).scalars()
        }
        assert shown == names, role
        # The single check and the query agree.
        for nomination in w.nominations.values():
            assert access.panel_can_view(user, nomination) == (nomination.nominee_name in names)
    body = browser(app, w.reviewer.email).get(f"/review/categories/{w.category.id}")
    page = body.get_data(as_text=True)
    assert "Olga Other" in page and "Conny Conflicted" in page
    for hidden in ("Walter Withdrawn", "Ines Ineligible", "Dora Draft"):
        assert hidden not in page
    index = browser(app, w.conflicted.email).get("/review/").get_data(as_text=True)
    assert "1 nomination not shown because of a conflict of interest" in index
    # The nominator-facing rule is unchanged: they see all their own, admins see everything.
    own = db.session.execute(access.visible_nominations_query(w.nominator, w.category)).scalars()
    assert {n.nominee_name for n in own} == {n.nominee_name for n in w.nominations.values()}
    assert (
        browser(app, w.outsider.email).get(f"/review/categories/{w.category.id}").status_code == 404
    )


def test_panel_for_one_category_sees_only_that_category(app):
    w = world()
    second: AwardCategory = factories.category(w.award_round, name="Employee of the Year")
    specialist = user("spec@example.org", "Sofie Specialist", roles=("reviewer",))
    second_chair = user("chair2@example.org", "Carl Chair", roles=("reviewer",))
    panel = create_panel(
        w.award_round, name="Employee panel", chair=second_chair, category=second, actor=w.admin
    )
    add_member(panel, specialist, actor=w.admin)
    employee = make_nomination(second, w.nominator, "Erik Employee")
    assert access.panel_can_view(specialist, employee)
    assert not access.panel_can_view(specialist, w.nominations["other"])
    # The round-wide panel covers every category, the new one included.
    assert access.panel_can_view(w.reviewer, employee)
    # The second panel's chair ranks their category only.
    assert access.can_view_ranking(second_chair, second)
    assert not access.can_view_ranking(second_chair, w.category)
    client = browser(app, specialist.email)
    assert client.get(f"/review/nominations/{employee.id}").status_code == 200
    assert client.get(f"/review/nominations/{w.nominations['other'].id}").status_code == 404


def test_reviewer_role_is_needed_even_on_a_panel(app):
    w = world()
    from nominations.workflow.accounts import update_user

    update_user(
        w.reviewer,
        actor=w.admin,
        name=w.reviewer.name,
        department=None,
        is_staff=True,
        is_reviewer=False,
        is_admin=False,
        active=True,
    )
    db.session.commit()  # the test is the edge
    assert not access.panel_can_view(w.reviewer, w.nominations["other"])
    assert browser(app, w.reviewer.email).get("/review/").status_code == 403


def test_admin_reaches_the_chair_pages_of_every_round(app):
    w = world()
    page = browser(app, w.admin.email).get("/review/").get_data(as_text=True)
    assert "All rounds (administrator)" in page
    assert f"/review/categories/{w.category.id}/ranking" in page
    assert f"/review/rounds/{w.award_round.id}/progress" in page
    # A reviewer who is not on any panel is told so.
    page = browser(app, w.outsider.email).get("/review/").get_data(as_text=True)
    assert "You do not sit on a review panel yet." in page


@pytest.mark.parametrize("url", ["/review/", "/review/rounds/1/progress"])
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
