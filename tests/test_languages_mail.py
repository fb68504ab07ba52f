"""E-mails are written in the recipient's language, whoever caused them and whatever language
the page that caused them was in; signing in, signing out and error pages speak bokmål.

Kari reads bokmål (her account says "nb"), John English ("en"). The tests' institute default
is English, so a Norwegian e-mail can only come from Kari's own choice.
"""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine

from nominations.mail import deliver_due
from nominations.models import NominationStatus, OutboxMessage, User, db
from nominations.timeutil import from_local, shift_local
from nominations.workflow.accounts import choose_language
from nominations.workflow.reminders.sending import send_due_reminders
from tests import factories
from tests.nominating import fields, pdf
from tests.results_helpers import decide, set_status
from tests.scheduler_support import only_rules

NBSP = "\u00a0"  # Norwegian groups thousands with a no-break space: "400 000 kr"
OPENS = from_local(date(2027, 2, 1), time(9, 0))
CLOSES = from_local(date(2027, 3, 7))  # 23:59:59 CET
DURING_THE_CALL = from_local(date(2027, 2, 20), time(12, 0))


@pytest.fixture
def app_overrides(smtp_server):
    return smtp_server.settings


def _person(email: str, name: str, language: str, roles=("staff",)) -> User:
    person = factories.user(email, name, roles=roles)
    choose_language(person, language)
    db.session.commit()
    return person


@pytest.fixture
def kari(app):
    return _person("kari@example.org", "Kari Nordmann", "nb")


@pytest.fixture
def john(app):
    return _person("john@example.org", "John Smith", "en")


@pytest.fixture
def category(app):
    award_round = factories.award_round(
        "OUH Research Awards", 2027, opens_at=OPENS, closes_at=CLOSES, organiser="OUH"
    )
    award_round.name_nb = "OUS forskningspriser"
    category = factories.category(award_round, "Researcher of the Year", 400_000)
    category.name_nb = "Årets forsker"
    db.session.commit()
    return category


def _messages(recipient: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id)
        ).scalars()
    )


def _nominate(client, category, nominee: str, browser_language: str):
    department = factories.department()
    response = client.submit(
        f"/calls/{category.id}/nominate",
        {**fields(department, nominee_name=nominee), "cv": pdf(), "submit_nomination": "1"},
        headers={"Accept-Language": browser_language},
    )
    assert response.status_code == 302


def test_each_nominator_gets_the_confirmation_in_their_language_through_smtp(
    make_client, smtp_server, category, kari, john
):
    with time_machine.travel(DURING_THE_CALL):
        # Each browser asks for the other language; the account's choice is what counts.
        _nominate(make_client(kari.email), category, "Åse Ødegård", browser_language="en")
        _nominate(make_client(john.email), category, "Nora Nominee", browser_language="nb")
        assert deliver_due().sent == 2

    [norwegian] = smtp_server.sink.to(kari.email)
    # A real SMTP server decodes the header: the æøå survived the trip (RFC 2047, UTF-8).
    assert norwegian["Subject"] == "Nominasjon mottatt: Åse Ødegård til Årets forsker"
    text_part = norwegian.get_body(preferencelist=("plain",))
    assert text_part.get_content_charset() == "utf-8"
    body = text_part.get_content()
    for expected in (
        "Hei Kari Nordmann,",
        "Takk! Nominasjonen din er mottatt.",
        "Kategori:     Årets forsker (OUS forskningspriser 2027)",
        f"Pris:         400{NBSP}000 kr",
        "Kandidat:     Åse Ødegård",
        "Frist:        7. mars 2027 kl. 23:59:59 CET",
        "Du kan se, redigere eller trekke den tilbake frem til fristen:",
        "Denne meldingen ble sendt automatisk; svar blir ikke lest.",
    ):
        assert expected in body, expected
    assert "Nomination" not in body and "NOK" not in body
    html = norwegian.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="nb">' in html and '<th align="left">Kandidat</th>' in html

    [english] = smtp_server.sink.to(john.email)
    assert english["Subject"] == "Nomination received: Nora Nominee for Researcher of the Year"
    body = smtp_server.sink.text(english)
    assert "Hello John Smith," in body and "Prize:        NOK 400,000" in body
    assert "Closing date: 7 March 2027, 23:59:59 CET" in body
    assert "Takk" not in body and "kr" not in body


def test_an_administrator_in_english_tells_each_nominator_in_their_language(
    make_client, category, kari, john
):
    for nominator, nominee in ((kari, "Åse Ødegård"), (john, "Nora Nominee")):
        factories.nomination(category, nominator, nominee)
    admin = _person("admin@example.org", "Ada Admin", "en", roles=("staff", "admin"))
    browser = make_client(admin.email)
    for nomination_id in (1, 2):
        page = f"/admin/nominations/{nomination_id}"
        assert '<html lang="en"' in browser.get(page).get_data(as_text=True)
        response = browser.submit(f"{page}/ineligible", {"reason": "Left in 2024."}, page=page)
        assert response.status_code == 302

    [norwegian] = _messages(kari.email)
    assert norwegian.subject == (
        "Nominasjon merket som ikke kvalifisert: Åse Ødegård til Årets forsker"
    )
    assert "Administratorene har merket nominasjonen din som ikke kvalifisert" in (
        norwegian.body_text
    )
    assert "Begrunnelse:\nLeft in 2024." in norwegian.body_text
    [english] = _messages(john.email)
    assert (
        english.subject == "Nomination marked ineligible: Nora Nominee for Researcher of the Year"
    )
    assert "The administrators have marked your nomination as ineligible" in english.body_text


