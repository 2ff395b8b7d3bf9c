"""What each stage last checked per entity, so an unchanged re-run can skip the check.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stage_checks",
        sa.Column("entity", sa.String(40), primary_key=True),
        sa.Column("stage", sa.String(20), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stage_checks")
