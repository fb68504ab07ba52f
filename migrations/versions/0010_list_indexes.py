"""list indexes: the administrators' nominations list pages through an index

Revision ID: 0010_list_indexes
Revises: 0009_languages
Create Date: 2026-12-20 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_list_indexes"
down_revision = "0009_languages"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_nominations_category_lower_name",
            ["category_id", sa.text("lower(nominee_name)"), "id"],
            unique=False,
        )
        batch_op.create_index("ix_nominations_updated_at_id", ["updated_at", "id"], unique=False)
        batch_op.create_index(
            "ix_nominations_lower_nominee_name_id",
            [sa.text("lower(nominee_name)"), "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_index("ix_nominations_lower_nominee_name_id")
        batch_op.drop_index("ix_nominations_updated_at_id")
        batch_op.drop_index("ix_nominations_category_lower_name")
