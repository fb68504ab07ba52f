"""Staff and visitors in bokmål (issue 15): the calls page, the nomination form with its
messages, the confirmation, My nominations, the start page and /calls.json; the language switch
and ``<html lang>`` on every page.

Each page is asked for as a Norwegian browser asks (``Accept-Language: nb``) or with the
switch in the header (the account keeps the choice); English stays what it was.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from nominations.models import AwardCategory, AwardRound, User, db
from nominations.timeutil import from_local
from tests import factories
from tests.access_table import ACCESS, PARAMS, VALUES, VARIANTS
from tests.access_world import PEOPLE, ROLES, build_world
from tests.nominating import errors, field_errors, fields, only_nomination, pdf, text

NB = {"Accept-Language": "nb-NO,nb;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.8"}
NBSP = "\u00a0"
# Before the call closes at 23:59 on 7 March 2025 (Oslo): a week and a bit left.
TODAY = datetime(2025, 2, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dept(app):
    return factories.department("Department of Tumor Biology")


@pytest.fixture
def hospital(app, clock) -> AwardCategory:
    """OUH Research Awards 2025, named in both languages; its Excellent Researcher Award with a
    bokmål name, description and eligibility text; a second category in English only."""
    award_round = factories.award_round(
        "OUH Research Awards",
        year=2025,
        organiser="Oslo University Hospital",
        opens_at=from_local(date(2025, 1, 10)),
        closes_at=from_local(date(2025, 3, 7), None).replace(second=0),  # 23:59
    )
    award_round.name_nb = "OUS forskningspriser"
    category = factories.category(
        award_round,
        "Excellent Researcher Award",
        400_000,
        description="For an outstanding researcher.",
        eligibility_text="Researchers employed at the hospital.",
        word_limit=500,
        max_support_letters=2,
    )
    category.name_nb = "Pris for fremragende forskning"
    category.description_nb = "For en fremragende forsker."
    category.eligibility_text_nb = "Forskere ansatt ved sykehuset."
    factories.category(
        award_round,
        "Early Career Award",
        200_000,
        prize_count=2,
        word_limit=500,
        description="English only.",
    )
    db.session.commit()
    return category


def _lang(page: str) -> str:
    return re.search(r'<html lang="([a-z]+)"', page).group(1)


def _switch_offers(page: str) -> str:
    """The language the header's switch offers (its button carries that language's lang=)."""
    found = re.findall(r'name="language" value="(\w+)" lang="(\w+)">([^<]+)</button>', page)
    assert len(found) == 1, found
    value, lang, _label = found[0]
    assert value == lang
    return value


# --- the calls page ------------------------------------------------------------------------


def test_the_calls_page_in_bokmal(client, hospital):
    page = text(client.get("/calls", headers=NB))
    assert _lang(page) == "nb"
    assert "<h1>Utlysninger</h1>" in page and "Åpne utlysninger" in page
    # The administrators' texts in bokmål: round, category, description, eligibility.
    assert "OUS forskningspriser 2025" in page
    assert '<h4 class="h5 card-title mb-1" id="category-' in page
    assert ">Pris for fremragende forskning</h4>" in page
    assert "For en fremragende forsker." in page and "Forskere ansatt ved sykehuset." in page
    assert ">Nominer til Pris for fremragende forskning</a>" in page
    assert "Logg inn</a> for å nominere." in page
    # Amounts and times as bokmål writes them.
    assert f"1 pris på 400{NBSP}000 kr" in page
    assert f"2 priser på 200{NBSP}000 kr" in page
    assert "7. mars 2025 kl. 23:59 CET" in page
    assert "9 dager 13 timer igjen" in page
    assert "Begrunnelse på høyst 500 ord, CV, opptil 2 støttebrev (PDF)." in page
    assert "Du kan ikke nominere deg selv." in page
    assert "Tidspunktene vises i Europe/Oslo." in page
    # No English left of what this page writes itself.
    for english in ("Calls for nominations", "Closing date", "prize of", "left", "Eligibility"):
        assert english not in page, english


def test_the_calls_page_in_english_is_as_before(client, hospital):
    page = text(client.get("/calls", headers=EN))
    assert _lang(page) == "en"
    assert "OUH Research Awards 2025" in page and "Excellent Researcher Award" in page
    assert "Pris for fremragende forskning" not in page
    assert "1 prize of NOK 400,000" in page and "2 prizes of NOK 200,000" in page
    assert "7 March 2025, 23:59 CET" in page and "9 days 13 hours left" in page
    assert "Statement of at most 500 words, CV, up to 2 support letters (PDF)." in page


def test_a_text_missing_in_bokmal_is_shown_in_english_marked_as_english(client, hospital):
    page = client.get("/calls", headers=NB).get_data(as_text=True)
    # The second category has no bokmål: its name and description are English, and say so.
    assert re.search(r'id="category-\d+" lang="en">Early Career Award</h4>', page)
    assert '<p class="card-text" lang="en">English only.</p>' in page
    # The bokmål texts carry no lang of their own (they are the page's language).
    assert re.search(r'id="category-\d+" >Pris for fremragende forskning</h4>', page)


def test_the_start_page_in_bokmal(make_client, staff, hospital):
    browser = make_client(staff.email)
    browser.submit(f"/calls/{hospital.id}/nominate", {"nominee_name": "Nora", "save_draft": "1"})
    page = text(browser.get("/", headers=NB))
    assert _lang(page) == "nb"
    assert "Velkommen, <bdi>Sam Staff</bdi>. Dette venter på deg." in page
    assert "Dine utkast" in page
    assert "Nora</bdi></a>\n      · Pris for fremragende forskning ·" in page
    assert "9 dager igjen" in page and "(til 7. mars 2025 kl. 23:59 CET)" in page
    assert "Pris for fremragende forskning</strong> · OUS forskningspriser 2025 ·" in page
    assert f"400{NBSP}000 kr" in page and "stenger 7. mars 2025 kl. 23:59 CET" in page


# --- the nomination form, its messages, the confirmation and My nominations ----------------


@pytest.fixture
def nominator(make_client, staff, clock):
    """Sam, who chose bokmål with the switch in the header (kept on his account); signed in
    at the test's time (a sign-in from the future would have expired)."""
    browser = make_client(staff.email)
    response = browser.submit("/language", {"language": "nb", "next": "/calls"}, page="/calls")
    assert response.status_code == 303
    return browser


