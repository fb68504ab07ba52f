"""The mail outbox for admins: what the outbox page lists, and sending a message again."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination

from nominations import policy
from nominations.mail.delivery import retry
from nominations.models import OutboxMessage, OutboxStatus, User, db
from nominations.workflow import audit
from nominations.workflow.errors import NotFound, WorkflowError


def messages_page(status: str, *, page_size: int) -> Pagination:
    """The outbox, newest first, of one status (any status when ``status`` is empty)."""
    statement = db.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        statement = statement.where(OutboxMessage.status == status)
    return db.paginate(statement, per_page=page_size, error_out=False)


def counts_by_status() -> dict[str, int]:
    return dict(
        db.session.execute(
            db.select(OutboxMessage.status, db.func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )


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
    retry(message)
    return message
