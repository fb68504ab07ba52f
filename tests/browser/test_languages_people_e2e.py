"""Nominate -> review -> publish in bokmål, in a real browser (issue 15).

Every person signs in (in English: the browser asks for en-GB) and then presses the header's
language switch, "Norsk (bokmål)"; the account keeps the choice, so every later page is in
bokmål. A staff member nominates a colleague in a round whose category has bokmål texts, a
reviewer scores the nomination, the chair records the winner, an admin publishes, and the
nominator and a visitor read the outcome.

The pages of staff and visitors (calls, nomination form, confirmation, My nominations, start
page) are checked for their bokmål text and formatting here. The review, decision, admin and
results pages: the steps there use ids, names, roles and URLs, and their bokmål texts are
checked from ``OTHER_PAGES_IN_BOKMAL`` below.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
from playwright.sync_api import Page, expect

from nominations.models import AwardRound, Nomination, Review, User, db
from nominations.timeutil import from_local
from nominations.workflow.panels import add_member, create_panel
from nominations.workflow.rubric import category_criteria
from tests import factories
from tests.browser.support import assert_controls_labelled, sign_in

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
# Next year, so that every date is ahead of the browser's own clock (its cookies stay valid).
YEAR = date.today().year + 1
AWARD_NB = "Pris for fremragende forskning"
ROUND_NB = f"OUS forskningspriser {YEAR}"
NOMINEE = "Ingrid Hansen"

# --- Bokmål on the pages other branches translate ---------------------------------------------
# TO BE EXTENDED BY THE LEAD after merging i18n-review and i18n-admin: for each page of the path
# below, texts that must be visible on it in bokmål (headings, button and field labels, the
# flash after the action).
OTHER_PAGES_IN_BOKMAL: dict[str, list[str]] = {
    "review: the nomination": ["Din vurdering", "Send inn vurderingen"],
    "review: after submitting": ["Vurderingen din av Ingrid Hansen er sendt inn."],
    "review: decisions of the category": ["Beslutninger: Pris for fremragende forskning"],
    "review: after awarding": [
        "Ingrid Hansen er vinner av Pris for fremragende forskning.",
        "Fjern fra vinnerne",
    ],
    "review: decisions of the round": ["Beslutningene er ferdige"],
    "review: after completing": [
        f"Beslutningene for {ROUND_NB} er ferdige; en administrator kan publisere resultatene."
    ],
    "admin: the round": ["Trukket tilbake", "Ikke kvalifisert"],
    "admin: after publishing": [f"Resultatene i {ROUND_NB} er publisert."],
    "results: the round": [f"{ROUND_NB}: vinnerne"],
}


def oslo(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return from_local(date(YEAR, month, day), time(hour, minute))


def in_bokmal(page: Page, where: str | None = None) -> None:
    """The page is written in bokmål (``<html lang="nb">``, the switch offers English) and, for
    a page of another branch, shows the texts the lead listed for it."""
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.locator("button[name=language][value=en][lang=en]")).to_have_text("English")
    for text in OTHER_PAGES_IN_BOKMAL.get(where, []) if where else []:
        expect(page.get_by_text(text).first).to_be_visible()


def choose_bokmal(page: Page) -> None:
    """The header's switch, as a person presses it (the button is named in bokmål)."""
    page.get_by_role("button", name="Norsk (bokmål)").click()
    in_bokmal(page)


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name=name).click()


def says_yes(page: Page) -> None:
    """Buttons that ask first (data-confirm) get a yes from this person."""
    page.on("dialog", lambda dialog: dialog.accept())


