"""Which of a record's QBO objects a sync attempt wrote (a timesheet day), so that `payload`
shows every object's last request and answer.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_attempts") as batch:
        batch.add_column(sa.Column("part", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_attempts") as batch:
        batch.drop_column("part")
