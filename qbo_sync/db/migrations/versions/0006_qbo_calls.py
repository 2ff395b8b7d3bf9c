"""QBO calls per company and month, reads and writes apart: Intuit meters reads (CorePlus)
per month, so the monthly read budget is checked against these totals. And when the
stored refresh token expires, in the clear (not a secret), so that `status` shows it
without the token key. And when each reference list was last pulled, so the next pull can
ask CDC for what changed since instead of reading every list in full.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qbo_calls",
        sa.Column("realm_id", sa.String(40), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),          # "2026-12" (UTC)
        sa.Column("reads", sa.Integer, nullable=False, server_default="0"),
        sa.Column("writes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("read_warning_sent", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "qbo_pulls",
        sa.Column("entity", sa.String(40), primary_key=True),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("refresh_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("refresh_expires_at")
    op.drop_table("qbo_pulls")
    op.drop_table("qbo_calls")
