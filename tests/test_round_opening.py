"""Opening a round is a deliberate step (issue 12, point 1): creating a round whose opening
date is today sends nothing; the round opens when it has a category and an administrator,
having seen the announcement and how many it goes to, confirms; a round not ready at its
opening time stays closed and the administrators are told, once, by e-mail and a banner."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
import time_machine

from nominations.models import AuditEvent, AwardRound, RoundStatus, db
from nominations.timeutil import from_local, now, to_local
from nominations.workflow.calls import accepts_nominations
from tests import factories
from tests.scheduler_support import outbox, recipients, tick

OPENS = from_local(date(2031, 2, 3), time(9, 0))
CLOSES = from_local(date(2031, 3, 7))
REVIEW = from_local(date(2031, 4, 15))


@pytest.fixture
def people(app, admin, staff):
    factories.user("rita@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    factories.user("gone@example.org", "Gone Person", active=False)
    return admin, staff


def _text(response) -> str:
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _round(round_id: int) -> AwardRound:
    db.session.expire_all()
    return db.session.get(AwardRound, round_id)


def _unconfirmed_round(name: str) -> AwardRound:
    """A round of 2031 opening at OPENS whose opening no administrator has confirmed yet."""
    return factories.award_round(
        name, 2031, opens_at=OPENS, closes_at=CLOSES, review_deadline=REVIEW, confirmed=False
    )


def test_a_round_created_to_open_today_mails_nobody_and_stays_closed(client, people):
    client.login("admin@example.org")
    today = to_local(now()).date()
    response = client.submit(
        "/admin/rounds/new",
        {
            "name": "ICR Prizes",
            "year": str(today.year),
            "opens_date": today.isoformat(),
            "closes_date": (today + timedelta(days=30)).isoformat(),
            "review_date": (today + timedelta(days=60)).isoformat(),
            "blind_mode": "after_own",
        },
        follow_redirects=True,
    )
    assert "it opens only when you confirm its announcement" in _text(response)
    award_round = db.session.execute(db.select(AwardRound)).scalar_one()
    tick(now())
    tick(now() + timedelta(minutes=1))
    assert outbox("reminder:") == []  # no announcement, no closing reminder
    assert _round(award_round.id).status == RoundStatus.DRAFT
    assert not accepts_nominations(_round(award_round.id))
    assert "ICR Prizes" not in _text(client.get("/calls")).split("Upcoming")[0]
    # The administrators are told, once however often the scheduler looks.
    assert recipients("lifecycle:opening_held") == {"admin@example.org": 1}
    [message] = outbox("lifecycle:opening_held")
    assert message.subject == f"Not opened: ICR Prizes {today.year} is waiting for you"
    assert "Add at least one category with its prize." in message.body_text
    assert "confirm the opening" in message.body_text
    # ... and the admin pages say so, in a banner, until the round is dealt with.
    page = _text(client.get("/admin/rounds"))
    assert "1 round did not open at its opening time" in page
    assert "Add at least one category with its prize." in page
    page = _text(client.get(f"/admin/rounds/{award_round.id}"))
    assert "This round did not open at its opening time" in page
    assert "Add at least one category with its prize." in page


def test_the_admin_sees_the_announcement_and_its_recipients_then_confirms_once(client, people):
    award_round = _unconfirmed_round("OUH Research Awards")
    client.login("admin@example.org")
    url = f"/admin/rounds/{award_round.id}/open"
    # Without a category there is nothing to announce: no confirm button, and a POST refused.
    page = _text(client.get(url))
    assert "The round cannot open yet: Add at least one category with its prize." in page
    assert "Confirm the opening" not in page
    refused = _text(client.submit(url, follow_redirects=True))
    assert "Add at least one category with its prize." in refused
    assert _round(award_round.id).opening_confirmed_at is None
    factories.category(award_round, "Excellent Researcher Award", 400_000)
    factories.category(award_round, "Early Career Award", 200_000, prize_count=2)
    detail = _text(client.get(f"/admin/rounds/{award_round.id}"))
    assert "Review the announcement and open" in detail

    with_clock = OPENS + timedelta(hours=2)
    with time_machine.travel(with_clock, tick=False):
        client.login("admin@example.org")  # a sign-in ages with the clock
        page = _text(client.get(url))
        # Three active staff accounts (not the inactive one), and the text they will read.
        assert "It goes by e-mail to 3 staff members" in page
        assert "Subject: Call for nominations open: OUH Research Awards 2031" in page
        assert "Excellent Researcher Award: NOK 400,000" in page
        assert "Early Career Award: NOK 200,000 (2 prizes)" in page
        assert "confirming opens the call now" in page
        assert outbox() == []  # a GET sends nothing
        done = _text(client.submit(url, follow_redirects=True))
        assert (
            "OUH Research Awards 2031 is open for nominations; "
            "the announcement goes to 3 staff members." in done
        )
        # Pressing again (or reloading the POST) opens nothing twice, mails nobody twice.
        again = _text(client.submit(url, follow_redirects=True))
        assert "was confirmed already; nothing changed" in again
    tick(with_clock + timedelta(minutes=1))
    assert _round(award_round.id).status == RoundStatus.OPEN
    assert recipients("reminder:call_opened") == {
        "admin@example.org": 1,
        "staff@example.org": 1,
        "rita@example.org": 1,
    }
    assert outbox("lifecycle:opening_held") == []
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("round.confirm_opening") == 1 and actions.count("round.open") == 1


def test_confirmed_ahead_of_time_it_opens_at_its_time(client, people):
    award_round = _unconfirmed_round("ICR Prizes")
    factories.category(award_round)
    url = f"/admin/rounds/{award_round.id}/open"
    with time_machine.travel(OPENS - timedelta(days=3), tick=False):
        client.login("admin@example.org")  # a sign-in ages with the clock
        assert "until then nothing is sent" in _text(client.get(url))
        done = _text(client.submit(url, follow_redirects=True))
        assert "Opening confirmed: ICR Prizes 2031 opens 3 February 2031, 09:00" in done
        assert not accepts_nominations(_round(award_round.id))
    assert outbox() == []
    tick(OPENS - timedelta(seconds=1))
    assert _round(award_round.id).status == RoundStatus.DRAFT and outbox() == []
    assert accepts_nominations(_round(award_round.id), OPENS)  # by the clock, to the second
    tick(OPENS)
    assert _round(award_round.id).status == RoundStatus.OPEN
    assert len(outbox("reminder:call_opened")) == 3
    assert outbox("lifecycle:opening_held") == []


def test_an_unconfirmed_round_gets_no_call_reminders_and_its_admins_are_told(client, people):
    award_round = _unconfirmed_round("ICR Prizes")
    factories.category(award_round)
    tick(OPENS)
    with time_machine.travel(OPENS + timedelta(hours=1), tick=False):
        assert "ICR Prizes" not in _text(client.get("/calls"))  # not even as "upcoming"
    tick(CLOSES - timedelta(days=1))  # the 7-day and 1-day closing reminders would be due
    assert outbox("reminder:") == []
    assert _round(award_round.id).status == RoundStatus.DRAFT
    [message] = outbox("lifecycle:opening_held")
    assert "Review the announcement and confirm the opening." in message.body_text
    assert "Add at least one category" not in message.body_text
