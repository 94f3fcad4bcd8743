"""The public verification service: match checks, holder transparency, supersession, the admin
API's tokens and an append-only audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("holder_id_hmac", sa.String(64), nullable=True))
        batch.add_column(sa.Column("holder_secret_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("superseded_by", sa.String(64), nullable=True))
        batch.create_index("ix_certificates_holder_secret_hash", ["holder_secret_hash"], unique=True)
    op.create_table(
        "verification_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "certificate_no", sa.String(64), sa.ForeignKey("certificates.certificate_no"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("requester", sa.String(120), nullable=False),
    )
    op.create_index("ix_verification_log_certificate_no", "verification_log", ["certificate_no"])
    op.create_table(
        "admin_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False, unique=True),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("admin_tokens")
    op.drop_index("ix_verification_log_certificate_no", "verification_log")
    op.drop_table("verification_log")
    with op.batch_alter_table("certificates") as batch:
        batch.drop_index("ix_certificates_holder_secret_hash")
        batch.drop_column("superseded_by")
        batch.drop_column("holder_secret_hash")
        batch.drop_column("holder_id_hmac")