def test_the_scheduler_reminds_each_person_in_their_language(category, kari, john):
    award_round = category.round
    only_rules(award_round, ("call_closing", 7), ("draft_pending", 7))
    for nominator in (kari, john):
        factories.nomination(category, nominator, "", status=NominationStatus.DRAFT)
    send_due_reminders(shift_local(CLOSES, days=-7))
    db.session.commit()

    closing, draft = _messages(kari.email)
    assert closing.subject == (
        "Fristen for å nominere til OUS forskningspriser 2027 er 7. mars 2027 kl. 23:59:59 CET"
    )
    assert "(7 dager igjen). Kategoriene:" in closing.body_text
    assert f"- Årets forsker: 400{NBSP}000 kr" in closing.body_text
    assert (
        draft.subject
        == "Nominasjonsutkastet ditt er ikke sendt inn ennå (OUS forskningspriser 2027)"
    )
    assert f"- (kandidaten er ikke navngitt ennå): Årets forsker, 400{NBSP}000 kr" in (
        draft.body_text
    )

    closing, draft = _messages(john.email)
    assert closing.subject == (
        "Nominations for OUH Research Awards 2027 close 7 March 2027, 23:59:59 CET"
    )
    assert "(7 days left). The categories:" in closing.body_text
    assert "- Researcher of the Year: NOK 400,000" in closing.body_text
    assert draft.subject == "Your nomination draft is not submitted yet (OUH Research Awards 2027)"


def test_results_published_from_a_norwegian_page_reach_each_in_their_language(
    app, make_client, category, kari, john
):
    award_round = category.round
    award_round.ceremony_on = date(2027, 12, 11)
    winner = factories.nomination(category, john, "Kari Nordmann", "kari@example.org")
    factories.nomination(category, kari, "Per Uten Konto", "per@example.org")
    decide(winner)
    set_status(award_round, "decided")
    admin = _person("admin@example.org", "Ada Admin", "nb", roles=("staff", "admin"))
    browser = make_client(admin.email)
    page = f"/admin/rounds/{award_round.id}"
    assert '<html lang="nb"' in browser.get(page).get_data(as_text=True)
    browser.submit(f"{page}/publish", {"confirmed": "1"}, page=page)

    [to_john] = _messages(john.email)  # the nominator, in English though published in bokmål
    assert to_john.subject == "Results of OUH Research Awards 2027 are published"
    assert "The prizes are presented on 11 December 2027." in to_john.body_text
    [to_kari] = _messages(kari.email)  # nominee and nominator: one message, in bokmål
    assert to_kari.subject == "Resultatene for OUS forskningspriser 2027 er publisert"
    assert "Prisene deles ut 11. desember 2027." in to_kari.body_text
    # A nominee without an account reads the institute's default (English in the tests).
    [to_per] = _messages("per@example.org")
    assert to_per.subject == "Results of OUH Research Awards 2027 are published"


def test_a_password_reset_asked_for_on_an_english_page_comes_in_bokmal(client, kari):
    page = client.submit(
        "/password/forgot",
        {"email": kari.email},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "a link to set a new password is on its way" in page  # the page: English
    [message] = _messages(kari.email)
    assert message.subject == "Tilbakestill passordet ditt"
    assert "Noen (forhåpentligvis du) har bedt om å tilbakestille passordet" in message.body_text
    assert "Lenken virker én gang, i 1 time." in message.body_text


def test_the_sign_in_page_and_a_missing_page_in_bokmal(client):
    norwegian = {"Accept-Language": "nb-NO,nb;q=0.9"}
    page = client.get("/login", headers=norwegian).get_data(as_text=True)
    for expected in ("<h1>Logg inn</h1>", "E-post", "Passord", "Glemt passordet?"):
        assert expected in page, expected
    missing = client.get("/no/such/page", headers=norwegian)
    assert missing.status_code == 404
    page = missing.get_data(as_text=True)
    assert "<h1>Ikke funnet</h1>" in page and "Feil 404." in page
    assert "Gå til startsiden" in page and "Not found" not in page
    wrong = client.submit(
        "/login", {"email": "kari@example.org", "password": "wrong"}, headers=norwegian
    ).get_data(as_text=True)
    assert "E-postadressen eller passordet er feil, eller kontoen er ikke aktiv." in wrong


def test_signing_out_keeps_the_persons_language(make_client, kari):
    browser = make_client(kari.email)
    page = browser.submit(
        "/logout", {}, page="/", headers={"Accept-Language": "en"}, follow_redirects=True
    ).get_data(as_text=True)
    assert '<html lang="nb"' in page and "Du er logget ut." in page
    # Signed out, the next page is still hers, whatever the browser asks for.
    page = browser.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>Logg inn</h1>" in page


def test_a_choice_made_before_signing_in_stays_and_goes_to_the_account(client, staff):
    assert staff.locale is None
    client.submit("/language", {"language": "nb", "next": "/login"}, page="/login")
    response = client.submit(
        "/login",
        {"email": staff.email, "password": factories.PASSWORD},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert '<html lang="nb"' in page and "Logget inn som Sam Staff." in page
    db.session.expire_all()
    assert db.session.get(User, staff.id).locale == "nb"  # e-mails follow it from now on
