"""Accessibility of every page an administrator opens, with data (issue 14).

The access world (tests/access_world.py) in the live server, the admin signed in once, every
GET route of tests/access_table.py that answers the admin with a page; the nominations list
paged (with more nominations, tests/query_world.py); a person's data found and refused
(PERSON_PAGES); and the previews of the staff import and of a publication list. How each
page is checked: tests/browser/a11y.py.
"""

import pytest

from tests.access_world import build_world
from tests.browser.a11y import Audit, AuditChecks, run_audit
from tests.browser.a11y_pages import (
    GOOD_STAFF_FILE,
    PERSON_PAGES,
    PUBLICATION_FILE,
    PUBLICATION_PERSON,
    publication_file,
    staff_file,
    table_pages,
)
from tests.query_world import grow

pytestmark = pytest.mark.browser

HELD = "/admin/publications/held"  # a person's publication list, by address


@pytest.fixture(scope="module")
def audit(browser, live_server) -> Audit:
    def steps(audit: Audit) -> None:
        with live_server.app_context():
            world = build_world()
        admin = audit.person("admin")
        audit.pages(admin, "admin", "data", table_pages(live_server.app, world.ids, "admin"))
        audit.pages(admin, "admin", "data", PERSON_PAGES)
        # Enough nominations for the list to page: its first and last pages, with the links.
        with live_server.app_context():
            grow(world, 10)
        audit.pages(
            admin,
            "admin",
            "data",
            [
                ("admin.nominations first page", "/admin/nominations"),
                ("admin.nominations last page", "/admin/nominations?sort=name&last=1"),
                ("admin.publications_held list", f"{HELD}?email=olga@example.org"),
                ("admin.publications_held refused", f"{HELD}?email=not-an-address"),
            ],
        )
        audit.submit(
            admin,
            "admin.staff_import preview",
            "/admin/staff-import",
            "admin",
            files=staff_file(GOOD_STAFF_FILE),
            state="data",
        )
        audit.submit(
            admin,
            "admin.publications_import preview",
            "/admin/publications",
            "admin",
            values=PUBLICATION_PERSON,
            files=publication_file(PUBLICATION_FILE),
            state="data",
        )

    return run_audit(browser, live_server, "admin", steps)


class TestAdminPages(AuditChecks):
    """The four checks over the pages of this module's ``audit``."""
