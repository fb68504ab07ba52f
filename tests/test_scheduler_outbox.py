"""The scheduler's mail delivery against a real SMTP server that first refuses, then accepts."""

from datetime import timedelta

import pytest

from nominations.models import AuditEvent, OutboxMessage, OutboxStatus, db
from nominations.timeutil import now
from tests import factories
from tests.scheduler_support import outbox, tick


@pytest.fixture
def app_overrides(smtp_server):
    return {**smtp_server.settings, "PER_PAGE": 2}


def test_refused_mail_stays_queued_with_its_error_then_goes_once(app, client, smtp_server, admin):
    factories.user("rita@example.org", "Rita Reviewer")
    award_round = factories.award_round(
        "ICR Prizes",
        opens_at=now() - timedelta(hours=1),
        closes_at=now() + timedelta(days=20),
        review_deadline=now() + timedelta(days=40),
    )
    factories.category(award_round, "Researcher of the Year", 100_000)
    at = now()
    smtp_server.sink.refuse = True
    tick(at)  # opens the round: the call-opened message to both staff
    run = tick(at, job="outbox")
    assert run.outcome == "error" and "retrying 2" in run.detail
    messages = outbox()
    assert [m.status for m in messages] == [OutboxStatus.PENDING, OutboxStatus.PENDING]
    assert all("451" in m.last_error for m in messages)
    assert smtp_server.sink.messages == []

    client.login("admin@example.org")
    page = client.get("/admin/outbox?status=pending").get_data(as_text=True)
    assert "SMTPDataError: (451" in page and "Requested action aborted: try again later" in page
    assert page.count(">Send again</button>") == 2
    assert "Call for nominations open: ICR Prizes" in page
    assert "admin@example.org" in page and "rita@example.org" in page

    # The server accepts again. Waiting messages go at their next attempt...
    smtp_server.sink.refuse = False
    assert tick(at, job="outbox").detail == "sent 0, retrying 0, failed 0"  # not before backoff
    first, second = messages
    with_backoff = first.next_attempt_at
    assert tick(with_backoff, job="outbox").detail.startswith("sent 2")
    # ...and an admin's "Send again" on a sent message changes nothing.
    response = client.submit(
        f"/admin/outbox/{first.id}/send-again", page="/admin/outbox", follow_redirects=True
    )
    assert "was already sent" in response.get_data(as_text=True)
    for later in (1, 2):
        assert tick(with_backoff + timedelta(minutes=later), job="outbox").outcome == "idle"
    assert sorted(m["To"] for m in smtp_server.sink.messages) == [
        "admin@example.org",
        "rita@example.org",
    ]
    text = smtp_server.sink.text(smtp_server.sink.to("rita@example.org")[0])
    assert "Researcher of the Year: NOK 100,000" in text
    html = smtp_server.sink.to("rita@example.org")[0].get_body(preferencelist=("html",))
    assert "NOK 100,000" in html.get_content()


def test_send_again_delivers_a_failed_message_at_the_next_run_once(app, client, smtp_server, admin):
    smtp_server.sink.refuse = True
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    award_round = factories.award_round(
        "ICR Prizes",
        opens_at=now() - timedelta(hours=1),
        closes_at=now() + timedelta(days=20),
        review_deadline=now() + timedelta(days=40),
    )
    factories.category(award_round, "Researcher of the Year", 100_000)
    at = now()
    tick(at)
    tick(at, job="outbox")
    [message] = outbox()
    assert message.status == OutboxStatus.FAILED and "451" in message.last_error

    client.login("admin@example.org")
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "(451" in page and "Requested action aborted" in page and "Send again" in page
    smtp_server.sink.refuse = False
    response = client.submit(
        f"/admin/outbox/{message.id}/send-again",
        {"next": "/admin/outbox?status=failed"},
        page="/admin/outbox?status=failed",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/outbox?status=failed")
    db.session.refresh(message)
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    assert tick(now(), job="outbox").detail.startswith("sent 1")
    assert tick(now(), job="outbox").outcome == "idle"
    assert len(smtp_server.sink.messages) == 1
    action = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "outbox.send_again")
    ).scalar_one()
    assert action.actor_id == admin.id and action.before["status"] == "failed"


def test_outbox_page_filters_by_status_and_pages(app, client, admin):
    from nominations.mail import queue_email

    for index in range(5):
        queue_email(
            dedupe_key=f"test:{index}",
            recipient=f"person{index}@example.org",
            subject=f"Message {index}",
            template="test_message",
            language="en",
            name="Person",
        )
    db.session.commit()
    db.session.execute(
        db.update(OutboxMessage).where(OutboxMessage.id <= 2).values(status=OutboxStatus.SENT)
    )
    db.session.commit()
    client.login("admin@example.org")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "All (5)" in page and "Sent (2)" in page and "Pending (3)" in page
    assert "Message 4" in page and "Message 3" in page and "Message 0" not in page  # newest
    assert "5 in all." in page
    second = client.get("/admin/outbox?page=3").get_data(as_text=True)
    assert "Message 0" in second
    sent = client.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert "Message 0" in sent and "Message 1" in sent and "Message 4" not in sent
    assert ">Send again</button>" not in sent  # nothing to send again once sent
