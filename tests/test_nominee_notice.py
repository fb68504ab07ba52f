"""Nominees are told, when the call closes, that they have been nominated (GDPR article 14):
once, in their language, with what is held and for how long, never by whom."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import time_machine

from nominations.mail import deliver_due
from nominations.models import AuditEvent, AwardRound, db
from nominations.timeutil import from_local
from nominations.unit_of_work import transaction
from nominations.workflow.accounts import choose_language
from nominations.workflow.cloning import open_next_year
from nominations.workflow.lifecycle import close_due_rounds
from nominations.workflow.nominee_notice import queue_nominee_notices
from tests import factories
from tests.scheduler_support import outbox, tick

CLOSES = from_local(date(2027, 3, 7))
AFTER = CLOSES + timedelta(minutes=1)


@pytest.fixture
def app_overrides(smtp_server):
    return {
        **smtp_server.settings,
        "BASE_URL": "https://awards.example.org",
        "PRIVACY_CONTACT": "dpo@example.org",
        "PRIVACY_CONTROLLER": "The Cancer Institute",
    }


@pytest.fixture
def award_round(app, staff):
    award_round = factories.award_round(
        "OUH Research Awards",
        2027,
        opens_at=CLOSES - timedelta(days=30),
        closes_at=CLOSES,
        inform_nominees=True,
        retain_documents_months=18,
        retain_comments_months=6,
    )
    award_round.name_nb = "OUS forskningspriser"
    first = factories.category(award_round, "Researcher of the Year", 400_000)
    first.name_nb = "Årets forsker"
    second = factories.category(award_round, "Early Career Award", 200_000)
    second.name_nb = "Pris for unge forskere"
    db.session.commit()
    # Kari has an account that reads bokmål; Nora has none (the default language: English).
    kari = factories.user("kari@example.org", "Kari Nordmann")
    choose_language(kari, "nb")
    db.session.commit()
    factories.nomination(first, staff, "Kari Nordmann", "kari@example.org")
    factories.nomination(second, staff, "Kari Nordmann", "Kari@Example.org")
    factories.nomination(first, staff, "Nora Nominee", "nora@example.org")
    factories.nomination(first, staff, "Dina Draft", "dina@example.org", status="draft")
    factories.nomination(first, staff, "Wanda Withdrawn", "w@example.org", status="withdrawn")
    factories.nomination(first, staff, "No Address", "")
    return award_round


def test_each_nominee_is_told_once_in_their_language_through_smtp(award_round, smtp_server, staff):
    tick(AFTER)
    tick(AFTER + timedelta(minutes=1))  # the close job again: nothing more
    with time_machine.travel(AFTER + timedelta(minutes=2), tick=False):
        deliver_due()
    told = sorted(m["To"] for m in smtp_server.sink.messages)
    assert told == ["kari@example.org", "nora@example.org"]  # not the draft nor the withdrawn

    [english] = smtp_server.sink.to("nora@example.org")
    assert english["Subject"] == "You have been nominated: OUH Research Awards 2027"
    body = smtp_server.sink.text(english)
    for expected in (
        "Hello Nora Nominee,",
        "You have been nominated for Researcher of the Year in OUH Research Awards 2027.",
        "Who holds the data: The Cancer Institute.",
        "your name, e-mail address, position and department, the nomination statement and the "
        "documents",
        "the documents are deleted 18 months after the results are published, unless you win",
        "the review comments 6 months after publication",
        "Read the privacy notice: https://awards.example.org/privacy",
        "Questions about your personal data: dpo@example.org",
    ):
        assert expected in body, expected
    # Never who nominated them.
    assert staff.name not in body and staff.email not in body
    html = english.get_body(preferencelist=("html",)).get_content()
    assert '<a href="https://awards.example.org/privacy">' in html and staff.name not in html

    [norwegian] = smtp_server.sink.to("kari@example.org")
    assert norwegian["Subject"] == "Du er nominert: OUS forskningspriser 2027"
    body = smtp_server.sink.text(norwegian)
    assert "Hei Kari Nordmann," in body
    # Both categories in one message, in bokmål.
    assert "Du er nominert til Årets forsker, Pris for unge forskere i OUS forskningspriser" in body
    assert "18 måneder" in body and staff.name not in body

    [closed] = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.close")
    ).scalars()
    assert closed.after["notified_nominees"] == 2


def test_a_second_close_run_on_another_process_queues_nothing_twice(app, award_round):
    def close_elsewhere() -> None:  # a second scheduler, with a connection of its own
        with app.app_context(), time_machine.travel(AFTER, tick=False), transaction():
            close_due_rounds()

    threads = [threading.Thread(target=close_elsewhere) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outbox("privacy:nominee_notice:")) == 2
    # Even a run that believed it had closed the round queues nothing again (dedupe keys).
    with transaction():
        assert queue_nominee_notices(db.session.get(AwardRound, award_round.id)) == 0
    assert len(outbox("privacy:nominee_notice:")) == 2


def test_a_round_that_does_not_ask_tells_no_nominee(award_round):
    award_round.inform_nominees = False
    db.session.commit()
    tick(AFTER)
    assert db.session.get(AwardRound, award_round.id).status == "closed"
    assert outbox("privacy:nominee_notice:") == []


def test_the_round_form_sets_the_option_and_the_periods_audited_and_cloned(
    make_client, admin, award_round
):
    award_round.inform_nominees = False
    db.session.commit()
    browser = make_client(admin.email)
    url = f"/admin/rounds/{award_round.id}/edit"
    page = browser.get(url).get_data(as_text=True)
    assert "Inform nominees when the call closes" in page
    form = {
        "name": "OUH Research Awards",
        "year": "2027",
        "opens_date": "2027-02-05",
        "closes_date": "2027-03-07",
        "review_date": "2027-04-15",
        "blind_mode": "after_own",
        "inform_nominees": "y",
        "retain_documents_months": "24",
        "retain_comments_months": "3",
        "retain_drafts_days": "10",
        "coauthor_years": "8",
    }
    assert browser.submit(url, form).status_code == 302
    db.session.expire_all()
    saved = db.session.get(AwardRound, award_round.id)
    assert saved.inform_nominees is True
    assert (saved.retain_documents_months, saved.retain_comments_months) == (24, 3)
    assert saved.retain_drafts_days == 10 and saved.coauthor_years == 8
    [event] = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.update")
    ).scalars()
    assert event.before["inform_nominees"] is False and event.after["inform_nominees"] is True
    assert event.before["retain_documents_months"] == 18
    assert event.after["retain_documents_months"] == 24

    refused = browser.submit(url, {**form, "retain_documents_months": "0"})
    assert refused.status_code == 200
    assert "Enter a number of months from 1 to 120." in refused.get_data(as_text=True)
    refused = browser.submit(url, {**form, "coauthor_years": "21"})
    assert "Enter a number of years from 1 to 20." in refused.get_data(as_text=True)

    copy = open_next_year(saved, actor=admin)
    db.session.commit()
    assert copy.inform_nominees is True
    assert (copy.retain_documents_months, copy.retain_comments_months) == (24, 3)
    assert copy.retain_drafts_days == 10 and copy.coauthor_years == 8


def test_new_rounds_start_with_the_documented_defaults(app):
    award_round = factories.award_round("ICR Prizes", 2027)
    assert award_round.inform_nominees is False
    assert award_round.retain_documents_months == 12
    assert award_round.retain_comments_months == 12
    assert award_round.retain_drafts_days == 30
    assert award_round.coauthor_years == 5
