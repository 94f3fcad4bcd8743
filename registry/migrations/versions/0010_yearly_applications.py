"""Every applicant of every issued session by year, as keyed hashes, so that a second
normal-channel application of the same person in the same year is refused before a job exists
(the notice, item 四(二)2; docs/domain.md, "One application a year").

Sessions issued before this migration are not recorded: their applicants are unknown to the rule.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "yearly_applications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("id_hmac", sa.String(64), nullable=False),
        sa.Column("person_hmac", sa.String(64), nullable=False),
        sa.Column("normal_key", sa.String(64), nullable=True),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("id_type", sa.String(40), nullable=False),
        sa.Column("route", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("committee", sa.String(200), nullable=False),
        sa.Column("approval_no", sa.String(100), nullable=False),
        sa.Column("sitting_start", sa.Date(), nullable=False),
        sa.Column("applicant", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("issue_jobs.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("year", "normal_key", name="uq_yearly_applications_normal"),
    )
    op.create_index("ix_yearly_applications_id_hmac", "yearly_applications", ["id_hmac"])
    op.create_index("ix_yearly_applications_person_hmac", "yearly_applications", ["person_hmac"])
    op.create_index("ix_yearly_applications_job_id", "yearly_applications", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_yearly_applications_job_id", "yearly_applications")
    op.drop_index("ix_yearly_applications_person_hmac", "yearly_applications")
    op.drop_index("ix_yearly_applications_id_hmac", "yearly_applications")
    op.drop_table("yearly_applications")