def send(page: Page, button: str) -> None:
    """Press a form's button (a CSS selector) and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(button).click()


@pytest.fixture
def path(live_server, users) -> dict:
    """A round open from 1 March to 7 March 23:59 with one category named in both languages,
    a panel (a chair and the reviewer), and a colleague in a department to nominate."""
    with live_server.app_context():
        tumour = factories.department("Department of Tumor Biology")
        chair = factories.user("chair@example.org", "Chris Chair", roles=("staff", "reviewer"))
        award_round = factories.award_round(
            "OUH Research Awards",
            year=YEAR,
            organiser="Oslo University Hospital",
            opens_at=oslo(3, 1, 0, 0),
            closes_at=oslo(3, 7, 23, 59),
            review_deadline=oslo(4, 15, 23, 59),
        )
        award_round.name_nb = "OUS forskningspriser"
        category = factories.category(
            award_round,
            "Excellent Researcher Award",
            400_000,
            description="For an outstanding researcher at the hospital.",
            eligibility_text="Researchers employed at the hospital.",
            word_limit=300,
            requires_cv=False,
        )
        category.name_nb = AWARD_NB
        category.description_nb = "For en fremragende forsker ved sykehuset."
        category.eligibility_text_nb = "Forskere ansatt ved sykehuset."
        reviewer = db.session.execute(
            db.select(User).where(User.email == users["reviewer"])
        ).scalar_one()
        admin = db.session.execute(db.select(User).where(User.email == users["admin"])).scalar_one()
        panel = create_panel(award_round, name="Ledergruppen", chair=chair, actor=admin)
        add_member(panel, reviewer, actor=admin)
        db.session.commit()
        criteria = [c.id for c in category_criteria(category)]
        return {
            **users,
            "chair": chair.email,
            "round_id": award_round.id,
            "category_id": category.id,
            "criteria": criteria,
            "department": tumour.name,
        }


def _stored_nomination(live_server) -> tuple[int, str]:
    with live_server.app_context():
        nomination = db.session.execute(db.select(Nomination)).scalar_one()
        return nomination.id, nomination.status


def test_nominate_review_and_publish_in_bokmal(new_page, live_server, path, shot, time_machine):
    time_machine.move_to(oslo(3, 3, 10, 0), tick=True)

    # --- The nominator: the switch, the calls page, the form, the confirmation ------------
    staff = new_page()
    sign_in(staff, path["staff"])
    choose_bokmal(staff)
    nav(staff, "Åpne utlysninger")
    in_bokmal(staff)
    expect(staff.get_by_role("heading", level=1)).to_have_text("Utlysninger")
    call = staff.get_by_role("article", name=AWARD_NB)
    expect(call).to_contain_text("For en fremragende forsker ved sykehuset.")
    expect(call).to_contain_text("Forskere ansatt ved sykehuset.")
    prize = call.locator("dd").first
    expect(prize).to_contain_text("1 pris på 400")
    assert prize.inner_text() == f"1 pris på 400{NBSP}000 kr"  # a group separator that holds
    expect(call).to_contain_text(f"7. mars {YEAR} kl. 23:59 CET")
    expect(call).to_contain_text("4 dager 13 timer igjen")
    expect(staff.get_by_role("region", name=ROUND_NB)).to_contain_text(
        f"åpen for nominasjoner til 7. mars {YEAR} kl. 23:59 CET"
    )
    shot("the calls page in bokmål", staff)

    call.get_by_role("link", name=f"Nominer til {AWARD_NB}").click()
    in_bokmal(staff)
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Nominer til {AWARD_NB}")
    assert_controls_labelled(staff)
    staff.get_by_label("Kandidatens navn").fill(NOMINEE)
    staff.get_by_label("Kandidatens e-post").fill("ingrid.hansen@example.org")
    staff.get_by_label("Kandidatens avdeling").select_option(label=path["department"])
    staff.get_by_label("Kandidatens stilling").fill("Gruppeleder")
    statement = staff.get_by_label("Begrunnelse for nominasjonen")
    statement.fill("Ingrid bygde instituttets plattform for enkeltcelleanalyse.")
    expect(staff.locator("#statement-count")).to_have_text("6 av 300 ord")  # counted as typed
    expect(staff.get_by_role("button", name="Lagre utkast")).to_be_visible()
    shot("the nomination form in bokmål", staff)
    staff.get_by_role("button", name="Send inn nominasjonen").click()

    expect(
        staff.get_by_role("alert").filter(has_text="Nominasjonen er sendt inn.")
    ).to_contain_text(f"Du kan redigere eller trekke den tilbake til 7. mars {YEAR} kl. 23:59 CET.")
    expect(staff.get_by_role("heading", level=1)).to_contain_text(
        f"Nominasjon av {NOMINEE} til {AWARD_NB}"
    )
    expect(staff.get_by_role("heading", level=1)).to_contain_text("sendt inn")
    # The clock ticks: seconds are shown when there are any.
    submitted_at = re.compile(rf"Sendt inn 3\. mars {YEAR} kl\. 10:0\d(:\d\d)? CET\.")
    expect(staff.get_by_text(submitted_at)).to_be_visible()
    shot("the confirmation in bokmål", staff)
    nomination_id, status = _stored_nomination(live_server)
    assert status == "submitted"

    nav(staff, "Mine nominasjoner")
    in_bokmal(staff)
    expect(staff.get_by_role("heading", level=1)).to_have_text("Mine nominasjoner")
    row = (
        staff.get_by_role("region", name="Mine nominasjoner")
        .get_by_role("row")
        .filter(has_text=NOMINEE)
    )
    expect(row).to_contain_text(AWARD_NB)
    expect(row).to_contain_text(ROUND_NB)
    expect(row.locator(".badge")).to_have_text("sendt inn")
    expect(row).to_contain_text(re.compile(rf"3\. mars {YEAR} kl\. 10:0\d(:\d\d)? CET"))
    shot("my nominations in bokmål", staff)

    # --- The call closes by the clock; the reviewer scores -----------------------------------
    time_machine.move_to(oslo(3, 8, 9, 0), tick=True)
    staff.reload()
    expect(staff.get_by_role("region", name="Mine nominasjoner")).to_contain_text(
        f"7. mars {YEAR} kl. 23:59 CET"
    )

    reviewer = new_page()
    sign_in(reviewer, path["reviewer"])
    choose_bokmal(reviewer)
    reviewer.goto(f"/review/nominations/{nomination_id}")
    in_bokmal(reviewer, "review: the nomination")
    expect(reviewer.get_by_role("main")).to_contain_text(NOMINEE)
    for criterion_id, score in zip(path["criteria"], ("6", "4", "5"), strict=True):
        reviewer.locator(f"select[name=score_{criterion_id}]").select_option(score)
    expect(reviewer.locator("#weighted-total")).to_contain_text("5")
    reviewer.locator("select[name=recommendation]").select_option(index=1)
    reviewer.locator("textarea[name=comment]").fill("En plattform som endret instituttet.")
    shot("the reviewer scores", reviewer)
    send(reviewer, "[type=submit][name=submit_review]")
    in_bokmal(reviewer, "review: after submitting")
    with live_server.app_context():
        review = db.session.execute(db.select(Review)).scalar_one()
        assert review.status == "submitted"

    # --- The chair records the winner and completes the decisions ----------------------------
    chair = new_page()
    says_yes(chair)
    sign_in(chair, path["chair"])
    choose_bokmal(chair)
    chair.goto(f"/review/categories/{path['category_id']}/decisions")
    in_bokmal(chair, "review: decisions of the category")
    chair.locator("select[name=nomination_id]").select_option(str(nomination_id))
    chair.locator("textarea[name=citation]").fill("For plattformen hele instituttet bygger på.")
    send(chair, "[type=submit][name=submit]")
    in_bokmal(chair, "review: after awarding")
    chair.goto(f"/review/rounds/{path['round_id']}/decisions")
    in_bokmal(chair, "review: decisions of the round")
    send(chair, f"form[action$='/review/rounds/{path['round_id']}/complete'] [type=submit]")
    in_bokmal(chair, "review: after completing")
    with live_server.app_context():
        assert db.session.get(AwardRound, path["round_id"]).status == "decided"
    shot("the chair has decided", chair)

    # --- The admin publishes -------------------------------------------------------------------
    admin = new_page()
    says_yes(admin)
    sign_in(admin, path["admin"])
    choose_bokmal(admin)
    admin.goto(f"/admin/rounds/{path['round_id']}")
    in_bokmal(admin, "admin: the round")
    send(admin, f"form[action$='/admin/rounds/{path['round_id']}/publish'] [type=submit]")
    expect(admin).to_have_url(re.compile(rf"/admin/rounds/{path['round_id']}$"))
    in_bokmal(admin, "admin: after publishing")
    with live_server.app_context():
        assert db.session.get(AwardRound, path["round_id"]).status == "published"
    shot("published", admin)

    # --- The nominator and a visitor read the outcome in bokmål -------------------------------
    staff.goto("/nominations/mine")
    in_bokmal(staff)
    expect(
        staff.get_by_role("region", name="Mine nominasjoner")
        .get_by_role("row")
        .filter(has_text=NOMINEE)
        .locator(".badge")
    ).to_have_text("tildelt")
    shot("my nominations after publishing", staff)

    visitor = new_page()
    visitor.goto("/calls")
    choose_bokmal(visitor)
    expect(visitor.get_by_role("region", name=ROUND_NB)).to_contain_text(
        f"stengte 7. mars {YEAR} kl. 23:59 CET"
    )
    visitor.goto(f"/results/{path['round_id']}")
    in_bokmal(visitor, "results: the round")
    expect(visitor.get_by_role("main")).to_contain_text(NOMINEE)
    shot("the results for a visitor", visitor)
