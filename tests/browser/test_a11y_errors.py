"""Accessibility of the pages that tell a person what went wrong (issue 14): every form page
of the access table sent from the browser with its fields emptied or a bad value (the
browser's own checks off, as without JavaScript), by the role that fills it in; the nomination
form of an open call (and the same form sent after the sign-in ended: the typing is kept), a
password reset link, a staff file with bad rows.

How each page is checked: tests/browser/a11y.py; which forms: tests/browser/a11y_pages.py.
"""

import pytest

from tests import factories
from tests.access_world import PEOPLE, build_world
from tests.browser.a11y import Audit, AuditChecks, run_audit
from tests.browser.a11y_pages import (
    BAD_STAFF_FILE,
    FORMS,
    form_url,
    open_call,
    referee_link,
    reset_link,
    staff_file,
)

pytestmark = pytest.mark.browser

STATEMENT = "Statement in support of the nominee"


@pytest.fixture(scope="module")
def audit(browser, live_server) -> Audit:
    app = live_server.app

    def steps(audit: Audit) -> None:
        with live_server.app_context():
            world = build_world()
            category = open_call()
            nominator = world.users["nominator"]
            submitted = factories.nomination(category, nominator, "Ivar Ineligible").id
            link = reset_link(PEOPLE["staff"][0])
            letter_link = referee_link(submitted)
            category_id = category.id
        ids = {**world.ids, "open_category": category_id, "open_nomination": submitted}
        people = {}  # role -> the page of that person, signed in once

        def person(role: str):
            return people.get(role) or people.setdefault(role, audit.person(role))

        for route, role, params, how in FORMS:
            audit.submit(person(role), route, form_url(app, ids, route, params), role, **how)
        audit.submit(person("anonymous"), "auth.reset_password", link, "anonymous")
        audit.submit(person("anonymous"), "referee.letter", letter_link, "anonymous")
        nominate = f"/calls/{category_id}/nominate"
        audit.submit(
            person("nominator"), "nominate.new", nominate, "nominator", button="Submit nomination"
        )
        # The sign-in ended while the form was being filled in: what was typed is kept.
        audit.submit(
            audit.person("staff"),
            "nominate.new signed-out",
            nominate,
            "staff",
            button="Submit nomination",
            values={"Nominee's name": "Ingrid Hansen", STATEMENT: "She built the platform."},
            empty=False,
            signed_out=True,
        )
        audit.submit(
            person("admin"),
            "admin.staff_import bad-rows",
            "/admin/staff-import",
            "admin",
            files=staff_file(BAD_STAFF_FILE),
        )

    return run_audit(browser, live_server, "errors", steps)


class TestFormsWithErrors(AuditChecks):
    """The four checks over the pages of this module's ``audit``."""
