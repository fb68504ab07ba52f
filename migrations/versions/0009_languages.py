"""languages: a person's chosen language, and bokmål beside the English of administrators' texts

Revision ID: 0009_languages
Revises: 0008_document_chunks
Create Date: 2026-12-01 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_languages"
down_revision = "0008_document_chunks"
branch_labels = None
depends_on = None

# (table, column, type) of every bokmål text beside its English one.
BOKMAL_COLUMNS = [
    ("award_rounds", "name_nb", sa.String(length=200)),
    ("award_rounds", "description_nb", sa.Text()),
    ("award_categories", "name_nb", sa.String(length=200)),
    ("award_categories", "description_nb", sa.Text()),
    ("award_categories", "eligibility_text_nb", sa.Text()),
    ("criteria", "name_nb", sa.String(length=200)),
    ("criteria", "guidance_nb", sa.Text()),
]


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=5), nullable=True))
        batch_op.create_check_constraint(
            "locale_known", "locale IS NULL OR locale IN ('nb', 'en')"
        )
    for table, column, type_ in BOKMAL_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, type_, nullable=False, server_default=""))


def downgrade():
    for table, column, _type in reversed(BOKMAL_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("locale_known", type_="check")
        batch_op.drop_column("locale")
