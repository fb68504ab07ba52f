"""Accessibility of every page the chairs open, with data (issue 14): the chair of the
world's panel and the chair of another category's panel in the same round.

The access world (tests/access_world.py) in the live server, each chair signed in once, every
GET route of tests/access_table.py that answers them with a page. How each page is checked:
tests/browser/a11y.py.
"""

import pytest

from tests.browser.a11y import Audit, AuditChecks
from tests.browser.a11y_pages import audit_table_pages

pytestmark = pytest.mark.browser

ROLES = ("chair", "other_chair")


@pytest.fixture(scope="module")
def audit(browser, live_server) -> Audit:
    return audit_table_pages(browser, live_server, "chairs", ROLES)


class TestChairPages(AuditChecks):
    """The four checks over the pages of this module's ``audit``."""
