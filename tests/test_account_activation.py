"""Administrators deactivate and reactivate a person with the buttons of the user page: a
deactivation signs the person out everywhere and refuses every sign-in until a reactivation;
both are in the audit log. (Through the OpenID Connect provider: tests/test_oidc.py.)"""

from __future__ import annotations

from nominations.models import AuditEvent, User, db
from tests import factories
from tests.test_sessions import REMEMBER, sign_in_remembered, signed_in_as


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def _active(user: User) -> bool:
    db.session.expire_all()
    return db.session.get(User, user.id).active


def test_an_admin_deactivates_and_reactivates_a_person(make_client, admin, staff):
    browser = make_client()
    remember = sign_in_remembered(browser, "staff@example.org")
    chief = make_client("admin@example.org")
    page = chief.get(f"/admin/users/{staff.id}").get_data(as_text=True)
    assert "Deactivate <bdi>Sam Staff</bdi></button>" in page
    assert 'data-confirm="Deactivate Sam Staff? They are signed out now' in page

    user_page = f"/admin/users/{staff.id}"
    response = chief.submit(f"{user_page}/deactivate", {"confirmed": "1"}, page=user_page)
    assert response.status_code == 302
    page = chief.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sam Staff is deactivated and signed out everywhere." in page
    assert "Reactivate <bdi>Sam Staff</bdi></button>" in page and "Deactivate <bdi>" not in page
    assert not _active(staff)
    # Signed out at once, the remember cookie too, and no new sign-in.
    assert not signed_in_as(browser, "Sam Staff")
    by_cookie = make_client()
    by_cookie.set_cookie(REMEMBER, remember)
    assert not signed_in_as(by_cookie, "Sam Staff")
    refused = make_client().submit(
        "/login", {"email": "staff@example.org", "password": factories.PASSWORD}
    )
    assert refused.status_code == 200 and not _active(staff)
    [deactivation] = _events("user.deactivate")
    assert deactivation.actor_id == admin.id and deactivation.object_id == staff.id
    assert (deactivation.before, deactivation.after) == ({"active": True}, {"active": False})

    response = chief.submit(f"{user_page}/reactivate", {"confirmed": "1"}, page=user_page)
    page = chief.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sam Staff is active again and can sign in." in page
    assert _active(staff)
    [reactivation] = _events("user.reactivate")
    assert reactivation.actor_id == admin.id and reactivation.after == {"active": True}
    make_client("staff@example.org")  # signs in again (asserts it)


def test_an_admin_cannot_deactivate_himself(make_client, admin):
    chief = make_client("admin@example.org")
    page = chief.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "You cannot deactivate yourself" in page and "Deactivate <bdi>" not in page
    response = chief.submit(
        f"/admin/users/{admin.id}/deactivate",
        page=f"/admin/users/{admin.id}",
        follow_redirects=True,
    )
    assert "You cannot deactivate yourself; ask another administrator." in response.get_data(
        as_text=True
    )
    assert _active(admin) and signed_in_as(chief, "Ada Admin")
    assert _events("user.deactivate") == []


def test_deactivating_twice_changes_nothing_the_second_time(make_client, admin, staff):
    chief = make_client("admin@example.org")
    # The second time unconfirmed: the refusal comes before any question.
    for body in ({"confirmed": "1"}, {}):
        response = chief.submit(
            f"/admin/users/{staff.id}/deactivate",
            body,
            page=f"/admin/users/{staff.id}",
            follow_redirects=True,
        )
    assert "Sam Staff is already deactivated." in response.get_data(as_text=True)
    assert len(_events("user.deactivate")) == 1


def test_saving_the_user_form_leaves_the_sign_in_alone(make_client, admin, staff):
    # The form has no "active" box any more (a browser leaves an unticked box out of the
    # body): saving a new name must not deactivate the person on the way.
    chief = make_client("admin@example.org")
    page = chief.get(f"/admin/users/{staff.id}").get_data(as_text=True)
    assert 'name="active"' not in page
    response = chief.submit(
        f"/admin/users/{staff.id}",
        {"name": "Sam S. Staff", "department_id": "0", "is_staff": "y"},
    )
    assert response.status_code == 302
    assert _active(staff)
    assert _events("user.deactivate") == []
