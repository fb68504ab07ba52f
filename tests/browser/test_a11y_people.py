"""Accessibility of every page a visitor and a staff member open, with data (issue 14):
someone not signed in, the staff member who nominated, another staff member.

The access world (tests/access_world.py) in the live server, each person signed in once, every
GET route of tests/access_table.py that answers them with a page; and what that world does not
show: an open call and its nomination form, a password reset link (valid and not), the pages
that refuse (not found, forbidden). How each page is checked: tests/browser/a11y.py.
"""

import pytest

from tests import factories
from tests.access_world import PEOPLE, build_world
from tests.browser.a11y import Audit, AuditChecks, run_audit
from tests.browser.a11y_pages import open_call, referee_link, reset_link, table_pages

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def audit(browser, live_server) -> Audit:
    app = live_server.app

    def steps(audit: Audit) -> None:
        with live_server.app_context():
            world = build_world()
            category = open_call()
            category_id = category.id
            link = reset_link(PEOPLE["staff"][0])
            open_nomination = factories.nomination(
                category, world.users["nominator"], "Olav Open", "olav@example.org"
            ).id
            letter_link = referee_link(open_nomination)
        visitor = audit.person("anonymous")
        audit.pages(visitor, "anonymous", "data", table_pages(app, world.ids, "anonymous"))
        audit.visit(visitor, "auth.reset_password", link, "anonymous", "data")
        audit.visit(
            visitor, "auth.reset_password invalid", "/password/reset/x", "anonymous", "data", 410
        )
        audit.visit(
            visitor, "results.round_results missing", "/results/99999", "anonymous", "data", 404
        )
        audit.visit(visitor, "referee.letter", letter_link, "anonymous", "data")
        audit.visit(visitor, "referee.letter invalid", "/referee/x", "anonymous", "data", 404)
        for role in ("nominator", "staff"):
            person = audit.person(role)
            audit.pages(person, role, "data", table_pages(app, world.ids, role))
        audit.visit(person, "nominate.new", f"/calls/{category_id}/nominate", "staff", "data")
        nominator = audit.person("nominator")
        referees = f"/nominations/{open_nomination}/referees"
        audit.visit(nominator, "nominate.referees open", referees, "nominator", "data")
        audit.visit(person, "admin.rounds forbidden", "/admin/rounds", "staff", "data", 403)

    return run_audit(browser, live_server, "people", steps)


class TestPeoplePages(AuditChecks):
    """The four checks over the pages of this module's ``audit``."""
