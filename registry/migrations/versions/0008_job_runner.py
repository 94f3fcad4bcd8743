"""Issuing jobs: the run working a job now and when it was last seen, so a second run of the same
job is refused instead of repeating the work.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issue_jobs") as batch:
        batch.add_column(sa.Column("runner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("runner_seen", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issue_jobs") as batch:
        batch.drop_column("runner_seen")
        batch.drop_column("runner")
