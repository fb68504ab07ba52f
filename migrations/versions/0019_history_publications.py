"""memory across years and co-authorship: a category's lineage and earlier-winner rule, the
nomination a draft was started from, publication lists and the chair's co-authorship answers

Revision ID: 0019_history_publications
Revises: 0018_disagreement_notes
Create Date: 2026-12-01 11:30:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

from nominations.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0019_history_publications"
down_revision = "0018_disagreement_notes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("award_categories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exclude_winners_within_years", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("lineage", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_award_categories_exclude_winners_years_positive"),
            "exclude_winners_within_years IS NULL OR exclude_winners_within_years > 0",
        )
        batch_op.create_index("ix_award_categories_lineage", ["lineage"], unique=False)
    _fill_lineages()

    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renominated_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_nominations_renominated_from_id_nominations",
            "nominations",
            ["renominated_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            "uq_nominations_category_id_renominated_from_id",
            ["category_id", "renominated_from_id"],
        )
        batch_op.create_index("ix_nominations_nominee_email", ["nominee_email"], unique=False)
    _restore_expression_indexes()

    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_key", sa.String(length=600), nullable=False),
        sa.Column("doi", sa.String(length=255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.String(length=500), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("year BETWEEN 1900 AND 2200", name=op.f("ck_publications_year_plausible")),
        sa.PrimaryKeyConstraint("id", name="pk_publications"),
        sa.UniqueConstraint("match_key", name="uq_publications_match_key"),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index("ix_publications_doi", ["doi"], unique=False)
        batch_op.create_index(
            "ix_publications_title_key_year", ["title_key", "year"], unique=False
        )
    op.create_table(
        "publication_holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_publication_holders_email_lowercase")),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name="fk_publication_holders_added_by_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name="fk_publication_holders_publication_id_publications",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_publication_holders"),
        sa.UniqueConstraint(
            "publication_id", "email", name="uq_publication_holders_publication_id_email"
        ),
    )
    with op.batch_alter_table("publication_holders", schema=None) as batch_op:
        batch_op.create_index("ix_publication_holders_email", ["email"], unique=False)
        batch_op.create_index(
            "ix_publication_holders_publication_id", ["publication_id"], unique=False
        )
    op.create_table(
        "coauthor_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'dismissed')", name=op.f("ck_coauthor_decisions_outcome_valid")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name="fk_coauthor_decisions_decided_by_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name="fk_coauthor_decisions_nomination_id_nominations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name="fk_coauthor_decisions_reviewer_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_coauthor_decisions"),
        sa.UniqueConstraint(
            "nomination_id", "reviewer_id", name="uq_coauthor_decisions_nomination_id_reviewer_id"
        ),
    )
    with op.batch_alter_table("coauthor_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coauthor_decisions_reviewer_id", ["reviewer_id"], unique=False
        )


# The indexes on lower(nominee_name) (0010): SQLite's batch mode copies the table without
# them (it cannot reflect an expression index), so they are made again where they went.
EXPRESSION_INDEXES = {
    "ix_nominations_category_lower_name": ["category_id", sa.text("lower(nominee_name)"), "id"],
    "ix_nominations_lower_nominee_name_id": [sa.text("lower(nominee_name)"), "id"],
}


def _restore_expression_indexes():
    present = {
        index["name"] for index in sa.inspect(op.get_bind()).get_indexes("nominations")
    }
    for name, columns in EXPRESSION_INDEXES.items():
        if name not in present:
            op.create_index(name, "nominations", columns, unique=False)


def _fill_lineages():
    """Each existing category starts a lineage, unless its round was cloned from a round with
    a category of the same name: then it carries that one's (oldest rounds first)."""
    rounds = sa.table(
        "award_rounds", sa.column("id"), sa.column("year"), sa.column("cloned_from_id")
    )
    categories = sa.table(
        "award_categories",
        sa.column("id"),
        sa.column("round_id"),
        sa.column("name"),
        sa.column("lineage"),
    )
    connection = op.get_bind()
    round_rows = connection.execute(
        sa.select(rounds.c.id, rounds.c.cloned_from_id).order_by(rounds.c.year, rounds.c.id)
    ).all()
    lineage: dict[tuple[int, str], str] = {}
    category_rows = connection.execute(
        sa.select(categories.c.id, categories.c.round_id, categories.c.name)
    ).all()
    by_round: dict[int, list] = {}
    for row in category_rows:
        by_round.setdefault(row.round_id, []).append(row)
    for round_id, cloned_from_id in round_rows:
        for row in by_round.get(round_id, []):
            value = lineage.get((cloned_from_id, row.name)) or secrets.token_hex(8)
            lineage[(round_id, row.name)] = value
            connection.execute(
                categories.update().where(categories.c.id == row.id).values(lineage=value)
            )


def downgrade():
    op.drop_table("coauthor_decisions")
    op.drop_table("publication_holders")
    op.drop_table("publications")
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_index("ix_nominations_nominee_email")
        batch_op.drop_constraint(
            "uq_nominations_category_id_renominated_from_id", type_="unique"
        )
        batch_op.drop_constraint(
            "fk_nominations_renominated_from_id_nominations", type_="foreignkey"
        )
        batch_op.drop_column("renominated_from_id")
    _restore_expression_indexes()
    with op.batch_alter_table("award_categories", schema=None) as batch_op:
        batch_op.drop_index("ix_award_categories_lineage")
        batch_op.drop_constraint(
            op.f("ck_award_categories_exclude_winners_years_positive"), type_="check"
        )
        batch_op.drop_column("lineage")
        batch_op.drop_column("exclude_winners_within_years")
