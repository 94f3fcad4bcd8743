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


# Plain ALTER TABLE (SQLite adds and drops columns natively since 3.35): a batch copy of the table
# would drop issue_jobs, which issue_units rows reference, and SQLite's foreign keys refuse that.
def upgrade() -> None:
    op.add_column("issue_jobs", sa.Column("runner", sa.String(200), nullable=True))
    op.add_column("issue_jobs", sa.Column("runner_seen", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("issue_jobs", "runner_seen")
    op.drop_column("issue_jobs", "runner")
