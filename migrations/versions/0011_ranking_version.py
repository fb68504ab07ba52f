"""ranking version: a stamp on each category, replaced whenever what its ranking reads changes

Revision ID: 0011_ranking_version
Revises: 0010_list_indexes
Create Date: 2026-12-12 10:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_ranking_version"
down_revision = "0010_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("award_categories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ranking_version", sa.String(length=32), server_default="", nullable=False)
        )
    # A random stamp per existing category, as a new one gets (never '' for two databases).
    categories = sa.table("award_categories", sa.column("id"), sa.column("ranking_version"))
    connection = op.get_bind()
    for (category_id,) in connection.execute(sa.select(categories.c.id)).all():
        connection.execute(
            categories.update()
            .where(categories.c.id == category_id)
            .values(ranking_version=secrets.token_hex(8))
        )


def downgrade():
    with op.batch_alter_table("award_categories", schema=None) as batch_op:
        batch_op.drop_column("ranking_version")
