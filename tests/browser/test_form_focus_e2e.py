"""Forms in a real browser (issue 14): after a refused submit the focus is on the error
summary, so a screen reader reads it first, and its links put the focus in their fields; a
button that asks before an irreversible action asks with window.confirm when JavaScript runs,
and on a page of its own when it does not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from nominations.models import User, db
from tests.browser.support import is_focused, sign_in

pytestmark = pytest.mark.browser

SUMMARY = "[data-error-summary]"


@pytest.fixture
def no_script_page(browser, live_server, watch) -> Iterator[Page]:
    """A page in a browser with JavaScript switched off."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/Oslo",
        viewport={"width": 1280, "height": 900},
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch.attach(page)
    yield page
    context.close()


def _active(live_server, email: str) -> bool:
    with live_server.app_context():
        return db.session.execute(db.select(User.active).where(User.email == email)).scalar_one()


def test_a_refused_form_puts_the_focus_on_its_summary_and_the_links_on_the_fields(
    page, users, shot
):
    sign_in(page, users["admin"])
    page.goto("/admin/rounds/new")
    page.get_by_label("Name (English)", exact=True).fill("")
    page.get_by_role("button", name="Save round").click()

    summary = page.locator(SUMMARY)
    expect(summary).to_be_focused()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    shot("the summary has the focus")

    # By keyboard: the first link is the next stop; Enter puts the focus in its field.
    page.keyboard.press("Tab")
    first = summary.get_by_role("link").first
    expect(first).to_be_focused()
    expect(first).to_have_text("Name (English): This field is required.")
    page.keyboard.press("Enter")
    expect(page.locator("#name")).to_be_focused()

    # By mouse: another link, another field, and its label in view.
    summary.get_by_role("link", name="Closes on:").click()
    closes = page.locator("#closes_date")
    expect(closes).to_be_focused()
    expect(page.locator("label[for=closes_date]")).to_be_in_viewport()
    shot("the link led to its field")


def test_without_javascript_the_summary_still_has_the_focus(no_script_page, users):
    page = no_script_page
    sign_in(page, users["admin"])
    page.goto("/admin/rounds/new")
    page.get_by_role("button", name="Save round").click()
    summary = page.locator(SUMMARY)
    expect(summary).to_be_visible()
    assert is_focused(summary)  # autofocus, no script
    summary.get_by_role("link", name="Year:").click()
    assert is_focused(page.locator("#year"))  # a link to a field's id focuses it


def test_without_javascript_a_confirmation_goes_through_its_own_page(
    no_script_page, live_server, users, shot
):
    page = no_script_page
    sign_in(page, users["admin"])
    page.goto("/admin/users")
    page.get_by_role("link", name="Sam Staff").click()
    user_page = page.url

    page.get_by_role("button", name="Deactivate Sam Staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Sam Staff?")
    expect(page.get_by_text("They are signed out now and cannot sign in")).to_be_visible()
    shot("the page that asks", page)
    assert _active(live_server, users["staff"])  # asking changed nothing

    page.get_by_role("link", name="Cancel").click()
    assert page.url == user_page and _active(live_server, users["staff"])

    page.get_by_role("button", name="Deactivate Sam Staff").click()
    page.get_by_role("button", name="Deactivate Sam Staff").click()  # the page's own button
    expect(page.get_by_role("alert").filter(has_text="deactivated and signed out")).to_be_visible()
    assert page.url == user_page and not _active(live_server, users["staff"])
    shot("deactivated", page)


def test_with_javascript_the_browser_asks_and_no_page_comes_between(page, live_server, users):
    sign_in(page, users["admin"])
    page.goto("/admin/users")
    page.get_by_role("link", name="Sam Staff").click()
    user_page = page.url
    page.wait_for_load_state("load")  # app.js runs at the end of the page

    asked: list[str] = []

    def answer(accept: bool):
        def handle(dialog) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(False))
    page.get_by_role("button", name="Deactivate Sam Staff").click()
    assert asked == [
        "Deactivate Sam Staff? They are signed out now and cannot sign in until reactivated."
    ]
    assert page.url == user_page and _active(live_server, users["staff"])

    page.once("dialog", answer(True))
    page.get_by_role("button", name="Deactivate Sam Staff").click()
    expect(page.get_by_role("alert").filter(has_text="deactivated and signed out")).to_be_visible()
    assert len(asked) == 2 and page.url == user_page
    assert not _active(live_server, users["staff"])
