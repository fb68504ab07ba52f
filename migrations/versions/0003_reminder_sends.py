"""reminder_sends: what each reminder sent, filled from the outbox's reminder keys

Revision ID: 0003_reminder_sends
Revises: 0002_sessions
Create Date: 2026-12-08 10:00:00

"""

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import nominations.models.base

# revision identifiers, used by Alembic.
revision = "0003_reminder_sends"
down_revision = "0002_sessions"
branch_labels = None
depends_on = None

# The outbox keys reminders were queued with before this table existed (reminder_key()):
# N days before a deadline, and once per round on an event (call opened).
DAY_KEY = re.compile(r"^reminder:([a-z_]+):r(\d+):d(\d+):u(\d+):(\d{8}T\d{6}Z)$")
EVENT_KEY = re.compile(r"^reminder:([a-z_]+):r(\d+):u(\d+)$")
KINDS = ("call_opened", "call_closing", "draft_pending", "review_due", "results_published")


def upgrade():
    sends = op.create_table(
        "reminder_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("due_for", nominations.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", nominations.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('call_opened', 'call_closing', 'draft_pending', 'review_due', "
            "'results_published')",
            name=op.f("ck_reminder_sends_kind_valid"),
        ),
        sa.CheckConstraint("days_before >= 0", name=op.f("ck_reminder_sends_days_not_negative")),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_reminder_sends_outbox_message_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["award_rounds.id"],
            name=op.f("fk_reminder_sends_round_id_award_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reminder_sends_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sends")),
        sa.UniqueConstraint(
            "round_id",
            "kind",
            "user_id",
            "days_before",
            "due_for",
            name=op.f("uq_reminder_sends_round_id_kind_user_id_days_before_due_for"),
        ),
    )
    with op.batch_alter_table("reminder_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_sends_user_id"), ["user_id"], unique=False)
    op.bulk_insert(sends, _sends_from_outbox(op.get_bind()))


def _sends_from_outbox(connection) -> list[dict]:
    """One row per reminder already queued, so an upgraded site does not send it again."""
    when = nominations.models.base.UTCDateTime  # typed columns: aware UTC on either database
    rounds = sa.table("award_rounds", sa.column("id", sa.Integer), sa.column("opens_at", when()))
    users = sa.table("users", sa.column("id", sa.Integer))
    outbox = sa.table(
        "outbox_messages",
        sa.column("id", sa.Integer),
        sa.column("dedupe_key", sa.String),
        sa.column("created_at", when()),
    )
    openings = dict(connection.execute(sa.select(rounds.c.id, rounds.c.opens_at)).all())
    user_ids = set(connection.execute(sa.select(users.c.id)).scalars())
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.dedupe_key, outbox.c.created_at)
        .where(outbox.c.dedupe_key.like("reminder:%"))
        .order_by(outbox.c.id)
    ).all()
    sends, seen = [], set()
    for message_id, key, created_at in rows:
        if day := DAY_KEY.match(key):
            kind, round_id, days, user_id, stamp = day.groups()
            due_for = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif event := EVENT_KEY.match(key):
            kind, round_id, user_id = event.groups()
            days, due_for = 0, openings.get(int(round_id))  # an event's occasion: the opening
        else:
            continue
        round_id, user_id, days = int(round_id), int(user_id), int(days)
        if kind not in KINDS or round_id not in openings or user_id not in user_ids:
            continue
        occasion = (round_id, kind, user_id, days, due_for)
        if occasion in seen:
            continue
        seen.add(occasion)
        sends.append(
            {
                "round_id": round_id,
                "kind": kind,
                "user_id": user_id,
                "days_before": days,
                "due_for": due_for,
                "outbox_message_id": message_id,
                "queued_at": created_at,
            }
        )
    return sends


def downgrade():
    with op.batch_alter_table("reminder_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_sends_user_id"))
    op.drop_table("reminder_sends")
