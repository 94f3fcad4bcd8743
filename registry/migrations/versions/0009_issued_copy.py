"""Record the SHA-256 of each sealed document as issued beside that of its current archive copy,
which re-time-stamping replaces: the issued file keeps being found by its own fingerprint.

Rows registered before this migration take their current fingerprint: for a copy already
re-time-stamped, the issued bytes were not kept (they are, from now on, under `issued/<key>`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as 0008: a batch copy of certificates would drop a table that documents and
# verification_log reference.
def upgrade() -> None:
    for table in ("certificates", "documents"):
        op.add_column(table, sa.Column("issued_sha256", sa.String(64), nullable=True))
        op.execute(f"UPDATE {table} SET issued_sha256 = sha256")  # noqa: S608 - fixed table names
        op.create_index(f"ix_{table}_issued_sha256", table, ["issued_sha256"], unique=True)


def downgrade() -> None:
    for table in ("certificates", "documents"):
        op.drop_index(f"ix_{table}_issued_sha256", table_name=table)
        op.drop_column(table, "issued_sha256")
