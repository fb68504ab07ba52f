"""The outbox against a real SMTP server: queued once, delivered once, retried on failure."""

import pytest

from nominations.mail import deliver_due, queue_email
from nominations.models import OutboxMessage, OutboxStatus, db


@pytest.fixture
def app_overrides(smtp_server):
    return smtp_server.settings


def _queue(key: str = "test:1:person@example.org") -> bool:
    created = queue_email(
        dedupe_key=key,
        recipient="person@example.org",
        subject="Hello",
        template="test_message",
        language="en",
        name="Person",
    )
    db.session.commit()
    return created


def test_message_is_queued_once_per_key_and_delivered_once(app, smtp_server):
    assert _queue() is True
    assert _queue() is False  # same key: not queued again
    assert str(deliver_due()) == "sent 1, retrying 0, failed 0"
    assert str(deliver_due()) == "sent 0, retrying 0, failed 0"
    [message] = smtp_server.sink.to("person@example.org")
    assert message["Subject"] == "Hello"
    assert "Hello Person," in smtp_server.sink.text(message)
    assert db.session.execute(db.select(OutboxMessage.status)).scalar() == OutboxStatus.SENT


def test_refused_mail_stays_queued_with_its_error_then_goes_once(app, smtp_server):
    import time_machine

    smtp_server.sink.refuse = True
    _queue()
    report = deliver_due()
    assert report.retrying == 1
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert message.status == OutboxStatus.PENDING
    assert "451" in message.last_error
    assert smtp_server.sink.messages == []
    smtp_server.sink.refuse = False
    # Not before the backoff has passed...
    assert deliver_due().sent == 0
    with time_machine.travel(message.next_attempt_at, tick=False):
        assert deliver_due().sent == 1
        assert deliver_due().sent == 0
    assert len(smtp_server.sink.messages) == 1
