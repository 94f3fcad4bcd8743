"""Holder share links (持证人加注分享): a link the holder makes for one purpose and at most 90 days,
its token stored only hashed; each use noted in the verification log with the share it came by.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "certificate_no",
            sa.String(64),
            sa.ForeignKey("certificates.certificate_no"),
            nullable=False,
            index=True,
        ),
        sa.Column("purpose", sa.String(60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    )
    # SQLite adds a column with a foreign key only through batch mode (a copy of the table).
    with op.batch_alter_table("verification_log") as batch:
        batch.add_column(sa.Column("share_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_verification_log_share", "share_links", ["share_id"], ["id"])
        batch.create_index("ix_verification_log_share_id", ["share_id"])


def downgrade() -> None:
    with op.batch_alter_table("verification_log") as batch:
        batch.drop_index("ix_verification_log_share_id")
        batch.drop_constraint("fk_verification_log_share", type_="foreignkey")
        batch.drop_column("share_id")
    op.drop_table("share_links")
