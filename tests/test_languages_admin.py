"""The administrators' side in bokmål and English: the pages, the forms and their messages in
the reader's language, and rounds, categories and criteria entered in both languages, each
reader seeing theirs (the other one when theirs is empty)."""

from __future__ import annotations

import io
import re
from datetime import date, time
from html import unescape

import pytest

from nominations.models import AuditEvent, AwardCategory, AwardRound, Criterion, User, db
from nominations.timeutil import from_local
from tests import factories

NB = {"Accept-Language": "nb"}
EN = {"Accept-Language": "en"}


def text(response) -> str:
    """The page's words, without markup."""
    page = response.get_data(as_text=True)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def chief(admin, make_client):
    return make_client(admin.email)


def test_admin_pages_speak_bokmal_to_a_norwegian_browser(chief):
    award_round = factories.award_round("ICR Prizes", year=2031)
    factories.category(award_round, "Researcher of the Year")
    rounds = text(chief.get("/admin/rounds", headers=NB))
    assert "Prisrunder" in rounds and "Ny runde" in rounds and "Frist for vurdering" in rounds
    assert "Administrasjon" in rounds and "Endringslogg" in rounds  # the bar's Admin menu
    assert "Award rounds" not in rounds and "Review deadline" not in rounds
    detail = text(chief.get(f"/admin/rounds/{award_round.id}", headers=NB))
    assert "Kategorier" in detail and "Påminnelser" in detail and "Komité" in detail
    assert "100 000 kr" in detail  # the prize, as bokmål writes it
    assert "Utlysningen stenger snart, 7 dager før" in detail  # a reminder rule's label
    form = chief.get("/admin/rounds/new", headers=NB).get_data(as_text=True)
    assert ">Navn (engelsk)</label>" in form and ">Navn (bokmål)</label>" in form
    assert 'value="Lagre runden"' in form
    # The same pages in English, as before.
    english = text(chief.get("/admin/rounds", headers=EN))
    assert "Award rounds" in english and "Prisrunder" not in english


def test_a_refused_form_says_why_in_bokmal(chief):
    page = text(chief.submit("/admin/rounds/new", {"name": "", "year": "2031"}, headers=NB))
    assert "Dette feltet er påkrevd." in page  # WTForms' own message
    assert "This field is required." not in page
    # A rule of the workflow, with the time written the Norwegian way.
    page = text(
        chief.submit(
            "/admin/rounds/new",
            {
                "name": "ICR Prizes",
                "year": "2031",
                "opens_date": "2031-03-07",
                "opens_time": "12:00",
                "closes_date": "2031-03-01",
                "review_date": "2031-04-01",
                "blind_mode": "after_own",
            },
            headers=NB,
        )
    )
    assert "Fristen må være etter åpningstiden (7. mars 2031 kl. 12:00 CET)." in page
    assert db.session.execute(db.select(AwardRound.id)).first() is None


def _create_round_in_both_languages(chief) -> AwardRound:
    response = chief.submit(
        "/admin/rounds/new",
        {
            "name": "OUH Research Awards",
            "name_nb": "OUS' forskningspriser",
            "year": "2031",
            "description": "",
            "description_nb": "Sykehusets forskningspriser.",
            "opens_date": "2031-01-10",
            "closes_date": "2031-03-07",
            "review_date": "2031-04-15",
            "blind_mode": "after_own",
        },
        headers=NB,
    )
    assert response.status_code == 302
    award_round = db.session.execute(db.select(AwardRound)).scalar_one()
    # The flash message on the next page is in bokmål too, with the bokmål name.
    page = text(chief.get(response.headers["Location"], headers=NB))
    assert "Runden OUS' forskningspriser 2031 er opprettet." in page
    for name, name_nb in (
        ("Excellent Researcher Award", "Pris for fremragende forskning"),
        ("Early Career Award", ""),  # no bokmål: bokmål readers see the English
    ):
        response = chief.submit(
            f"/admin/rounds/{award_round.id}/categories/new",
            {
                "name": name,
                "name_nb": name_nb,
                "description": f"About the {name}.",
                "eligibility_text": "Employed at the hospital.",
                "eligibility_text_nb": "Ansatt ved sykehuset.",
                "prize_amount": "400000",
                "currency": "NOK",
                "prize_count": "1",
                "word_limit": "1000",
                "max_support_letters": "3",
            },
            page=f"/admin/rounds/{award_round.id}/categories/new",
        )
        assert response.status_code == 302, text(response)
    return award_round