def test_the_nomination_form_in_bokmal(nominator, hospital, dept):
    url = f"/calls/{hospital.id}/nominate"
    page = text(nominator.get(url, headers=EN))  # the account's choice outweighs the browser
    assert _lang(page) == "nb"
    assert "<title>Nominer til Pris for fremragende forskning · " in page
    for label in (
        "Kandidatens navn",
        "Kandidatens e-post",
        "Kandidatens avdeling",
        "Kandidatens stilling",
        "Begrunnelse for nominasjonen",
        "CV (PDF)",
        "Publikasjonsliste (PDF)",
        "Legg til støttebrev (PDF)",
    ):
        assert re.search(
            rf'<label class="form-label" for="\w+">{re.escape(label)}</label>', page
        ), label
    assert "<legend>Kandidaten</legend>" in page and "<legend>Vedlegg</legend>" in page
    assert 'value="Lagre utkast"' in page and 'value="Send inn nominasjonen"' in page
    assert "Velg en avdeling …" in page
    assert "Kvalifikasjonskrav:</strong> <span >Forskere ansatt ved sykehuset.</span>" in page
    assert "Høyst 500 ord." in page and "0 av 500 ord" in page
    # The live counter's words (app.js fills in {count}).
    assert 'data-template="{count} av 500 ord"' in page
    assert "Påkrevd." in page  # the CV
    assert "Opptil 2 brev i alt; du kan velge flere filer." in page
    assert f'OUS forskningspriser 2025 · <span class="nowrap">400{NBSP}000 kr</span>' in page


def test_refusals_on_the_nomination_form_are_in_bokmal(nominator, hospital, dept):
    url = f"/calls/{hospital.id}/nominate"
    # WTForms' own message, from its bokmål catalog.
    response = nominator.submit(
        url, {**fields(dept), "nominee_email": "not an address", "save_draft": "1"}
    )
    assert field_errors(response, "nominee_email") == [
        "Skriv en gyldig e-postadresse, for eksempel navn@example.org."
    ]
    page = text(response)
    assert "Noe må rettes" in page
    # A draft needs a name first.
    response = nominator.submit(url, {"statement": "Tekst uten navn.", "save_draft": "1"})
    assert field_errors(response, "nominee_name") == [
        "Skriv kandidatens navn først: utkastet lagres under det. Ingenting er lagret ennå; "
        "teksten du skrev, står fortsatt i skjemaet, men dokumentene må velges på nytt."
    ]
    # Submitting an incomplete nomination: the workflow's messages.
    response = nominator.submit(
        url, {**fields(dept, nominee_email=None, statement=None), "submit_nomination": "1"}
    )
    assert field_errors(response, "nominee_email") == ["Skriv kandidatens e-postadresse."]
    assert field_errors(response, "statement") == ["Skriv begrunnelsen for nominasjonen."]
    assert field_errors(response, "cv") == ["Last opp kandidatens CV (PDF)."]
    assert (
        "Utkastet ditt er lagret, men det kan ikke sendes inn før punktene nedenfor er rettet."
        in errors(response)
    )
    draft = only_nomination()
    # A file that is not a PDF.
    response = nominator.submit(
        f"/nominations/{draft.id}",
        {**fields(dept), "save_draft": "1", "cv": pdf("cv.pdf", b"GIF89a")},
    )
    assert field_errors(response, "cv") == [
        "«cv.pdf» er ikke et PDF-dokument. Last opp CV som PDF-fil."
    ]


