"""Bind sealed documents to the revision their last seal signed, and record where the archive
copy is stored (for re-time-stamping).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("certificates", "documents"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("signed_sha256", sa.String(64), nullable=True))
            batch.add_column(sa.Column("storage_key", sa.String(200), nullable=True))
            batch.create_index(f"ix_{table}_signed_sha256", ["signed_sha256"], unique=True)


def downgrade() -> None:
    for table in ("certificates", "documents"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_signed_sha256")
            batch.drop_column("storage_key")
            batch.drop_column("signed_sha256")
