"""document chunks: supporting documents kept in the database (DOCUMENT_STORAGE=database)

Revision ID: 0008_document_chunks
Revises: 0007_departments
Create Date: 2026-12-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_document_chunks"
down_revision = "0007_departments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_chunks",
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("stored_name", "seq", name=op.f("pk_document_chunks")),
    )


def downgrade():
    # Dropping the table would lose documents: move them to the folder first.
    kept = op.get_bind().execute(sa.text("SELECT count(*) FROM document_chunks")).scalar()
    if kept:
        raise RuntimeError(
            "document_chunks holds documents: run `flask --app nominations documents move "
            "--to local` before downgrading"
        )
    op.drop_table("document_chunks")
