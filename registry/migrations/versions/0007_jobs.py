"""Issuing jobs: a batch and its units of work, with their states, so a run can be resumed.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issue_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("out_dir", sa.Text(), nullable=False),
        sa.Column("inputs", sa.String(200), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_issue_jobs_fingerprint", "issue_jobs", ["fingerprint"])
    op.create_table(
        "issue_units",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("issue_jobs.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("applicant", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("issue_key", sa.String(64), nullable=True),
        sa.Column("certificate_no", sa.String(64), nullable=True, unique=True),
        sa.Column("form_no", sa.String(64), nullable=True, unique=True),
        sa.Column("secrets", sa.Text(), nullable=True),
        sa.Column("documents", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("job_id", "seq", name="uq_issue_units_job_seq"),
    )
    op.create_index("ix_issue_units_job_id", "issue_units", ["job_id"])
    op.create_index("ix_issue_units_issue_key", "issue_units", ["issue_key"])


def downgrade() -> None:
    op.drop_index("ix_issue_units_issue_key", "issue_units")
    op.drop_index("ix_issue_units_job_id", "issue_units")
    op.drop_table("issue_units")
    op.drop_index("ix_issue_jobs_fingerprint", "issue_jobs")
    op.drop_table("issue_jobs")
