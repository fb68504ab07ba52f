"""Mailings to many people (the call-opened and call-closing messages to all staff, reviewing
open to the panel): each person's own message, rendered once per language, queued once even
when the job runs twice or two schedulers run it at once."""

from datetime import date, time, timedelta

import pytest
from flask import template_rendered

from nominations.models import OutboxMessage, ReminderKind, ReminderSend, User, db
from nominations.timeutil import from_local, shift_local
from tests import factories
from tests.scheduler_support import only_rules, outbox, panel, tick

OPENS = from_local(date(2027, 2, 1), time(9, 0))
CLOSES = from_local(date(2027, 3, 7))  # 23:59:59 CET
REVIEW = from_local(date(2027, 4, 15))
ODD_NAME = 'Åse "Ø" <Berg> & Co'


@pytest.fixture
def award_round(app, admin):
    award_round = factories.award_round(
        "OUH Research Awards", 2027, opens_at=OPENS, closes_at=CLOSES, review_deadline=REVIEW
    )
    factories.category(award_round, "Excellent Researcher Award", 400_000)
    only_rules(award_round, (ReminderKind.CALL_OPENED, None), (ReminderKind.CALL_CLOSING, 1))
    return award_round


@pytest.fixture
def staff_list(app, admin):
    people = [admin, factories.user("odd@example.org", ODD_NAME)]
    people += [factories.user(f"p{i}@example.org", f"Person {i}") for i in range(8)]
    return people


def test_each_person_gets_a_message_with_their_own_name_escaped_in_html(award_round, staff_list):
    tick(OPENS)
    messages = {m.recipient: m for m in outbox("reminder:call_opened")}
    assert set(messages) == {p.email for p in staff_list}
    for person in staff_list:
        message = messages[person.email]
        assert message.body_text.startswith(f"Hello {person.name},\n")
        assert "\x00" not in message.body_text + message.body_html
        assert "Excellent Researcher Award: NOK 400,000" in message.body_text
    odd = messages["odd@example.org"]
    assert "Hello Åse &#34;Ø&#34; &lt;Berg&gt; &amp; Co," in odd.body_html
    assert ODD_NAME not in odd.body_html
    assert "<title>Call for nominations open: OUH Research Awards 2027</title>" in odd.body_html
    others = [m for address, m in messages.items() if address != "odd@example.org"]
    assert all(ODD_NAME not in m.body_text for m in others)


def _renders(templates: list[str]):
    def record(sender, template, context, **extra):
        templates.append(template.name)

    return record


def test_a_mailing_is_rendered_once_per_language(award_round, staff_list):
    templates: list[str] = []
    record = _renders(templates)
    template_rendered.connect(record)
    try:
        tick(OPENS)
        assert templates.count("emails/call_opened.txt") == 1
        assert templates.count("emails/call_opened.html") == 1

        # People who read bokmål share a second rendering, in bokmål, subject included.
        readers = [p for p in staff_list if p.email.startswith("p")]
        for person in readers:
            person.locale = "nb"
        db.session.commit()
        templates.clear()
        tick(shift_local(CLOSES, days=-1))
    finally:
        template_rendered.disconnect(record)
    assert templates.count("emails/call_closing.txt") == 2
    messages = {m.recipient: m for m in outbox("reminder:call_closing")}
    assert len(messages) == len(staff_list)
    for person in staff_list:
        message = messages[person.email]
        if person in readers:
            assert message.subject.startswith("Fristen for å nominere til OUH Research Awards")
            assert message.body_text.startswith(f"Hei {person.name},")
        else:
            assert message.subject.startswith("Nominations for OUH Research Awards 2027 close")
            assert message.body_text.startswith(f"Hello {person.name},")


def test_a_job_run_twice_or_by_two_schedulers_queues_each_message_once(award_round, staff_list):
    rita = factories.user("rita@example.org", "Rita Reviewer", roles=("reviewer",))
    panel(award_round, [rita])
    closing_reminder = shift_local(CLOSES, days=-1)
    tick(OPENS)
    # Another scheduler recorded the closing reminder of three people first (its transaction
    # queues their messages): this run leaves them to it.
    for person in staff_list[:3]:
        db.session.add(
            ReminderSend(
                round_id=award_round.id,
                kind=ReminderKind.CALL_CLOSING,
                user_id=person.id,
                days_before=1,
                due_for=CLOSES,
                queued_at=closing_reminder,
            )
        )
    db.session.commit()
    tick(closing_reminder)
    closing = {m.recipient for m in outbox("reminder:call_closing")}
    assert closing == {p.email for p in staff_list[3:]}
    at_close = CLOSES + timedelta(minutes=1)
    tick(at_close)
    before = [(m.dedupe_key, m.body_text) for m in outbox()]
    sends = db.session.execute(db.select(db.func.count(ReminderSend.id))).scalar()

    for _ in range(2):  # the same job again, and again later
        tick(closing_reminder)
        tick(at_close)
        tick(at_close + timedelta(minutes=5))
    assert [(m.dedupe_key, m.body_text) for m in outbox()] == before
    assert db.session.execute(db.select(db.func.count(ReminderSend.id))).scalar() == sends
    assert [m.recipient for m in outbox("lifecycle:reviewing_open")] == [rita.email]
    # Every reminder this process recorded points at the message it queued.
    closing_sends = db.session.execute(
        db.select(ReminderSend).where(ReminderSend.kind == ReminderKind.CALL_CLOSING)
    ).scalars()
    linked = {}
    for send in closing_sends:
        if send.outbox_message_id is not None:
            linked[db.session.get(User, send.user_id).email] = db.session.get(
                OutboxMessage, send.outbox_message_id
            ).recipient
    assert linked == {p.email: p.email for p in staff_list[3:]}
