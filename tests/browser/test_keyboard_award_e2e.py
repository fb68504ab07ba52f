"""The award path with the keyboard alone (issue 14): a staff member nominates, a reviewer
scores, the chair decides; each in a browser of their own, with Tab, Shift+Tab, Enter, Space,
the arrow keys and typing. No mouse, no click(), no fill(): the page has to lead a person who
cannot use a mouse from the menu to the result.

The call closes by the clock: the live server runs in this process, so ``time_machine`` moves
it past the closing time between the nomination and the review.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from nominations.models import User, db
from nominations.timeutil import now
from nominations.workflow.panels import add_member, create_panel
from tests import factories
from tests.browser.support import PASSWORD, is_focused, tab_to

pytestmark = pytest.mark.browser

AWARD = "Excellent Researcher Award"
NOMINEE = "Ingrid Hansen"
DEPARTMENT = "Department of Tumor Biology"


@pytest.fixture
def open_call(live_server, users) -> dict:
    """A call open for two more days; its category's panel: a chair and a reviewer. No CV is
    required: a file dialog belongs to the operating system, out of the page's reach."""
    with live_server.app_context():
        people = {
            role: db.session.execute(db.select(User).where(User.email == email)).scalar_one()
            for role, email in users.items()
        }
        factories.department(DEPARTMENT)
        chair = factories.user("chair@example.org", "Chris Chair", roles=("staff", "reviewer"))
        closes_at = now() + timedelta(days=2)
        award_round = factories.award_round("OUH Research Awards", closes_at=closes_at)
        category = factories.category(award_round, AWARD, prize_amount=400_000, requires_cv=False)
        panel = create_panel(
            award_round,
            name="Leadership panel",
            category=category,
            chair=chair,
            actor=people["admin"],
        )
        add_member(panel, people["reviewer"], actor=people["admin"])
        db.session.commit()
        return {**users, "chair": chair.email, "closes_at": closes_at, "round": award_round.title}


def sign_in_by_keyboard(page: Page, email: str) -> None:
    page.goto("/")
    follow(page, page.get_by_role("link", name="Sign in", exact=True))
    tab_to(page, page.get_by_label("E-mail"))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert is_focused(page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="Signed in as")).to_be_visible()


def follow(page: Page, link: Locator, limit: int = 80) -> None:
    """Tab to the link and press Enter on it."""
    tab_to(page, link, limit)
    page.keyboard.press("Enter")


def type_into(page: Page, field: Locator, text: str, limit: int = 40) -> None:
    tab_to(page, field, limit)
    page.keyboard.type(text)


def choose(page: Page, select: Locator, label: str) -> None:
    """A closed <select> with the focus picks the option whose label is typed (type-ahead)."""
    tab_to(page, select)
    page.keyboard.type(label)
    expect(select.locator("option:checked")).to_have_text(label)


