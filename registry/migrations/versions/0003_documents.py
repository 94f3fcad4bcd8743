"""Other sealed documents (review forms), by fingerprint, linked to their certificate.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("copy", sa.String(32), nullable=True),
        sa.Column(
            "certificate_no", sa.String(64), sa.ForeignKey("certificates.certificate_no"), nullable=True
        ),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "number", "copy", name="uq_documents_kind_number_copy"),
    )


def downgrade() -> None:
    op.drop_table("documents")