def test_wtforms_own_messages_come_from_its_bokmal_catalog(nominator, app):
    """A nomination form field WTForms checks itself: the PhD date of a career-stage rule."""
    award_round = factories.award_round("ICR Prizes")
    early = factories.category(award_round, "Early Career Award", 200_000, phd_within_years=8)
    response = nominator.submit(
        f"/calls/{early.id}/nominate",
        {"nominee_name": "Nora", "nominee_phd_date": "not a date", "save_draft": "1"},
    )
    assert field_errors(response, "nominee_phd_date") == ["Ikke en gyldig datoverdi"]


def test_submitting_and_my_nominations_in_bokmal(nominator, hospital, dept):
    url = f"/calls/{hospital.id}/nominate"
    response = nominator.submit(
        url, {**fields(dept), "cv": pdf(), "submit_nomination": "1"}, follow_redirects=True
    )
    page = text(response)
    assert _lang(page) == "nb"
    assert (
        "Nominasjonen er sendt inn. En bekreftelse er på vei til staff@example.org. Du kan "
        "redigere eller trekke den tilbake til 7. mars 2025 kl. 23:59 CET." in page
    )
    assert (
        "<h1>\n  Nominasjon av <bdi>Nora Nominee</bdi> til Pris for fremragende forskning "
        '<span class="badge text-bg-success fs-6 align-middle">sendt inn</span>' in page
    )
    assert "Sendt inn 26. februar 2025 kl. 10:00 CET." in page
    assert "lastet opp 26. februar 2025 kl. 10:00 CET" in page
    assert 'data-confirm="Trekke tilbake denne nominasjonen? Du kan sende den inn igjen' in page
    assert 'value="Trekk tilbake nominasjonen"' in page

    mine = text(nominator.get("/nominations/mine"))
    assert '<h1 class="mb-0">Mine nominasjoner</h1>' in mine
    assert 'aria-label="Mine nominasjoner"' in mine
    row = mine[mine.index("Nora Nominee") :]
    row = row[: row.index("</tr>")]
    assert "<td>Pris for fremragende forskning</td>" in row
    assert "<td>OUS forskningspriser 2025</td>" in row
    assert ">sendt inn</span>" in row
    assert "26. februar 2025 kl. 10:00 CET" in row and "9 dager 13 timer igjen" in row
    for english in ('"col">Nominee<', "Last change", "submitted", "Closes"):
        assert english not in mine, english

    # The calls page names the nomination by its status in bokmål too.
    assert "Dine nominasjoner her:" in text(nominator.get("/calls"))


def test_the_nominators_status_stays_submitted_in_bokmal_until_publication(
    nominator, hospital, dept, staff
):
    """Shortlisting is not told before the results are out, in any language."""
    nomination = factories.nomination(hospital, staff, "Nora Nominee", status="shortlisted")
    mine = text(nominator.get("/nominations/mine"))
    assert ">sendt inn</span>" in mine and "på kortlisten" not in mine
    page = text(nominator.get(f"/nominations/{nomination.id}"))
    assert ">sendt inn</span>" in page


def test_a_closed_call_says_so_in_bokmal(nominator, hospital, dept, clock):
    response = nominator.submit(
        f"/calls/{hospital.id}/nominate", {**fields(dept), "save_draft": "1"}
    )
    draft_url = response.headers["Location"]
    clock.move_to(datetime(2025, 3, 8, 9, 0, tzinfo=UTC))
    page = text(nominator.get(draft_url))
    assert (
        "Utlysningen stengte 7. mars 2025 kl. 23:59 CET. Nominasjonen kan ikke lenger endres."
        in page
    )
    response = nominator.submit(draft_url, {**fields(dept), "save_draft": "1"}, page="/calls")
    assert (
        "Utlysningen stengte 7. mars 2025 kl. 23:59 CET. Nominasjonen din er beholdt slik den "
        "ble lagret" in text(response)
    )


