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


def _queue_many(count: int, prefix: str = "batch") -> list[str]:
    addresses = [f"person{index}@example.org" for index in range(count)]
    for index, address in enumerate(addresses):
        queue_email(
            dedupe_key=f"{prefix}:{index}",
            recipient=address,
            subject=f"Message {index}",
            template="test_message",
            language="en",
            name=f"Person {index}",
        )
    db.session.commit()
    return addresses


def _statuses() -> dict[str, tuple[str, int, str]]:
    db.session.expire_all()
    return {
        m.recipient: (m.status, m.attempts, m.last_error)
        for m in db.session.execute(db.select(OutboxMessage)).scalars()
    }


def test_one_smtp_connection_carries_a_whole_run(app, smtp_server):
    addresses = _queue_many(60)  # more than one batch (50)
    assert str(deliver_due()) == "sent 60, retrying 0, failed 0"
    assert smtp_server.sink.connections == 1
    assert sorted(m["To"] for m in smtp_server.sink.messages) == sorted(addresses)
    assert "Hello Person 7," in smtp_server.sink.text(smtp_server.sink.to("person7@example.org")[0])
    assert {status for status, _, _ in _statuses().values()} == {OutboxStatus.SENT}
    assert str(deliver_due()) == "sent 0, retrying 0, failed 0"
    assert len(smtp_server.sink.messages) == 60


def test_a_refused_recipient_fails_alone_and_the_others_go_over_the_same_connection(
    app, smtp_server
):
    _queue_many(5)
    smtp_server.sink.unknown = {"person2@example.org"}
    report = deliver_due()
    assert (report.sent, report.retrying, report.failed) == (4, 1, 0)
    assert smtp_server.sink.connections == 1
    assert sorted(m["To"] for m in smtp_server.sink.messages) == [
        f"person{index}@example.org" for index in (0, 1, 3, 4)
    ]
    statuses = _statuses()
    status, attempts, error = statuses["person2@example.org"]
    assert status == OutboxStatus.PENDING and attempts == 1
    assert "550" in error and "No such mailbox" in error  # shown on the outbox page
    assert {statuses[f"person{index}@example.org"][0] for index in (0, 1, 3, 4)} == {
        OutboxStatus.SENT
    }


def test_a_message_refused_to_the_last_attempt_is_marked_failed(app, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    _queue_many(3)
    smtp_server.sink.unknown = {"person0@example.org"}
    report = deliver_due()
    assert (report.sent, report.retrying, report.failed) == (2, 0, 1)
    assert _statuses()["person0@example.org"][0] == OutboxStatus.FAILED


def test_a_run_with_a_limit_leaves_the_rest_waiting_for_the_next(app, smtp_server):
    _queue_many(5)
    report = deliver_due(limit=2)
    assert (report.sent, report.more) == (2, True)
    assert str(report) == "sent 2, retrying 0, failed 0, more waiting"
    report = deliver_due()
    assert (report.sent, report.more) == (3, False)
    assert len(smtp_server.sink.messages) == 5


class _Clock:
    """A monotonic clock that moves only when the SMTP server accepts a message."""

    def __init__(self, step: float) -> None:
        self.value, self.step = 0.0, step

    def __call__(self) -> float:
        return self.value

    def tick(self) -> None:
        self.value += self.step


def test_a_run_out_of_time_gives_the_rest_of_its_batch_back_at_once(app, smtp_server, monkeypatch):
    from nominations.mail import delivery

    clock = _Clock(step=10.0)
    monkeypatch.setattr(delivery.time, "monotonic", clock)
    accept = smtp_server.sink.handle_DATA

    async def accept_and_tick(server, session, envelope):
        answer = await accept(server, session, envelope)
        clock.tick()  # each message takes "10 s"
        return answer

    monkeypatch.setattr(smtp_server.sink, "handle_DATA", accept_and_tick)
    _queue_many(5)
    report = deliver_due(seconds=15)
    assert (report.sent, report.more) == (2, True)
    waiting = [v for v in _statuses().values() if v[0] == OutboxStatus.PENDING]
    # Claimed but never tried: due again now (not after the claim's five minutes), and no
    # attempt counted against them.
    assert [attempts for _, attempts, _ in waiting] == [0, 0, 0]
    assert deliver_due().sent == 3
    assert len(smtp_server.sink.messages) == 5


def test_two_senders_at_once_deliver_every_message_once(app, smtp_server):
    import threading

    _queue_many(60)
    start = threading.Barrier(2)
    reports = []

    def sender() -> None:
        with app.app_context():
            start.wait()
            reports.append(deliver_due())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(report.sent for report in reports) == 60
    received = [m["To"] for m in smtp_server.sink.messages]
    assert len(received) == 60 and len(set(received)) == 60
