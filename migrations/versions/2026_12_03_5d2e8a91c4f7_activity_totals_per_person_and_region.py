"""activity totals per person and per region

Revision ID: 5d2e8a91c4f7
Revises: cdb9e4fddc6a
Create Date: 2026-12-03 20:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d2e8a91c4f7"
down_revision = "cdb9e4fddc6a"
branch_labels = None
depends_on = None


def totals():
    """Return new columns for the sums both tables keep."""
    return [
        sa.Column(name, sa.Integer(), nullable=False)
        for name in (
            "entries",
            "minutes_formal",
            "minutes_non_formal",
            "minutes_informal",
        )
    ]


def upgrade():
    op.create_table(
        "activity_person",
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("reflections", sa.Integer(), nullable=False),
        *totals(),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_activity_person_author_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_activity_person_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "author_id", "community_id", name=op.f("pk_activity_person")
        ),
    )
    with op.batch_alter_table("activity_person", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_person_community", ["community_id"], unique=False
        )

    op.create_table(
        "activity_region",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("reflected", sa.Integer(), nullable=False),
        *totals(),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_activity_region_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_id", "theme", name=op.f("pk_activity_region")),
    )
    backfill()


REGION_COUNTS = (
    "count(DISTINCT p.author_id), "
    "count(DISTINCT CASE WHEN p.reflections > 0 THEN p.author_id END), "
    "sum(p.entries), sum(p.minutes_formal), sum(p.minutes_non_formal), "
    "sum(p.minutes_informal) "
    "FROM activity_person p JOIN community c ON c.id = p.community_id"
)


def backfill():
    """Sum the weeks rolled up already, as the app keeps doing on every write."""
    op.execute(
        "INSERT INTO activity_person (author_id, community_id, entries, reflections, "
        "minutes_formal, minutes_non_formal, minutes_informal) "
        "SELECT author_id, community_id, sum(entries), sum(reflections), "
        "sum(minutes_formal), sum(minutes_non_formal), sum(minutes_informal) "
        "FROM activity_week GROUP BY author_id, community_id"
    )
    columns = (
        "INSERT INTO activity_region (region_id, theme, active, reflected, entries, "
        "minutes_formal, minutes_non_formal, minutes_informal) "
    )
    op.execute(
        f"{columns} SELECT c.region_id, c.theme, {REGION_COUNTS} "
        "GROUP BY c.region_id, c.theme"
    )
    op.execute(
        f"{columns} SELECT c.region_id, '', {REGION_COUNTS} GROUP BY c.region_id"
    )


def downgrade():
    op.drop_table("activity_region")
    with op.batch_alter_table("activity_person", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_person_community")

    op.drop_table("activity_person")