# --- /calls.json ------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [NB, EN], ids=["nb", "en"])
def test_calls_json_gives_both_languages_whatever_the_visitor_reads(client, hospital, headers):
    calls = client.get("/calls.json", headers=headers).get_json()["calls"]
    by_name = {call["category"]: call for call in calls}
    excellent = by_name["Excellent Researcher Award"]
    assert excellent["round"] == "OUH Research Awards 2025"
    assert excellent["round_nb"] == "OUS forskningspriser 2025"
    assert excellent["category_nb"] == "Pris for fremragende forskning"
    assert excellent["description"] == "For an outstanding researcher."
    assert excellent["description_nb"] == "For en fremragende forsker."
    assert excellent["eligibility"] == "Researchers employed at the hospital."
    assert excellent["eligibility_nb"] == "Forskere ansatt ved sykehuset."
    # A text missing in bokmål is given in English, as the pages show it.
    early = by_name["Early Career Award"]
    assert early["category_nb"] == "Early Career Award"
    assert early["description_nb"] == "English only."


# --- the switch and <html lang> on every page ---------------------------------------------------


def test_the_switch_names_the_other_language_on_the_pages_of_staff_and_visitors(
    make_client, client, staff, hospital
):
    signed_in = make_client(staff.email)
    for browser in (client, signed_in):
        for url in ("/", "/calls", f"/calls/{hospital.id}/nominate", "/nominations/mine"):
            response = browser.get(url, headers=NB)
            if response.status_code != 200:
                assert browser is client  # signed out: sent to sign in
                continue
            page = response.get_data(as_text=True)
            assert (_lang(page), _switch_offers(page)) == ("nb", "en"), url
            page = browser.get(url, headers=EN).get_data(as_text=True)
            assert (_lang(page), _switch_offers(page)) == ("en", "nb"), url


def _html_pages(app, ids: dict[str, int], role: str) -> list[str]:
    """The URL of every GET entry of the access table that answers ``role`` with 200."""
    column = ROLES.index(role)
    urls = []
    for name, entry in [*ACCESS.items(), *VARIANTS.items()]:
        if entry.GET is None or entry.GET[column] != 200:
            continue
        endpoint = name.split(" ")[0]
        rule = next(app.url_map.iter_rules(endpoint))
        values = {
            argument: VALUES[argument]
            if argument in VALUES
            else ids[entry.params.get(argument) or PARAMS[argument]]
            for argument in rule.arguments
        }
        urls.append(app.url_map.bind("localhost").build(endpoint, values))
    return urls


@pytest.mark.parametrize("role", ["anonymous", "nominator", "admin"])
def test_every_page_has_the_switch_and_the_language_it_is_written_in(app, make_client, role):
    world = build_world()
    browser = make_client(None if role == "anonymous" else PEOPLE[role][0])
    pages = 0
    for url in _html_pages(app, world.ids, role):
        for headers, language, other in ((NB, "nb", "en"), (EN, "en", "nb")):
            response = browser.get(url, headers=headers)
            assert response.status_code == 200, url
            if response.mimetype != "text/html":
                break  # feeds, exports and downloads
            page = response.get_data(as_text=True)
            assert (_lang(page), _switch_offers(page)) == (language, other), url
            pages += language == "nb"
    # As many pages as the access table gives each role today (a lost route shows here).
    assert pages >= {"anonymous": 6, "nominator": 10, "admin": 47}[role]


def test_the_switch_keeps_the_choice_for_the_person_on_every_later_page(nominator, staff, app):
    person = db.session.get(User, staff.id)
    assert person.locale == "nb"
    page = nominator.get("/", headers=EN).get_data(as_text=True)
    assert _lang(page) == "nb" and "Logg ut" in page and "Gå til innholdet" in page
    assert 'aria-label="Hovedmeny"' in page and "Mine nominasjoner</a>" in page
    # Back to English with the same switch.
    nominator.submit("/language", {"language": "en", "next": "/"})
    page = nominator.get("/", headers=NB).get_data(as_text=True)
    assert _lang(page) == "en" and "Sign out" in page and "My nominations</a>" in page


def test_round_statuses_are_named_in_bokmal(make_client, admin, app):
    award_round = factories.award_round("ICR Prizes")
    factories.category(award_round, "Researcher of the Year")
    page = text(make_client(admin.email).get("/admin/rounds", headers=NB))
    round_row = page[page.index("ICR Prizes") :]
    assert '<span class="badge text-bg-secondary">utkast</span>' in round_row[:2000]
    assert db.session.get(AwardRound, award_round.id).status == "draft"