def test_nominate_review_and_decide_with_the_keyboard_alone(
    new_page, open_call, time_machine, shot
):
    # --- A staff member nominates ---------------------------------------------------------
    staff = new_page()
    sign_in_by_keyboard(staff, open_call["staff"])
    nav = staff.get_by_role("navigation", name="Main navigation")
    follow(staff, nav.get_by_role("link", name="Open calls"))
    follow(staff, staff.get_by_role("link", name=f"Nominate for {AWARD}"))
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Nominate for {AWARD}")
    type_into(staff, staff.get_by_label("Nominee's name"), NOMINEE)
    staff.keyboard.press("Tab")
    assert is_focused(staff.get_by_label("Nominee's e-mail"))
    staff.keyboard.type("ingrid.hansen@example.org")
    # Back with Shift+Tab to correct the name, forward again.
    staff.keyboard.press("Shift+Tab")
    assert is_focused(staff.get_by_label("Nominee's name"))
    staff.keyboard.press("End")
    staff.keyboard.type(" Berg")
    expect(staff.get_by_label("Nominee's name")).to_have_value(f"{NOMINEE} Berg")
    for _ in " Berg":
        staff.keyboard.press("Backspace")
    expect(staff.get_by_label("Nominee's name")).to_have_value(NOMINEE)
    choose(staff, staff.get_by_label("Nominee's department"), DEPARTMENT)
    type_into(staff, staff.get_by_label("Nominee's position"), "Group leader")
    statement = staff.get_by_label("Statement in support of the nominee")
    type_into(staff, statement, "Ingrid built the single-cell platform three groups rely on.")
    shot("staff filled in the nomination by keyboard", staff)
    tab_to(staff, staff.get_by_role("button", name="Submit nomination"), limit=20)
    staff.keyboard.press("Enter")
    expect(staff.get_by_role("alert").filter(has_text="Nomination submitted")).to_be_visible()
    shot("nomination submitted by keyboard", staff)

    # --- The call closes; the reviewer scores ---------------------------------------------
    time_machine.move_to(open_call["closes_at"] + timedelta(minutes=5), tick=True)
    reviewer = new_page()
    sign_in_by_keyboard(reviewer, open_call["reviewer"])
    nav = reviewer.get_by_role("navigation", name="Main navigation")
    follow(reviewer, nav.get_by_role("link", name="Review", exact=True))
    round_section = reviewer.get_by_role("region", name=open_call["round"])
    follow(reviewer, round_section.get_by_role("link", name=AWARD))
    follow(reviewer, reviewer.get_by_role("link", name=NOMINEE))
    expect(reviewer.get_by_role("heading", level=1)).to_have_text(NOMINEE)
    choose(reviewer, reviewer.get_by_label("Scientific excellence", exact=False), "6")
    choose(reviewer, reviewer.get_by_label("Impact", exact=False), "5")
    choose(reviewer, reviewer.get_by_label("Leadership and collaboration", exact=False), "5")
    expect(reviewer.get_by_label("Weighted total")).to_have_text("5.50")  # (2×6 + 5 + 5) / 4
    choose(reviewer, reviewer.get_by_label("Recommendation"), "Strongly support")
    type_into(reviewer, reviewer.get_by_label("Comment"), "The platform changed the institute.")
    shot("reviewer scored by keyboard", reviewer)
    tab_to(reviewer, reviewer.get_by_role("button", name="Submit review"), limit=10)
    reviewer.keyboard.press("Space")
    submitted = reviewer.get_by_role("alert").filter(has_text=f"Your review of {NOMINEE}")
    expect(submitted).to_contain_text("is submitted")

    # --- The chair decides ----------------------------------------------------------------
    chair = new_page()
    sign_in_by_keyboard(chair, open_call["chair"])
    nav = chair.get_by_role("navigation", name="Main navigation")
    follow(chair, nav.get_by_role("link", name="Review", exact=True))
    round_section = chair.get_by_role("region", name=open_call["round"])
    follow(chair, round_section.get_by_role("link", name="Decisions", exact=True))
    expect(chair.get_by_role("heading", level=1)).to_have_text(f"Decisions: {AWARD}")
    nomination = chair.get_by_label("Nomination")
    tab_to(chair, nomination)
    chair.keyboard.press("ArrowDown")  # the first (and only) nominee
    expect(nomination.locator("option:checked")).to_contain_text(NOMINEE)
    citation = "For the single-cell platform the whole institute relies on."
    type_into(chair, chair.get_by_label("Citation"), citation)
    shot("chair chose the winner by keyboard", chair)
    tab_to(chair, chair.get_by_role("button", name="Award the prize"), limit=10)
    chair.keyboard.press("Enter")
    expect(chair.get_by_role("alert").filter(has_text=f"{NOMINEE} is a winner")).to_be_visible()
    expect(chair.get_by_role("heading", name=NOMINEE)).to_be_visible()
    shot("the prize awarded by keyboard", chair)
