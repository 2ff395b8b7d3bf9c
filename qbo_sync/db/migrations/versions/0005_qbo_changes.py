"""Changes QuickBooks announced by webhook, kept until reconcile has checked them.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qbo_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("realm_id", sa.String(40), nullable=False),
        sa.Column("qbo_entity", sa.String(40), nullable=False),
        sa.Column("qbo_id", sa.String(40), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_qbo_changes_unchecked", "qbo_changes", ["realm_id", "checked_at"])


def downgrade() -> None:
    op.drop_index("ix_qbo_changes_unchecked", table_name="qbo_changes")
    op.drop_table("qbo_changes")
