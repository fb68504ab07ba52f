"""Referees are reminded before the letter deadline, exactly once per reminder, over a real
SMTP server; and the exports carry the letters (ZIP) and their counts (spreadsheets)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
import time_machine

from nominations.models import OutboxMessage, db
from nominations.timeutil import shift_local
from nominations.workflow.referees import letter_deadline
from tests import factories
from tests.review_setup import user
from tests.review_setup import world as review_world
from tests.scheduler_support import tick
from tests.smtp import Sink
from tests.test_referees import LETTER, LINK_RE, links_to, name, upload


@pytest.fixture
def app_overrides(smtp_server):
    return smtp_server.settings


@pytest.fixture
def nomination(app):
    nominator = user("nominator@example.org", "Nina Nominator")
    category = factories.category(factories.award_round(), required_letters=1)
    return factories.nomination(category, nominator, "Tora Target", "tora@example.org")


def reminders_to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.sink.to(address) if m["Subject"].startswith("Reminder")]


def test_referees_without_a_letter_are_reminded_exactly_once_per_reminder(
    make_client, nomination, smtp_server
):
    nominator = make_client("nominator@example.org")
    name(nominator, nomination)
    name(nominator, nomination, "Paul Punctual", "paul@example.org")
    upload(make_client(), links_to("paul@example.org")[-1])
    deadline = letter_deadline(nomination.category)
    week_before = shift_local(deadline, days=-7)

    tick(week_before - timedelta(minutes=1))  # not yet
    for _ in range(2):  # the same tick twice: once
        tick(week_before + timedelta(minutes=1))
    tick(week_before + timedelta(hours=5))
    tick(week_before + timedelta(hours=5), "outbox")
    first = reminders_to(smtp_server, "rita@example.org")
    assert len(first) == 1
    assert "Reminder: your letter of reference for Tora Target is due" in first[0]["Subject"]
    assert reminders_to(smtp_server, "paul@example.org") == []  # his letter has come

    # The reminder's link is the one that works now (the request's no longer does).
    link = LINK_RE.search(Sink.text(first[0])).group(1)
    referee_browser = make_client()
    assert referee_browser.get(link).status_code == 200

    day_before = shift_local(deadline, days=-1)
    tick(day_before + timedelta(minutes=1))
    tick(day_before + timedelta(minutes=2))
    tick(day_before + timedelta(minutes=2), "outbox")
    assert len(reminders_to(smtp_server, "rita@example.org")) == 2
    tick(deadline + timedelta(minutes=1))  # past the deadline: nothing more
    tick(deadline + timedelta(minutes=1), "outbox")
    assert len(reminders_to(smtp_server, "rita@example.org")) == 2


def test_a_scheduler_that_was_down_sends_only_the_latest_reminder(
    make_client, nomination, smtp_server
):
    name(make_client("nominator@example.org"), nomination)
    deadline = letter_deadline(nomination.category)
    tick(deadline - timedelta(hours=12))
    tick(deadline - timedelta(hours=12), "outbox")
    sent = reminders_to(smtp_server, "rita@example.org")
    assert len(sent) == 1
    keys = db.session.execute(
        db.select(OutboxMessage.dedupe_key).where(
            OutboxMessage.dedupe_key.like("referee-reminder:%")
        )
    ).scalars()
    assert [key.split(":")[2] for key in keys] == ["d1"]


def test_a_referee_named_late_gets_no_reminder_dated_before_him(make_client, nomination):
    deadline = letter_deadline(nomination.category)
    with time_machine.travel(deadline - timedelta(days=3), tick=False):
        name(make_client("nominator@example.org"), nomination)
    tick(deadline - timedelta(days=2))
    assert not db.session.execute(
        db.select(OutboxMessage.id).where(OutboxMessage.dedupe_key.like("referee-reminder:%"))
    ).first()


def test_exports_carry_the_letters_for_the_panel_and_their_counts(make_client, app):
    setup = review_world()
    target = setup.target
    target.category.required_letters = 2
    db.session.commit()
    nominator = make_client(target.nominator.email)
    name(nominator, target)
    name(nominator, target, "Paul Pending", "paul@example.org")
    upload(make_client(), links_to("rita@example.org")[-1])
    admin = make_client(setup.admin.email)
    archive = admin.get(f"/exports/nominations/{target.id}/attachments.zip")
    assert archive.status_code == 200
    files = zipfile.ZipFile(io.BytesIO(archive.get_data()))
    assert files.read("letter of reference - Rita Referee.pdf") == LETTER
    sheet = admin.get(f"/exports/rounds/{setup.award_round.id}/nominations.csv")
    rows = list(csv.DictReader(io.StringIO(sheet.get_data().decode("utf-8-sig"))))
    row = next(r for r in rows if r["ID"] == str(target.id))
    assert row["Letters of reference received"] == "1"
    assert row["Letters of reference required"] == "2"
    # A chair who nominated gets his nomination's row, never its letters.
    chair = setup.chair
    own = factories.nomination(target.category, chair, "Chad Chosen", "chad@example.org")
    chair_browser = make_client(chair.email)
    name(chair_browser, own, "Quinn Quiet", "quinn@example.org")
    upload(make_client(), links_to("quinn@example.org")[-1], LETTER + b"% chair's own\n")
    category_zip = chair_browser.get(f"/exports/categories/{target.category_id}/attachments.zip")
    assert category_zip.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(category_zip.get_data())).namelist()
    assert not any("Quinn Quiet" in n for n in names)
    assert any("Rita Referee" in n for n in names)
