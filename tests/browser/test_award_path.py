"""The whole award path in a real browser, as the people who take it would: through the pages,
by the labels they read, one browser context per person.

admin opens a round -> two staff members nominate (a PDF, a draft, coming back, submitting)
-> the call closes -> a reviewer declares a conflict on one nomination and scores the other,
the chair reviews too -> the chair decides the winner -> the admin publishes -> the public
results page shows the winner. And the nomination form with the keyboard alone.

The live server runs in this process, so the ``time_machine`` fixture moves its clock (the
calls close by the clock: no scheduler job is involved). Screenshots of every step land in
test-output/screenshots/test_award_path/.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from nominations.models import User, db
from nominations.timeutil import from_local
from tests import factories
from tests.browser.support import (
    PASSWORD,
    assert_controls_labelled,
    confirming,
    is_focused,
    nav_to,
    sign_in,
    tab_to,
    write_pdf,
)

pytestmark = pytest.mark.browser

# Next year, so that every date is ahead of the browser's own clock (its cookies stay valid).
YEAR = date.today().year + 1
ROUND = f"OUH Research Awards {YEAR}"
AWARD = "Excellent Researcher Award"
TUMOUR = "Department of Tumor Biology"
RADIATION = "Department of Radiation Biology"
PHD = date(date.today().year - 3, 6, 14)  # for the keyboard test's career-stage rule


def oslo(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of the path's year, in the institute's time (Oslo)."""
    return from_local(date(YEAR, month, day), time(hour, minute))


def nav(page: Page, name: str) -> None:
    nav_to(page, name)


def expect_flash(page: Page, text: str) -> None:
    """The confirmation the site shows after an action (one of the page's alerts)."""
    expect(page.get_by_role("alert").filter(has_text=text)).to_be_visible()


@pytest.fixture
def people(live_server, users) -> dict[str, str]:
    """The admin, two nominators with departments, a panel member and a chair."""
    with live_server.app_context():
        tumour = factories.department(TUMOUR)
        radiation = factories.department(RADIATION)
        staff = db.session.execute(db.select(User).where(User.email == users["staff"])).scalar_one()
        staff.department = tumour
        db.session.commit()
        factories.user("nora@example.org", "Nora Nominator", dept=radiation)
        factories.user("chair@example.org", "Chris Chair", roles=("staff", "reviewer"))
    return {**users, "second": "nora@example.org", "chair": "chair@example.org"}


