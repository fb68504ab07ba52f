"""Keyboard-only use, labels on every control, and pages that keep to the CSP in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import PASSWORD, assert_controls_labelled, is_focused, sign_in, tab_to

pytestmark = pytest.mark.browser


def test_signing_in_with_the_keyboard_alone(page, users, shot):
    page.goto("/")
    page.get_by_role("link", name="Sign in", exact=True).first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # The first stop on every page is the skip link; it leads into the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert is_focused(skip)
    expect(skip).to_be_visible()  # shown when it has the focus
    shot("skip link focused")

    email = page.get_by_label("E-mail")
    assert tab_to(page, email) <= 6
    page.keyboard.type(users["staff"])
    page.keyboard.press("Tab")
    assert is_focused(page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    shot("filled in by keyboard")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Signed in as Sam Staff")
    shot("signed in")


def test_a_wrong_password_by_keyboard_keeps_the_focus_path(page, users):
    page.goto("/login")
    tab_to(page, page.get_by_label("E-mail"))
    page.keyboard.type(users["staff"])
    page.keyboard.press("Tab")
    page.keyboard.type("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("password is not right")
    # The address typed is kept, and the form can be tabbed to and sent again.
    expect(page.get_by_label("E-mail")).to_have_value(users["staff"])
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Signed in as Sam Staff")


def test_every_page_an_admin_reaches_from_the_menu_has_labelled_controls(page, users, shot):
    sign_in(page, users["admin"])
    nav = page.get_by_role("navigation", name="Main navigation")
    menu = nav.locator(".navbar-nav.me-auto a[href]")  # the Admin menu's links too
    targets = [
        (menu.nth(i).inner_text(), menu.nth(i).get_attribute("href")) for i in range(menu.count())
    ]
    assert ("Rounds", "/admin/rounds") in targets
    checked = 0
    for label, href in targets:
        page.goto(href)
        checked += assert_controls_labelled(page)
        shot(label)
        # And each page's first "New ..." form, where there is one.
        new = page.get_by_role("link", name="New", exact=False).filter(has_text="New")
        if new.count():
            new.first.click()
            checked += assert_controls_labelled(page)
            shot(f"{label} new")
    assert checked >= 10


def test_bootstrap_and_app_scripts_run_under_the_policy(page, users, shot):
    page.set_viewport_size({"width": 420, "height": 800})
    sign_in(page, users["admin"])
    nav = page.get_by_role("navigation", name="Main navigation")
    admin_menu = nav.get_by_role("button", name="Admin")
    rounds = nav.get_by_role("link", name="Rounds")
    expect(admin_menu).to_be_hidden()  # the bar is collapsed on a narrow screen
    page.get_by_role("button", name="Toggle navigation").click()
    expect(admin_menu).to_be_visible()  # Bootstrap's script (a file, 'self') opened it
    expect(rounds).to_be_hidden()
    admin_menu.click()
    expect(rounds).to_be_visible()  # and its dropdown opened the Admin menu
    shot("menu opened on a phone")


def test_the_watch_catches_inline_script_and_style(page, users, watch):
    """The teardown check can fail: what the CSP blocks shows up as a violation."""
    page.goto("/login")
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.inlineRan = true';
            document.body.appendChild(script);
            document.querySelector('h1').setAttribute('style', 'color: red');
        }"""
    )
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.wait_for_timeout(200)  # console messages arrive asynchronously
    assert page.evaluate("() => window.inlineRan === undefined")
    joined = "\n".join(watch.csp_violations)
    assert "inline script" in joined and "inline style" in joined, watch.console
    watch.clear()
