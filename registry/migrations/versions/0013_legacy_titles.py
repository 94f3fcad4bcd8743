"""Titles awarded on paper before this system (据纸质档案登记), imported by the committee office
(`titlecert legacy import`): names and ID numbers only keyed-hashed and masked.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legacy_titles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("certificate_no", sa.String(64), nullable=False, unique=True),
        sa.Column("name_hmac", sa.String(64), nullable=False),
        sa.Column("name_masked", sa.String(100), nullable=False),
        sa.Column("id_hmac", sa.String(64), nullable=False),
        sa.Column("id_masked", sa.String(40), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("series", sa.String(100), nullable=False),
        sa.Column("speciality", sa.String(100), nullable=False),
        sa.Column("committee", sa.String(200), nullable=False),
        sa.Column("passed_on", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("legacy_titles")
