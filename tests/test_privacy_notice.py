"""The privacy notice: a public page whose text administrators write in both languages, linked
from the footer and from the forms that collect personal data."""

from __future__ import annotations

import pytest

from nominations.models import AuditEvent, PrivacyNotice, db
from tests import factories

NOTICE_URL = "/admin/privacy"


@pytest.fixture
def app_overrides():
    return {"PRIVACY_CONTACT": "dpo@example.org", "PRIVACY_CONTROLLER": "The Cancer Institute"}


def _audits() -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "privacy_notice.update")
        ).scalars()
    )


def test_everyone_reads_the_built_in_notice_until_an_administrator_writes_one(client):
    page = client.get("/privacy")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Privacy notice" in text
    assert "The Cancer Institute uses this service to run its award programmes" in text
    assert "12 months after the results are published" in text
    assert 'href="mailto:dpo@example.org"' in text
    # Bokmål for a reader who asks for it.
    norwegian = client.get("/privacy", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Personvernerklæring" in norwegian
    assert "The Cancer Institute bruker denne tjenesten" in norwegian


def test_every_page_links_the_notice_from_its_footer(client):
    footer = client.get("/").get_data(as_text=True).split("<footer", 1)[1]
    assert 'href="/privacy"' in footer


def test_an_administrator_edits_both_languages_and_the_change_is_audited(make_client, admin, staff):
    assert make_client(staff.email).get(NOTICE_URL).status_code == 403
    browser = make_client(admin.email)
    form = browser.get(NOTICE_URL).get_data(as_text=True)
    assert "This is the built-in text" in form

    english = "We keep nominations for a year.\n\nAsk <b>us</b> & we answer.\nLine two."
    response = browser.submit(
        NOTICE_URL, {"text": english, "text_nb": "Vi tar vare på nominasjoner i ett år."}
    )
    assert response.status_code == 302 and response.location.endswith("/privacy")
    page = browser.get("/privacy").get_data(as_text=True)
    assert "The privacy notice is saved." in page
    # Plain paragraphs, escaped: the administrator's markup is shown as typed.
    assert "<p>We keep nominations for a year.</p>" in page
    assert "<p>Ask &lt;b&gt;us&lt;/b&gt; &amp; we answer.<br>Line two.</p>" in page
    assert "<b>us</b>" not in page
    assert "uses this service to run its award programmes" not in page

    [event] = _audits()
    assert event.actor_id == admin.id
    assert event.before == {"text": None, "text_nb": None}  # the built-in text is not stored
    assert event.after == {"text": english, "text_nb": "Vi tar vare på nominasjoner i ett år."}

    # Saving it unchanged changes nothing and records nothing.
    again = browser.submit(
        NOTICE_URL, {"text": english, "text_nb": "Vi tar vare på nominasjoner i ett år."}
    )
    assert "nothing changed" in browser.get(again.location).get_data(as_text=True)
    assert len(_audits()) == 1


def test_an_empty_language_shows_the_other_with_its_language_marked(make_client, admin, client):
    make_client(admin.email).submit(NOTICE_URL, {"text": "", "text_nb": "Bare på norsk."})
    page = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="privacy-text" lang="nb"' in page and "Bare på norsk." in page
    saved = db.session.get(PrivacyNotice, 1)
    assert (saved.text, saved.text_nb) == ("", "Bare på norsk.")


def test_the_notice_form_refuses_a_post_without_the_csrf_token(make_client, admin):
    browser = make_client(admin.email)
    response = browser.post(NOTICE_URL, data={"text": "Sneaky", "text_nb": ""})
    assert response.status_code == 400
    assert db.session.get(PrivacyNotice, 1) is None


@pytest.mark.parametrize(
    "page",
    ["/admin/users/new", "/admin/staff-import"],
)
def test_admin_forms_that_collect_personal_data_link_the_notice(make_client, admin, page):
    html = make_client(admin.email).get(page).get_data(as_text=True)
    form = html.split("novalidate", 1)[1].split("</form>", 1)[0]  # the page's own form
    assert form.index('href="/privacy"') < form.index('type="submit"')


def test_the_nomination_form_links_the_notice_near_its_buttons(make_client, staff):
    category = factories.category(factories.award_round("OUH Research Awards"))
    html = make_client(staff.email).get(f"/calls/{category.id}/nominate").get_data(as_text=True)
    form = html.split('enctype="multipart/form-data"', 1)[1].split("</form>", 1)[0]
    note = form.index('href="/privacy"')
    assert note < form.index('name="submit_nomination"')