def test_a_round_entered_in_both_languages_reads_in_each_readers_language(chief):
    award_round = _create_round_in_both_languages(chief)
    excellent = db.session.execute(
        db.select(AwardCategory).where(AwardCategory.name == "Excellent Researcher Award")
    ).scalar_one()
    assert (excellent.name_nb, excellent.eligibility_text_nb) == (
        "Pris for fremragende forskning",
        "Ansatt ved sykehuset.",
    )
    url = f"/admin/rounds/{award_round.id}"
    norwegian = text(chief.get(url, headers=NB))
    assert "OUS' forskningspriser 2031" in norwegian
    assert "Pris for fremragende forskning" in norwegian
    assert "Excellent Researcher Award" not in norwegian
    assert "Early Career Award" in norwegian  # no bokmål name: the English one
    assert "Sykehusets forskningspriser." in norwegian
    # The new categories' default rubric is in both languages as well.
    assert "Vitenskapelig kvalitet" in norwegian
    english = text(chief.get(url, headers=EN))
    assert "OUH Research Awards 2031" in english and "Excellent Researcher Award" in english
    assert "Pris for fremragende forskning" not in english
    assert "Scientific excellence" in english
    # No English description: English readers see the bokmål one rather than nothing.
    assert "Sykehusets forskningspriser." in english
    # The edit form shows both languages, whoever reads it.
    form = chief.get(f"/admin/categories/{excellent.id}/edit", headers=EN).get_data(as_text=True)
    assert 'value="Pris for fremragende forskning"' in form
    assert 'value="Excellent Researcher Award"' in form


def test_the_bokmal_texts_are_in_the_audit_log_and_the_criteria_in_both(chief, admin):
    award_round = factories.award_round("ICR Prizes", year=2031)
    category = factories.category(award_round, "Researcher of the Year")
    response = chief.submit(
        f"/admin/categories/{category.id}/rubric",
        {
            "name": "Teaching",
            "name_nb": "Undervisning",
            "guidance": "Courses and supervision.",
            "guidance_nb": "Kurs og veiledning.",
            "weight": "1",
            "scale_min": "1",
            "scale_max": "7",
        },
        headers=NB,
    )
    assert response.status_code == 302
    criterion = db.session.execute(
        db.select(Criterion).where(Criterion.name == "Teaching")
    ).scalar_one()
    assert (criterion.name_nb, criterion.guidance_nb) == ("Undervisning", "Kurs og veiledning.")
    rubric = f"/admin/categories/{category.id}/rubric"
    norwegian = text(chief.get(rubric, headers=NB))
    assert "Kriteriet Undervisning er lagt til." in norwegian
    assert "Undervisning Kurs og veiledning." in norwegian
    english = text(chief.get(rubric, headers=EN))
    assert "Teaching Courses and supervision." in english and "Undervisning" not in english
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "criterion.create")
    ).scalar_one()
    assert event.after["name_nb"] == "Undervisning"
    log = text(chief.get("/admin/audit?action=criterion.create", headers=NB))
    assert "navn (bokmål) Undervisning" in log and "veiledning (bokmål)" in log


def test_a_round_that_did_not_open_says_why_in_the_readers_language(chief):
    factories.award_round(
        "ICR Prizes",
        year=2031,
        opens_at=from_local(date(2020, 1, 1), time(9, 0)),
        closes_at=from_local(date(2031, 3, 7)),
        confirmed=False,
    )
    norwegian = text(chief.get("/admin/rounds", headers=NB))
    assert "1 runde åpnet ikke ved åpningstiden:" in norwegian
    assert "Legg til minst én kategori med prisen sin." in norwegian
    english = text(chief.get("/admin/rounds", headers=EN))
    assert "1 round did not open at its opening time:" in english
    assert "Add at least one category with its prize." in english


def test_a_staff_import_previewed_in_english_is_confirmed_in_bokmal(chief, admin):
    """The preview's fingerprint holds facts, not words: changing language between the
    preview and the confirmation does not make the import look changed."""
    known = factories.user("kari@example.org", "Kari Old-Name")
    upload = b"Name,E-mail,Department\nKari Nordmann,kari@example.org,Dept A\n"
    preview = chief.post(
        "/admin/staff-import",
        data={
            "csrf_token": chief.csrf_token("/admin/staff-import"),
            "file": (io.BytesIO(upload), "staff.csv"),
        },
        headers=EN,
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert "name: Kari Old-Name → Kari Nordmann" in unescape(page)
    fields = dict(re.findall(r'name="(rows|fingerprint|csrf_token)"[^>]*value="([^"]*)"', page))
    done = chief.post("/admin/staff-import/confirm", data=fields, headers=NB)
    assert done.status_code == 302, text(done)
    assert "Importert: 0 personer lagt til, 1 oppdatert" in text(
        chief.get("/admin/users", headers=NB)
    )
    assert db.session.get(User, known.id).name == "Kari Nordmann"
