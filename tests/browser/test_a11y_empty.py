"""Accessibility of a fresh installation (issue 14): the start page, the calls, the lists and
overviews with nothing in them, for a visitor, a staff member, a reviewer and an admin; then
the admin's pages of a round that has nothing in it yet.

How each page is checked: tests/browser/a11y.py; which pages: tests/browser/a11y_pages.py.
"""

import pytest

from tests import factories
from tests.browser.a11y import Audit, AuditChecks, run_audit
from tests.browser.a11y_pages import EMPTY_PEOPLE, empty_pages, empty_people, empty_round_pages

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def audit(browser, live_server) -> Audit:
    app = live_server.app

    def steps(audit: Audit) -> None:
        with live_server.app_context():
            empty_people()
        for role, (email, column) in EMPTY_PEOPLE.items():
            person = audit.person(role, email)
            audit.pages(person, role, "empty", empty_pages(app, column))
        with live_server.app_context():
            round_id = factories.award_round("ICR Prizes", confirmed=False).id
        audit.pages(person, "admin", "empty", empty_round_pages(app, round_id))

    return run_audit(browser, live_server, "empty", steps)


class TestFreshInstallationPages(AuditChecks):
    """The four checks over the pages of this module's ``audit``."""
