"""Accessibility of every page the panel's members open, with data (issue 14): a reviewer,
a reviewer on another category's panel, a reviewer with a declared conflict.

The access world (tests/access_world.py) in the live server, each person signed in once, every
GET route of tests/access_table.py that answers them with a page. How each page is checked:
tests/browser/a11y.py.
"""

import pytest

from tests.browser.a11y import Audit, AuditChecks
from tests.browser.a11y_pages import audit_table_pages

pytestmark = pytest.mark.browser

ROLES = ("reviewer", "outsider", "conflicted")


@pytest.fixture(scope="module")
def audit(browser, live_server) -> Audit:
    return audit_table_pages(browser, live_server, "reviewers", ROLES)


class TestReviewerPages(AuditChecks):
    """The four checks over the pages of this module's ``audit``."""
