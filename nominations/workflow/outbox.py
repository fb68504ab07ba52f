"""Admin actions on the mail outbox."""

from __future__ import annotations

from nominations import policy
from nominations.mail.delivery import retry
from nominations.models import OutboxMessage, OutboxStatus, User, db
from nominations.workflow import audit
from nominations.workflow.errors import NotFound, WorkflowError


def send_again(message_id: int, *, actor: User) -> OutboxMessage:
    """Queue a waiting or failed message for the next delivery run, at once (audited)."""
    policy.authorize("outbox.manage", actor)
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("There is no such message.")
    if message.status == OutboxStatus.SENT:
        raise WorkflowError(f"The message to {message.recipient} was already sent.")
    audit.record(
        "outbox.send_again",
        message,
        actor=actor,
        before={"status": message.status, "attempts": message.attempts},
        after={"status": OutboxStatus.PENDING.value, "attempts": 0},
    )
    retry(message)  # commits, with the audit record
    return message
