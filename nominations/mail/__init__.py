"""E-mail: every message is queued in the outbox first (with a deduplication key) and
delivered later by the sender, with retries. Nothing is sent from inside a request."""

from nominations.mail.delivery import deliver_due
from nominations.mail.outbox import queue_email, queue_message

__all__ = ["deliver_due", "queue_email", "queue_message"]