def test_from_opening_the_round_to_the_public_results(
    page, new_page, people, inputs, shot, time_machine, tmp_path
):
    time_machine.move_to(oslo(3, 1, 10, 0), tick=True)

    # --- The admin opens the round: dates, two categories, a rubric, a panel --------------
    admin = page
    sign_in(admin, people["admin"])
    nav(admin, "Rounds")
    admin.get_by_role("link", name="New round").click()
    assert_controls_labelled(admin)
    admin.get_by_label("Name (English)", exact=True).fill("OUH Research Awards")
    admin.get_by_label("Year", exact=True).fill(str(YEAR))
    admin.get_by_label("Organiser").fill("Oslo University Hospital")
    inputs.type_date(admin.get_by_label("Opens on"), date(YEAR, 3, 1))
    inputs.type_date(admin.get_by_label("Closes on"), date(YEAR, 3, 7))
    inputs.type_date(admin.get_by_label("Review deadline", exact=True), date(YEAR, 4, 15))
    shot("admin fills in the round")
    admin.get_by_role("button", name="Save round").click()
    expect_flash(admin, f"Round {ROUND} created")
    round_url = admin.url
    round_id = int(re.search(r"/admin/rounds/(\d+)$", round_url).group(1))

    for name, amount, prizes, by_department in [
        (AWARD, 400_000, 1, True),
        ("Early Career Award", 200_000, 2, False),
    ]:
        admin.get_by_role("link", name="Add category").click()
        assert_controls_labelled(admin)
        admin.get_by_label("Name (English)", exact=True).fill(name)
        admin.get_by_label("Prize amount", exact=True).fill(str(amount))
        admin.get_by_label("Number of prizes").fill(str(prizes))
        admin.get_by_label("Funder").fill("Oslo University Hospital")
        admin.get_by_label("Departments may nominate").set_checked(by_department)
        admin.get_by_role("button", name="Save category").click()
        expect_flash(admin, f"Category {name} added")
    shot("round with two categories")

    panel_section = admin.get_by_role("region", name="Review panel")
    panel_section.get_by_role("link", name=AWARD).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Rubric: {AWARD}")
    assert_controls_labelled(admin)
    # Every category starts with the institute's rubric; the admin keeps it.
    rubric = admin.get_by_role("table").get_by_role("row")
    expect(rubric.filter(has_text="Scientific excellence")).to_contain_text("2.0")
    expect(rubric.filter(has_text="Impact")).to_contain_text("1.0")
    expect(rubric.filter(has_text="Leadership and collaboration")).to_contain_text("1.0")
    shot("rubric")

    admin.get_by_role("link", name=f"← {ROUND}").click()
    admin.get_by_role("region", name="Review panel").get_by_role("link", name="Add panel").click()
    assert_controls_labelled(admin)
    admin.get_by_label("Panel name").fill("Leadership panel")
    admin.get_by_label("Covers").select_option(label="Every category of the round")
    admin.get_by_label("Chair").select_option(label="Chris Chair (chair@example.org)")
    admin.get_by_role("button", name="Save panel").click()
    expect_flash(admin, "Panel Leadership panel created")
    assert_controls_labelled(admin)
    admin.get_by_label("Reviewer").select_option(label="Rita Reviewer (reviewer@example.org)")
    admin.get_by_label("Role").select_option(label="Member")
    admin.get_by_role("button", name="Add to the panel").click()
    expect_flash(admin, "Rita Reviewer added to Leadership panel")
    members = admin.get_by_role("table").first.get_by_role("row")
    role = 2  # the columns: name, e-mail, role
    expect(members.filter(has_text="Chris Chair").get_by_role("cell").nth(role)).to_have_text(
        "chair"
    )
    expect(members.filter(has_text="Rita Reviewer").get_by_role("cell").nth(role)).to_have_text(
        "member"
    )
    shot("panel with a chair and a member")

    admin.get_by_role("link", name=f"← {ROUND}").click()
    expect(admin.get_by_role("region", name="Review panel")).to_contain_text("Chris Chair")
    shot("round ready")
    # Opening is a step of its own: the admin reads the announcement, then confirms.
    admin.get_by_role("link", name="Review the announcement and open").click()
    expect(admin.get_by_text("Call for nominations open")).to_be_visible()
    admin.get_by_role("button", name="Confirm the opening").click()
    expect_flash(admin, f"{ROUND} is open for nominations; the announcement goes to")

    # --- Staff nominate: a draft with a PDF, coming back later, submitting ----------------
    cv = write_pdf(tmp_path / "Ingrid Hansen CV.pdf", "Ingrid Hansen", "Curriculum vitae")
    staff = new_page()
    sign_in(staff, people["staff"])
    nav(staff, "Open calls")
    staff.get_by_role("link", name=f"Nominate for {AWARD}").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Nominate for {AWARD}")
    assert_controls_labelled(staff)
    staff.get_by_label("Nominee's name").fill("Ingrid Hansen")
    staff.get_by_label("Nominee's e-mail").fill("ingrid.hansen@example.org")
    staff.get_by_label("Nominee's department").select_option(label=TUMOUR)
    staff.get_by_label("Nominee's position").fill("Group leader")
    staff.get_by_label("Statement in support of the nominee").fill(
        "Ingrid built the institute's single-cell platform."
    )
    staff.get_by_label("CV (PDF)").set_input_files(cv)
    shot("staff fills in a draft with a PDF", staff)
    staff.get_by_role("button", name="Save draft").click()
    expect_flash(staff, "Draft saved at")
    expect(staff.get_by_role("link", name="Ingrid Hansen CV.pdf")).to_be_visible()
    shot("draft saved", staff)

    time_machine.shift(timedelta(hours=3))  # back after lunch, in a new page load
    staff.goto("/")
    nav(staff, "My nominations")
    mine = staff.get_by_role("row").filter(has_text="Ingrid Hansen")
    expect(mine).to_contain_text("draft")
    shot("my nominations with the draft", staff)
    mine.get_by_role("link", name="Ingrid Hansen").click()
    assert_controls_labelled(staff)
    statement = staff.get_by_label("Statement in support of the nominee")
    expect(statement).to_have_value("Ingrid built the institute's single-cell platform.")
    statement.fill(
        "Ingrid built the institute's single-cell platform, which three groups now rely on, "
        "and trained a generation of young researchers."
    )
    staff.get_by_label(f"{TUMOUR} (on its behalf)").check()
    shot("draft completed", staff)
    staff.get_by_role("button", name="Submit nomination").click()
    expect_flash(staff, "Nomination submitted")
    expect(staff.get_by_role("heading", level=1)).to_contain_text("submitted")
    shot("nomination submitted", staff)

    second = new_page()
    sign_in(second, people["second"])
    nav(second, "Open calls")
    second.get_by_role("link", name=f"Nominate for {AWARD}").click()
    second.get_by_label("Nominee's name").fill("Lars Berg")
    second.get_by_label("Nominee's e-mail").fill("lars.berg@example.org")
    second.get_by_label("Nominee's department").select_option(label=RADIATION)
    second.get_by_label("Nominee's position").fill("Senior engineer")
    second.get_by_label("Statement in support of the nominee").fill(
        "Lars keeps the radiation facility running for every group."
    )
    second.get_by_label("CV (PDF)").set_input_files(
        write_pdf(tmp_path / "berg-cv.pdf", "Lars Berg", "Curriculum vitae")
    )
    second.get_by_role("button", name="Submit nomination").click()
    expect_flash(second, "Nomination submitted")
    shot("second nomination submitted", second)

    # --- The call closes by the clock ----------------------------------------------------
    time_machine.move_to(oslo(3, 8, 9, 0), tick=True)
    staff.reload()
    expect(staff.get_by_text(f"The call closed at 7 March {YEAR}, 23:59:59")).to_be_visible()
    expect(staff.get_by_role("button", name="Submit nomination")).to_have_count(0)
    shot("the call has closed for the nominator", staff)

    # --- A reviewer: a conflict with one nomination, a review of the other ----------------
    reviewer = new_page()
    sign_in(reviewer, people["reviewer"])
    nav(reviewer, "Review")
    reviewer.get_by_role("region", name=ROUND).get_by_role("link", name=AWARD).click()
    expect(reviewer.get_by_role("link", name="Ingrid Hansen")).to_be_visible()
    shot("reviewer sees the two nominations", reviewer)
    reviewer.get_by_role("link", name="Lars Berg").click()
    reviewer.get_by_role("link", name="Declare a conflict of interest").click()
    assert_controls_labelled(reviewer)
    reviewer.get_by_label("Kind of conflict").select_option(label="Same research group")
    reviewer.get_by_label("Reason").fill("Lars works in my group two days a week.")
    shot("reviewer declares a conflict", reviewer)
    with confirming(reviewer, "cannot be withdrawn"):
        reviewer.get_by_role("button", name="Declare conflict of interest").click()
    expect_flash(reviewer, "Conflict of interest with Lars Berg declared")
    expect(reviewer.get_by_role("link", name="Lars Berg")).to_have_count(0)
    shot("the conflicted nomination is hidden", reviewer)

    reviewer.get_by_role("link", name="Ingrid Hansen").click()
    with reviewer.expect_download() as download:
        reviewer.get_by_role("link", name="Ingrid Hansen CV.pdf").click()
    assert download.value.suggested_filename == "Ingrid Hansen CV.pdf"
    assert download.value.path().read_bytes() == cv.read_bytes()
    assert_controls_labelled(reviewer)
    total = reviewer.get_by_label("Weighted total")
    expect(total).to_have_text("—")
    reviewer.get_by_label("Scientific excellence").select_option("6")
    expect(total).to_have_text("6.00")
    expect(reviewer.get_by_text("(1 of 3 criteria scored so far)")).to_be_visible()
    reviewer.get_by_label("Impact").select_option("4")
    expect(total).to_have_text("5.33")  # (2 × 6 + 1 × 4) / 3
    reviewer.get_by_label("Leadership and collaboration").select_option("5")
    expect(total).to_have_text("5.25")  # (2 × 6 + 1 × 4 + 1 × 5) / 4
    expect(reviewer.get_by_text("criteria scored so far")).to_have_count(0)
    reviewer.get_by_label("Recommendation").select_option(label="Support")
    reviewer.get_by_label("Comment").fill("A platform that changed how the institute works.")
    shot("reviewer scores with the live weighted total", reviewer)
    reviewer.get_by_role("button", name="Submit review").click()
    expect_flash(reviewer, "Your review of Ingrid Hansen is submitted")
    shot("review submitted", reviewer)

    # --- The chair reviews both, ranks and decides ----------------------------------------
    chair = new_page()
    sign_in(chair, people["chair"])
    nav(chair, "Review")
    chair.get_by_role("region", name=ROUND).get_by_role("link", name=AWARD).click()
    for nominee, excellence, impact, leadership, weighted, recommendation in [
        ("Ingrid Hansen", "7", "6", "6", "6.50", "Strongly support"),
        ("Lars Berg", "4", "5", "3", "4.00", "Neutral"),
    ]:
        chair.get_by_role("link", name=nominee).click()
        chair.get_by_label("Scientific excellence").select_option(excellence)
        chair.get_by_label("Impact").select_option(impact)
        chair.get_by_label("Leadership and collaboration").select_option(leadership)
        chair.get_by_label("Recommendation").select_option(label=recommendation)
        expect(chair.get_by_label("Weighted total")).to_have_text(weighted)
        chair.get_by_role("button", name="Submit review").click()
        expect_flash(chair, f"Your review of {nominee} is submitted")
        chair.get_by_role("link", name=f"← {AWARD}").click()
    shot("chair has reviewed both", chair)

    chair.get_by_role("link", name="Ranking").click()
    ranking = chair.get_by_role("table").first
    expect(ranking.get_by_role("row").nth(1)).to_contain_text("Ingrid Hansen")
    expect(ranking.get_by_role("row").nth(1)).to_contain_text("2 of 2")
    expect(ranking.get_by_role("row").nth(2)).to_contain_text("Lars Berg")
    expect(ranking.get_by_role("row").nth(2)).to_contain_text("1 of 1")
    shot("ranking", chair)

    # The chair sees the declared conflict (it stands; only automatic ones can be cleared).
    chair.get_by_role("link", name="← Review").click()
    chair.get_by_role("region", name=ROUND).get_by_role(
        "link", name="Conflicts of interest"
    ).click()
    conflict = chair.get_by_role("row").filter(has_text="Rita Reviewer")
    expect(conflict).to_contain_text("Lars Berg")
    expect(conflict).to_contain_text("Same research group")
    expect(conflict).to_contain_text("In force")
    shot("the chair sees the conflict", chair)

    chair.get_by_role("link", name="← Review").click()
    chair.get_by_role("region", name=ROUND).get_by_role("row").filter(has_text=AWARD).get_by_role(
        "link", name="Decisions", exact=True
    ).click()
    assert_controls_labelled(chair)
    choice = chair.get_by_label("Nomination").locator("option", has_text="Ingrid Hansen")
    chair.get_by_label("Nomination").select_option(label=choice.inner_text().strip())
    citation = "For building the single-cell platform the whole institute relies on."
    chair.get_by_label("Citation").fill(citation)
    shot("chair chooses the winner", chair)
    chair.get_by_role("button", name="Award the prize").click()
    expect_flash(chair, f"Ingrid Hansen is a winner of {AWARD}")
    chair.get_by_role("link", name=f"← Decisions for {ROUND}").click()
    chair.get_by_role("button", name="Decisions complete").click()
    expect_flash(chair, f"The decisions of {ROUND} are complete")
    shot("decisions complete", chair)

    # --- Before publishing, nobody sees the results; then the admin publishes -------------
    visitor = new_page()
    response = visitor.goto(f"/results/{round_id}")
    assert response is not None and response.status == 404
    shot("no public results before publishing", visitor)

    nav(admin, "Rounds")
    admin.get_by_role("link", name=ROUND).click()
    results = admin.get_by_role("region", name="Results and next year")
    expect(results).to_contain_text("Ingrid Hansen")
    with confirming(admin, "This cannot be undone"):
        results.get_by_role("button", name="Publish results").click()
    expect_flash(admin, f"The results of {ROUND} are published")
    shot("results published")

    # --- The public results page, for anyone ---------------------------------------------
    visitor.goto("/")
    nav(visitor, "Winners")
    assert_controls_labelled(visitor)
    visitor.get_by_role("link", name=ROUND).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(f"{ROUND}: the winners")
    winners = visitor.get_by_role("region", name=AWARD)
    expect(winners.get_by_role("heading", name="Ingrid Hansen")).to_be_visible()
    expect(winners).to_contain_text(citation)
    expect(visitor.get_by_role("main")).not_to_contain_text("Lars Berg")
    expect(visitor.get_by_role("region", name="Early Career Award")).to_contain_text(
        "No prize was awarded"
    )
    shot("public results", visitor)


