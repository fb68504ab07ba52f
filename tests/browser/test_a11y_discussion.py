"""Accessibility of the ranking's uncertainty, the discussion list with its note forms (and
their error summary) and the chair's note on a nomination's review page (issue 19), with a
panel whose prize boundary is not robust (tests/uncertainty_setup.py).

How each page is checked: tests/browser/a11y.py; which pages: tests/browser/a11y_pages.py.
"""

import pytest

from tests.browser.a11y import Audit, AuditChecks, run_audit
from tests.browser.a11y_pages import disagreement_pages

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def audit(browser, live_server) -> Audit:
    def steps(audit: Audit) -> None:
        with live_server.app_context():
            pages, _ = disagreement_pages()
        for email, urls in pages.items():
            role = "chair" if email.startswith("mia") else "reviewer"
            audit.pages(audit.person(role, email), role, "disagreement", urls)

    return run_audit(browser, live_server, "discussion", steps)


class TestDiscussionPages(AuditChecks):
    """The four checks over the pages of this module's ``audit``."""
