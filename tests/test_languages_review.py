"""The panel's pages, the public results, the feeds and the exports in bokmål (issue 15): the
reader's language decides (the account's choice, else Accept-Language), administrators' texts
show their bokmål, and amounts and times are written the Norwegian way. The same pages in
English stay English."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import feedparser
import pytest
import time_machine
from icalendar import Calendar
from openpyxl import load_workbook

from nominations.languages import in_language
from nominations.models import ConflictOfInterest, Criterion, RoundStatus, db
from nominations.timeutil import from_local
from nominations.workflow.conflicts import sync_automatic_conflicts
from nominations.workflow.results import publish_round
from nominations.workflow.rubric import category_criteria
from tests import factories
from tests import results_helpers as h
from tests.review_setup import browser, review, world

NB = {"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.8"}
NBSP = "\u00a0"
AMOUNT_NB = f"400{NBSP}000 kr"
DEADLINE_NB = "7. mars 2027 kl. 23:59:59 CET"
DEADLINE_EN = "7 March 2027, 23:59:59 CET"
CATEGORY_NB = "Pris for fremragende forskning"
CATEGORY_EN = "Excellent Researcher Award"
CRITERIA_NB = ("Vitenskapelig kvalitet", "Betydning", "Ledelse og samarbeid")


@pytest.fixture
def clock():
    """1 March 2027: the call closed an hour ago, reviews are due on 7 March."""
    with time_machine.travel(datetime(2027, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        yield


def _bilingual(category) -> None:
    """The administrators' texts in both languages, the prize NOK 400 000."""
    category.name, category.name_nb = CATEGORY_EN, CATEGORY_NB
    category.prize_amount = 400_000
    category.round.name_nb = "ICR-prisene"
    for criterion, name in zip(
        db.session.execute(
            db.select(Criterion)
            .where(Criterion.category_id == category.id)
            .order_by(Criterion.position)
        ).scalars(),
        CRITERIA_NB,
        strict=True,
    ):
        criterion.name_nb = name
        criterion.guidance_nb = f"Veiledning for {name.lower()}."
    db.session.commit()


@pytest.fixture
def panel(app, clock):
    """A closed round (review deadline 7 March 2027 at the end of the day) with bokmål texts;
    the reviewer's account chose bokmål, the chair's browser asks for it."""
    w = world(review_deadline=from_local(date(2027, 3, 7)))
    _bilingual(w.category)
    w.reviewer.locale = "nb"
    db.session.commit()
    return w


