"""Accessibility of every page the chairs open, with data (issue 14): the chair of the
world's panel and the chair of another category's panel in the same round.

The access world (tests/access_world.py) in the live server, each chair signed in once, every
GET route of tests/access_table.py that answers them with a page. How each page is checked:
tests/browser/a11y.py.
"""

import pytest

from tests.access_world import build_world
from tests.browser.a11y import Audit, assert_clean, run_audit
from tests.browser.a11y_pages import table_pages

pytestmark = pytest.mark.browser

ROLES = ("chair", "other_chair")


@pytest.fixture(scope="module")
def audit(browser, live_server) -> Audit:
    def steps(audit: Audit) -> None:
        with live_server.app_context():
            world = build_world()
        for role in ROLES:
            pages = table_pages(live_server.app, world.ids, role)
            audit.pages(audit.person(role), role, "data", pages)

    return run_audit(browser, live_server, "chairs", steps)


def test_every_page_opens(audit):
    assert_clean(audit, "page")


def test_axe_core_finds_no_wcag_21_aa_violation(audit):
    assert_clean(audit, "axe")


def test_the_nu_html_checker_finds_no_error(audit):
    assert_clean(audit, "nu")


def test_no_page_scrolls_sideways_and_the_navigation_fits(audit):
    assert_clean(audit, "width")