# --------------------------------------------------------------------------------------------
# The nomination form with the keyboard alone


@pytest.fixture
def open_call(live_server, users) -> int:
    """An open call whose category shows every kind of control: a department choice (radio
    buttons), the PhD date; no CV required, since a file dialog cannot be reached here."""
    with live_server.app_context():
        tumour = factories.department(TUMOUR)
        db.session.execute(
            db.update(User).where(User.email == users["staff"]).values(department_id=tumour.id)
        )
        db.session.commit()
        award_round = factories.award_round("ICR Prizes")  # open for three weeks more
        category = factories.category(
            award_round,
            "Early Career Award",
            prize_amount=200_000,
            phd_within_years=8,
            department_nomination_allowed=True,
            requires_cv=False,
        )
        return category.id


def test_the_nomination_form_works_with_the_keyboard_alone(page, users, open_call, inputs, shot):
    # Signing in by keyboard is covered in test_keyboard_and_csp_e2e; here, the form.
    page.goto("/login")
    tab_to(page, page.get_by_label("E-mail"))
    page.keyboard.type(users["staff"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Signed in as")

    # From the menu to the form, by keyboard.
    tab_to(page, page.get_by_role("link", name="Open calls"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Nominate for Early Career Award"), limit=60)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nominate for Early Career Award")
    assert_controls_labelled(page)

    # Field after field in the order of the form, each reached with Tab.
    name = page.get_by_label("Nominee's name")
    tab_to(page, name)
    page.keyboard.type("Ingrid Hansen")
    page.keyboard.press("Tab")
    assert is_focused(page.get_by_label("Nominee's e-mail"))
    page.keyboard.type("ingrid.hansen@example.org")
    page.keyboard.press("Tab")
    department = page.get_by_label("Nominee's department")
    assert is_focused(department)
    page.keyboard.press("ArrowDown")  # a closed <select> changes with the arrow keys
    expect(department.locator("option:checked")).to_have_text(TUMOUR)
    page.keyboard.press("Tab")
    assert is_focused(page.get_by_label("Nominee's position"))
    page.keyboard.type("Postdoctoral fellow")
    page.keyboard.press("Tab")
    phd = page.get_by_label("Date of the nominee's PhD")
    assert is_focused(phd)
    # Typed part by part (day, month, year in the order this Chromium shows them); the
    # helper's focus() changes nothing here, the field has the keyboard focus already.
    inputs.type_date(phd, PHD)

    # "Who nominates": radio buttons; Tab enters the group at the checked one, arrows choose.
    own = page.get_by_label("I nominate in my own name")
    assert tab_to(page, own) <= 4  # past the parts of the date field
    expect(own).to_be_checked()
    page.keyboard.press("ArrowDown")
    department_nominates = page.get_by_label(f"{TUMOUR} (on its behalf)")
    expect(department_nominates).to_be_checked()
    assert is_focused(department_nominates)
    page.keyboard.press("Tab")
    statement = page.get_by_label("Statement in support of the nominee")
    assert is_focused(statement)
    page.keyboard.type("Ingrid built the single-cell platform that three groups rely on.")
    expect(page.get_by_text("10 of 1000 words")).to_be_visible()
    shot("filled in by keyboard")

    # The file inputs are in the tab order, but their dialog belongs to the operating system,
    # out of the page's reach: tabbed past here (the uploads are tested with the mouse above).
    save = page.get_by_role("button", name="Save draft")
    tab_to(page, save, limit=8)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Draft saved at")
    shot("draft saved by keyboard")

    # Everything typed was stored.
    expect(page.get_by_label("Nominee's name")).to_have_value("Ingrid Hansen")
    expect(page.get_by_label("Nominee's e-mail")).to_have_value("ingrid.hansen@example.org")
    expect(page.get_by_label("Nominee's department").locator("option:checked")).to_have_text(TUMOUR)
    expect(page.get_by_label("Nominee's position")).to_have_value("Postdoctoral fellow")
    expect(page.get_by_label("Date of the nominee's PhD")).to_have_value(PHD.isoformat())
    expect(page.get_by_label("Statement in support of the nominee")).to_have_value(
        "Ingrid built the single-cell platform that three groups rely on."
    )
    expect(page.get_by_label(f"{TUMOUR} (on its behalf)")).to_be_checked()
    submit = page.get_by_role("button", name="Submit nomination")
    tab_to(page, submit, limit=60)
    page.keyboard.press("Space")
    expect(page.get_by_role("alert")).to_contain_text("Nomination submitted")
    expect(page.get_by_role("heading", level=1)).to_contain_text("submitted")
    shot("submitted by keyboard")
