"""Accessibility of the pages of staff and visitors in bokmål (issues 14 and 15): the same
four checks as the other audit modules (axe-core, the Nu HTML checker, no sideways scrolling,
the navigation on one line at 1280 px, where the bokmål labels are longer), over the start
page, the calls page, the nomination form (empty, filled in, refused, kept after the sign-in
ended: its cookies are gone, so that page is in the browser's English) and My nominations,
each person having pressed the header's switch to bokmål.

The other pages in bokmål are audited by the modules of the branches that translate them;
until then they are English and audited as such.
"""

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.access_world import build_world
from tests.browser.a11y import Audit, AuditChecks, run_audit
from tests.browser.a11y_pages import open_call, table_pages

pytestmark = pytest.mark.browser

# The routes of tests/access_table.py that are pages of staff and visitors.
PEOPLE_ROUTES = ("public.index", "calls.index", "nominate.mine", "nominate.edit")


def in_bokmal(page: Page) -> Page:
    """Press the header's switch (the account or the session keeps the choice)."""
    page.goto("/")
    page.get_by_role("button", name="Norsk (bokmål)").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    return page


@pytest.fixture(scope="module")
def audit(browser, live_server) -> Audit:
    app = live_server.app

    def steps(audit: Audit) -> None:
        with live_server.app_context():
            world = build_world()
            category = open_call()
            category.name_nb = "Pris for fremragende forskning"
            category.description = "For an outstanding researcher."  # shown in English
            category.eligibility_text_nb = "Forskere ansatt ved sykehuset."
            factories.nomination(category, world.users["nominator"], "Ingrid Hansen")  # commits
            category_id = category.id
        nominate = f"/calls/{category_id}/nominate"
        people = {}
        for role in ("anonymous", "nominator", "admin"):  # the admin: the longest menu bar
            person = people[role] = in_bokmal(audit.person(role))
            pages = [
                (route, url)
                for route, url in table_pages(app, world.ids, role)
                if route.split(" ")[0] in PEOPLE_ROUTES
            ]
            audit.pages(person, role, "data", pages)
            if role != "anonymous":
                audit.visit(person, "nominate.new", nominate, role, "data")
        audit.submit(
            people["nominator"],
            "nominate.new",
            nominate,
            "nominator",
            button="Send inn nominasjonen",
        )
        audit.submit(
            in_bokmal(audit.person("staff")),
            "nominate.new signed-out",
            nominate,
            "staff",
            button="Send inn nominasjonen",
            values={"Kandidatens navn": "Ingrid Hansen"},
            empty=False,
            signed_out=True,
        )

    return run_audit(browser, live_server, "bokmal", steps)


class TestBokmalPages(AuditChecks):
    """The four checks over the pages of this module's ``audit``."""
