"""Who reads which language: the switch, the account, the browser, the institute's default;
and amounts and dates written the way each language writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nominations.formatting import format_amount
from nominations.languages import in_language, localized
from nominations.models import User, db
from nominations.timeutil import format_local
from tests import factories


def _lang(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_browser_asking_for_norwegian_gets_bokmal(client):
    assert _lang(client.get("/", headers={"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"})) == "nb"
    assert _lang(client.get("/", headers={"Accept-Language": "no"})) == "nb"
    assert _lang(client.get("/", headers={"Accept-Language": "nn-NO,en;q=0.5"})) == "nb"
    assert _lang(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})) == "en"


@pytest.mark.parametrize("default", ["nb", "en"])
def test_a_browser_asking_for_neither_gets_the_institutes_default(app, client, default):
    app.config["DEFAULT_LANGUAGE"] = default
    assert _lang(client.get("/", headers={"Accept-Language": "de-DE,fr;q=0.5"})) == default
    assert _lang(client.get("/")) == default


def test_an_anonymous_visitor_switches_and_stays_on_the_page(client):
    response = client.submit("/language", {"language": "nb", "next": "/calls"}, page="/calls")
    assert response.status_code == 303 and response.headers["Location"] == "/calls"
    # The choice outweighs the browser's wish.
    assert _lang(client.get("/calls", headers={"Accept-Language": "en"})) == "nb"


def test_the_switch_refuses_another_site_and_an_unknown_language(client):
    response = client.submit("/language", {"language": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert client.submit("/language", {"language": "sv"}).status_code == 400


def test_a_signed_in_persons_choice_is_kept_on_the_account(app, make_client, staff):
    browser = make_client(staff.email)
    browser.submit("/language", {"language": "nb", "next": "/"})
    assert db.session.get(User, staff.id).locale == "nb"
    # Another browser, another day: the account decides.
    other = make_client(staff.email)
    assert _lang(other.get("/", headers={"Accept-Language": "en"})) == "nb"
    other.submit("/language", {"language": "en"})
    db.session.expire_all()
    assert db.session.get(User, staff.id).locale == "en"


def test_the_switch_names_the_other_language_in_that_language(client):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="nb">Norsk (bokmål)</button>' in page
    page = client.get("/", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert 'lang="en">English</button>' in page


def test_amounts_and_times_are_written_as_each_language_writes_them(app):
    closing = datetime(2025, 3, 7, 22, 59, tzinfo=UTC)  # 23:59 in Oslo
    with app.test_request_context(), in_language("nb"):
        assert format_amount(400_000) == "400\u00a0000 kr"
        assert format_local(closing) == "7. mars 2025 kl. 23:59 CET"
    with app.test_request_context(), in_language("en"):
        assert format_amount(400_000) == "NOK 400,000"
        assert format_local(closing) == "7 March 2025, 23:59 CET"


def test_texts_in_both_languages_fall_back_to_the_other(app):
    category = factories.category(factories.award_round(), name="Early Career Award")
    category.name_nb = "Pris for unge forskere"
    category.description = "For researchers early in their career."
    with app.test_request_context(), in_language("nb"):
        assert localized(category, "name") == "Pris for unge forskere"
        assert localized(category, "description") == "For researchers early in their career."
    with app.test_request_context(), in_language("en"):
        assert localized(category, "name") == "Early Career Award"
        category.description, category.description_nb = "", "For forskere tidlig i karrieren."
        assert localized(category, "description") == "For forskere tidlig i karrieren."


@pytest.mark.parametrize("path", ["/", "/calls", "/calls.json", "/results/"])
def test_every_public_page_tells_caches_it_depends_on_the_language(client, path):
    assert "Accept-Language" in client.get(path).headers["Vary"]


def test_the_site_is_named_in_the_readers_language(client):
    norwegian = client.get("/", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "<title>Prisnominasjoner" in norwegian or "· Prisnominasjoner</title>" in norwegian
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "· Award nominations</title>" in english


def test_a_refusal_is_said_in_the_readers_language(make_client, staff):
    """The policy's refusals (tests/test_route_access.py answers each with 403 or 404) are
    written in the language of the person refused."""
    browser = make_client(staff.email)
    english = browser.get("/admin/", headers={"Accept-Language": "en"})
    assert english.status_code == 403
    assert "This page is for administrators." in english.get_data(as_text=True)
    browser.submit("/language", {"language": "nb", "next": "/"})
    norwegian = browser.get("/admin/")
    assert norwegian.status_code == 403
    assert _lang(norwegian) == "nb"
    assert "Denne siden er for administratorer." in norwegian.get_data(as_text=True)


def test_a_hidden_refusal_reads_as_a_page_that_does_not_exist(app, make_client, staff):
    """Only a 403 names its rule: a nomination one may not see answers word for word as one
    that does not exist, so the page cannot tell that it does."""
    other = factories.user("olga@example.org", "Olga Other")
    award_round = factories.award_round("ICR Prizes")
    category = factories.category(award_round, "Researcher of the Year", 100_000)
    hidden = factories.nomination(category, other, "Nora Nominee", status="draft")
    browser = make_client(staff.email)
    browser.get("/")  # the "Signed in" message is shown there
    refused = browser.get(f"/nominations/{hidden.id}")
    missing = browser.get(f"/nominations/{hidden.id + 1000}")
    assert refused.status_code == missing.status_code == 404

    def main(response) -> str:
        return response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]

    assert main(refused) == main(missing)
