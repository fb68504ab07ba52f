"""The administrator's path in a real browser, and who may not take it."""

import re
from datetime import date, time

import pytest
from playwright.sync_api import expect

from nominations.timeutil import now
from tests.browser.support import assert_controls_labelled, nav_to, sign_in

pytestmark = pytest.mark.browser


def test_admin_creates_a_round_with_two_categories_through_the_forms(page, users, inputs, shot):
    year = now().year + 1
    sign_in(page, users["admin"])
    shot("signed in")
    nav_to(page, "Rounds")
    expect(page.get_by_role("heading", name="Award rounds")).to_be_visible()
    page.get_by_role("link", name="New round").click()
    expect(page.get_by_role("heading", name="New award round")).to_be_visible()
    assert assert_controls_labelled(page) >= 10

    page.get_by_label("Name (English)", exact=True).fill("OUH Research Awards")
    page.get_by_label("Year", exact=True).fill(str(year))
    page.get_by_label("Organiser").fill("Oslo University Hospital")
    inputs.type_date(page.get_by_label("Opens on"), date(year, 1, 10))
    inputs.type_time(page.get_by_label("Opening time"), time(9, 0))
    inputs.type_date(page.get_by_label("Closes on"), date(year, 3, 7))
    inputs.type_date(page.get_by_label("Review deadline", exact=True), date(year, 4, 15))
    page.get_by_label("Reviewers see each other's scores").select_option("never")
    shot("round form filled in")
    page.get_by_role("button", name="Save round").click()

    expect(page.get_by_role("alert")).to_contain_text(f"Round OUH Research Awards {year} created")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"OUH Research Awards {year}")
    # A closing date without a time means the end of that day, in Oslo.
    expect(page.locator("dl")).to_contain_text(f"7 March {year}, 23:59:59 CET")
    expect(page.locator("dl")).to_contain_text(f"10 January {year}, 09:00")
    shot("round created")

    for name, amount, prizes in [
        ("Excellent Researcher Award", 400_000, 1),
        ("Early Career Award", 200_000, 2),
    ]:
        page.get_by_role("link", name="Add category").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("New category")
        assert_controls_labelled(page)
        page.get_by_label("Name (English)", exact=True).fill(name)
        page.get_by_label("Prize amount", exact=True).fill(str(amount))
        page.get_by_label("Number of prizes").fill(str(prizes))
        page.get_by_label("Funder").fill("Oslo University Hospital")
        shot(f"category {name} filled in")
        page.get_by_role("button", name="Save category").click()
        expect(page.get_by_role("alert")).to_contain_text(f"Category {name} added")

    categories = page.get_by_role("table", name="Categories").locator("tbody tr")
    expect(categories).to_have_count(2)
    expect(categories.nth(0)).to_contain_text("Excellent Researcher Award")
    expect(categories.nth(0)).to_contain_text("NOK 400,000")
    expect(categories.nth(1)).to_contain_text("Early Career Award")
    expect(categories.nth(1)).to_contain_text("NOK 200,000")
    shot("round with two categories")

    page.get_by_role("link", name="← Rounds").click()
    row = page.get_by_role("row").filter(has_text=f"OUH Research Awards {year}")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").last).to_have_text("2")
    shot("rounds list")


def test_the_round_form_shows_errors_at_the_fields(page, users, inputs, shot):
    year = now().year + 1
    sign_in(page, users["admin"])
    page.goto("/admin/rounds/new")
    page.get_by_label("Name (English)", exact=True).fill("Backwards")
    page.get_by_label("Year", exact=True).fill(str(year))
    inputs.type_date(page.get_by_label("Opens on"), date(year, 5, 1))
    inputs.type_date(page.get_by_label("Closes on"), date(year, 2, 1))
    inputs.type_date(page.get_by_label("Review deadline", exact=True), date(year, 6, 1))
    page.get_by_role("button", name="Save round").click()
    closes = page.get_by_label("Closes on")
    expect(closes).to_have_attribute("aria-invalid", "true")
    # The message is tied to the field, so a screen reader reads it with the field.
    expect(closes).to_have_accessible_description(
        re.compile("The closing time must be after the opening time")
    )
    expect(page.get_by_label("Name (English)", exact=True)).to_have_value("Backwards")
    assert_controls_labelled(page)
    shot("errors at the fields")


def test_staff_gets_the_not_allowed_page_on_admin(page, users, shot):
    sign_in(page, users["staff"])
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Rounds")).to_have_count(0)
    response = page.goto("/admin/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_text("This page is for administrators.")).to_be_visible()  # which rule
    shot("403 for staff")


def test_anonymous_visitor_is_sent_to_sign_in_and_back(page, users, shot):
    page.goto("/admin/rounds")
    expect(page).to_have_url("/login?next=%2Fadmin%2Frounds")
    expect(page.get_by_role("alert")).to_contain_text("Please sign in to see this page.")
    page.get_by_label("E-mail").fill(users["admin"])
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Award rounds")).to_be_visible()
    shot("back where the admin was going")
