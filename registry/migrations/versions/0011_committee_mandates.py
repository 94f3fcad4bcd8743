"""Review committees' mandates (评委会备案: series, speciality, highest level, approving document,
term) and their seal certificates with the period each was authorised for (docs/committees.md).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committee_mandates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("committee", sa.String(200), nullable=False),
        sa.Column("series", sa.String(100), nullable=False),
        sa.Column("speciality", sa.String(100), nullable=False),
        sa.Column("highest_level", sa.String(20), nullable=False),
        sa.Column("document_no", sa.String(100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("committee", "document_no", name="uq_committee_mandates_document"),
    )
    op.create_index("ix_committee_mandates_committee", "committee_mandates", ["committee"])
    op.create_table(
        "committee_seals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("committee", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_committee_seals_committee", "committee_seals", ["committee"])


def downgrade() -> None:
    op.drop_index("ix_committee_seals_committee", "committee_seals")
    op.drop_table("committee_seals")
    op.drop_index("ix_committee_mandates_committee", "committee_mandates")
    op.drop_table("committee_mandates")