def test_a_reviewer_who_chose_bokmal_reviews_in_bokmal(app, panel):
    reviewer = browser(app, panel.reviewer.email)
    # The account decides, whatever the browser asks for.
    page = reviewer.get("/review/", headers=EN).get_data(as_text=True)
    assert f"Frist for vurdering: {DEADLINE_NB} (6 dager 10 timer igjen)." in page
    assert CATEGORY_NB in page and CATEGORY_EN not in page
    assert "Kategorier å vurdere" in page and "Review deadline" not in page

    page = reviewer.get(f"/review/categories/{panel.category.id}").get_data(as_text=True)
    assert f"{CATEGORY_NB} · vurdering" in page and "Vektet sum" in page

    other = panel.nominations["other"]
    url = f"/review/nominations/{other.id}"
    page = reviewer.get(url).get_data(as_text=True)
    assert "Din vurdering" in page and "Send inn vurderingen" in page
    assert "Vitenskapelig kvalitet (vekt 2, 1–7)" in page
    assert "Veiledning for betydning." in page  # the criterion's guidance in bokmål
    assert "Støtter sterkt" in page  # the recommendations
    assert "Scientific excellence" not in page and "Your review" not in page

    # A refusal from the server, and the answer to a submitted review, in bokmål too.
    refused = reviewer.submit(url, {"submit_review": "1"}).get_data(as_text=True)
    assert "Gi poeng for Vitenskapelig kvalitet før du sender inn." in refused
    scores = {f"score_{c.id}": "5" for c in category_criteria(panel.category)}
    sent = reviewer.submit(
        url,
        {**scores, "recommendation": "support", "submit_review": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Vurderingen din av Olga Other er sendt inn." in sent


def test_the_chair_ranks_and_decides_in_bokmal(app, panel):
    review(panel.nominations["other"], panel.reviewer, 6)
    review(panel.nominations["other"], panel.conflicted, 5)
    review(panel.target, panel.reviewer, 3)
    chair = browser(app, panel.chair.email)
    category = panel.category

    page = chair.get(f"/review/categories/{category.id}/ranking", headers=NB).get_data(as_text=True)
    assert f"Rangering: {CATEGORY_NB}" in page
    assert "Slik regnes den normaliserte poengsummen ut" in page
    assert "gjøres om til z-verdier" in page  # the method, from workflow/ranking.py
    assert "Kandidat" in page and "Gjennomsnitt" in page and "Bedømmere i denne kategorien" in page
    assert "How the normalised score" not in page and "Nominee" not in page

    url = f"/review/categories/{category.id}/decisions"
    page = chair.get(url, headers=NB).get_data(as_text=True)
    assert f"1 pris på {AMOUNT_NB}." in page
    assert f"Beslutninger: {CATEGORY_NB}" in page and "Tildel prisen" in page
    assert "0 av 1 pris tildelt; 1 gjenstår å tildele." in page
    answer = chair.submit(
        url,
        {
            "nomination_id": str(panel.nominations["other"].id),
            "citation": "For banebrytende arbeid.",
        },
        headers=NB,
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"Olga Other er vinner av {CATEGORY_NB}." in answer
    assert "Prisen er tildelt: <bdi>Olga Other</bdi>." in answer
    assert "Prisbegrunnelse for Olga Other" in answer

    page = chair.get(f"/review/categories/{category.id}/charts", headers=NB).get_data(as_text=True)
    assert f"Poengdiagrammer: {CATEGORY_NB}" in page
    assert "Hver nominasjons poengsummer per bedømmer" in page  # the chart's title
    assert "Vektet poengsum (1–7)" in page  # its axis

    # The same pages for an English reader.
    page = chair.get(f"/review/categories/{category.id}/ranking", headers=EN).get_data(as_text=True)
    assert f"Ranking: {CATEGORY_EN}" in page and "How the normalised score is computed" in page
    page = chair.get(url, headers=EN).get_data(as_text=True)
    assert "1 prize of NOK 400,000." in page and "The prize is awarded" in page


def test_automatic_conflicts_read_in_the_readers_language_and_are_stored_in_english(app, panel):
    with app.test_request_context(headers=NB), in_language("nb"):
        sync_automatic_conflicts(panel.award_round)
    db.session.commit()
    stored = db.session.execute(db.select(ConflictOfInterest)).scalar_one()
    assert stored.reason == "The reviewer's e-mail is the nominee's."
    chair = browser(app, panel.chair.email)
    page = chair.get(f"/review/rounds/{panel.award_round.id}/conflicts", headers=NB).get_data(
        as_text=True
    )
    assert "Er kandidaten (automatisk)" in page
    assert "Bedømmerens e-postadresse er kandidatens." in page
    assert "The reviewer's e-mail" not in page


@pytest.fixture
def published(app, clock, admin):
    """ICR Prizes 2026, published, with one winner of NOK 400 000 and a ceremony."""
    award_round = h.closed_round("ICR Prizes", year=2026, ceremony_on=date(2027, 3, 11))
    category = factories.category(award_round, CATEGORY_EN, 400_000)
    category.name_nb = CATEGORY_NB
    award_round.name_nb = "ICR-prisene"
    nominator = factories.user("nominator@example.org", "Nils Nominator")
    h.decide(factories.nomination(category, nominator, "Ingrid Hansen"), "For banebrytende arbeid.")
    h.set_status(award_round, RoundStatus.DECIDED)
    publish_round(award_round, actor=admin)
    db.session.commit()
    return award_round


def test_the_public_results_page_is_in_the_visitors_language(client, published):
    url = f"/results/{published.id}"
    page = client.get(url, headers=NB).get_data(as_text=True)
    assert "ICR-prisene 2026: vinnerne" in page and CATEGORY_NB in page
    assert f'Prisbeløp <span class="nowrap">{AMOUNT_NB}</span>' in page
    assert 'Prisutdeling</dt><dd class="col-sm-9">11. mars 2027' in page
    assert CATEGORY_EN not in page and "the winners" not in page

    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "ICR Prizes 2026: the winners" in page and CATEGORY_EN in page
    assert 'Prize <span class="nowrap">NOK 400,000</span>' in page and "11 March 2027" in page

    history = client.get("/results/", headers=NB).get_data(as_text=True)
    assert "Prisvinnere" in history and CATEGORY_NB in history and AMOUNT_NB in history
    # A visitor searches by the award's name in the language they read it in.
    found = client.get("/results/?award=fremragende", headers=NB).get_data(as_text=True)
    assert "Ingrid Hansen" in found


def test_the_atom_feed_follows_accept_language(client, published):
    response = client.get("/results.atom", headers=NB)
    assert "Accept-Language" in response.headers["Vary"]  # a cache keeps one per language
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title.endswith(": prisvinnere") and feed.feed.language == "nb"
    (entry,) = feed.entries
    assert entry.title == f"Ingrid Hansen får {CATEGORY_NB} 2026"
    assert entry.tags[0].term == CATEGORY_NB
    assert f"i ICR-prisene 2026: {AMOUNT_NB}." in entry.summary
    assert "Prisen deles ut 11. mars 2027." in entry.summary

    feed = feedparser.parse(client.get("/results.atom", headers=EN).get_data())
    assert feed.feed.language == "en"
    assert feed.entries[0].title == f"Ingrid Hansen receives the {CATEGORY_EN} 2026"
    assert "The prize is presented on 11 March 2027." in feed.entries[0].summary


def test_the_calendar_of_open_calls_follows_accept_language(client, clock):
    award_round = factories.award_round(
        "OUH Research Awards", closes_at=from_local(date(2027, 3, 7)), year=2027
    )
    category = factories.category(
        award_round, CATEGORY_EN, 400_000, eligibility_text="Senior researchers."
    )
    category.name_nb, category.eligibility_text_nb = CATEGORY_NB, "Seniorforskere."
    award_round.name_nb = "OUS forskningspriser"
    db.session.commit()

    def event(headers):
        response = client.get("/calls.ics", headers=headers)
        assert "Accept-Language" in response.headers["Vary"]
        calendar = Calendar.from_ical(response.get_data())
        (item,) = calendar.walk("VEVENT")
        return calendar, str(item["SUMMARY"]), str(item["DESCRIPTION"])

    calendar, summary, description = event(NB)
    assert str(calendar["X-WR-CALNAME"]).endswith(": frister")
    assert summary == f"Frist for nominasjoner: {CATEGORY_NB} (OUS forskningspriser 2027)"
    assert f"Frist for nominasjoner: {DEADLINE_NB}." in description
    assert f"Prisbeløp: {AMOUNT_NB}." in description
    assert "Kvalifikasjonskrav: Seniorforskere." in description

    calendar, summary, description = event(EN)
    assert summary == f"Nominations close: {CATEGORY_EN} (OUH Research Awards 2027)"
    assert f"Closing time for nominations: {DEADLINE_EN}." in description
    assert (
        "Prize: NOK 400,000." in description and "Eligibility: Senior researchers." in description
    )


NB_COLUMNS = ["ID", "Kategori", "Kandidat", "Kandidatens e-post", "Kandidatens avdeling"]


def test_exports_in_bokmal_have_norwegian_headings(app, panel):
    for nomination, score in ((panel.nominations["other"], 6), (panel.target, 3)):
        review(nomination, panel.reviewer, score)
    panel.admin.locale = "nb"
    db.session.commit()
    admin = browser(app, panel.admin.email)
    round_url = f"/exports/rounds/{panel.award_round.id}"

    page = admin.get(round_url).get_data(as_text=True)
    assert "Nominasjoner: ICR-prisene 2027" in page and '<th scope="col">Kandidat</th>' in page

    text = admin.get(f"{round_url}/nominations.csv").get_data().decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:5] == NB_COLUMNS and header[-1] == "Begrunnelse for nominasjonen"
    assert {row[1] for row in rows} == {CATEGORY_NB}
    assert "sendt inn" in {row[10] for row in rows}

    workbook = load_workbook(io.BytesIO(admin.get(f"{round_url}/nominations.xlsx").get_data()))
    assert workbook.sheetnames == ["Nominasjoner"]
    assert [cell.value for cell in workbook.active[1]][:5] == NB_COLUMNS

    ranking = load_workbook(
        io.BytesIO(admin.get(f"/exports/categories/{panel.category.id}/ranking.xlsx").get_data())
    )
    assert ranking.sheetnames == ["Rangering", "Poeng per kriterium", "Metode"]
    assert [c.value for c in ranking["Rangering"][1]][:3] == ["Plass", "Kandidat", "Avdeling"]
    assert "Vitenskapelig kvalitet (1-7, vekt 2)" in [
        c.value for c in ranking["Poeng per kriterium"][1]
    ]
    explained = {row[0]: row[1] for row in ranking["Metode"].iter_rows(values_only=True)}
    assert explained["Kategori"] == CATEGORY_NB
    assert "En spredning på 2,00 poeng eller mer" in explained["Sterk uenighet"]

    # An administrator reading English gets English headings from the same round.
    panel.admin.locale = "en"
    db.session.commit()
    text = admin.get(f"{round_url}/nominations.csv").get_data().decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text)))[:3] == ["ID", "Category", "Nominee"]
