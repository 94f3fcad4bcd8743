"""Archive clerks: review forms with their units, printed copies, wet-stamp boxes, the clerks'
append-only records and the clerks' accounts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_forms",
        sa.Column("form_no", sa.String(64), primary_key=True),
        sa.Column(
            "certificate_no", sa.String(64), sa.ForeignKey("certificates.certificate_no"), nullable=False
        ),
        sa.Column("holder_name", sa.String(100), nullable=False),
        sa.Column("unit_name", sa.String(200), nullable=False),
        sa.Column("unit_code", sa.String(18), nullable=False),
        sa.Column("superior_name", sa.String(200), nullable=False),
        sa.Column("chain", sa.String(40), nullable=False),
        sa.Column("session_ref", sa.String(100), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_forms_unit_code", "review_forms", ["unit_code"])
    op.create_index("ix_review_forms_session_ref", "review_forms", ["session_ref"])
    op.create_table(
        "paper_copies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("form_no", sa.String(64), sa.ForeignKey("review_forms.form_no"), nullable=False),
        sa.Column("copy", sa.String(32), nullable=False),
        sa.Column("label", sa.String(8), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False, unique=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), sa.ForeignKey("paper_copies.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("form_no", "label", name="uq_paper_copies_form_label"),
    )
    op.create_index("ix_paper_copies_form_no", "paper_copies", ["form_no"])
    op.create_table(
        "stamp_boxes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("form_no", sa.String(64), sa.ForeignKey("review_forms.form_no"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(60), nullable=False),
        sa.Column("body", sa.String(200), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.UniqueConstraint("form_no", "position", name="uq_stamp_boxes_form_position"),
    )
    op.create_index("ix_stamp_boxes_form_no", "stamp_boxes", ["form_no"])
    op.create_table(
        "paper_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("copy_id", sa.Integer(), sa.ForeignKey("paper_copies.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("box", sa.Integer(), nullable=True),
        sa.Column("body", sa.String(200), nullable=True),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("clerk", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrects_id", sa.Integer(), sa.ForeignKey("paper_events.id"), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_paper_events_copy_id", "paper_events", ["copy_id"])
    op.create_table(
        "clerks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "clerk_units",
        sa.Column("clerk_id", sa.Integer(), sa.ForeignKey("clerks.id"), primary_key=True),
        sa.Column("unit_code", sa.String(18), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("clerk_units")
    op.drop_table("clerks")
    op.drop_index("ix_paper_events_copy_id", "paper_events")
    op.drop_table("paper_events")
    op.drop_index("ix_stamp_boxes_form_no", "stamp_boxes")
    op.drop_table("stamp_boxes")
    op.drop_index("ix_paper_copies_form_no", "paper_copies")
    op.drop_table("paper_copies")
    op.drop_index("ix_review_forms_session_ref", "review_forms")
    op.drop_index("ix_review_forms_unit_code", "review_forms")
    op.drop_table("review_forms")
