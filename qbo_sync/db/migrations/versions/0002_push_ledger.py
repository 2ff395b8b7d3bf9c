"""The push ledger (writes in doubt) and the per-company push lease.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "push_ledger",
        sa.Column("realm_id", sa.String(40), primary_key=True),
        sa.Column("op_key", sa.String(80), primary_key=True),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("qbo_entity", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(50), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False, server_default=""),
        sa.Column("sent_at", TS, nullable=False),
    )
    op.create_table(
        "push_leases",
        sa.Column("realm_id", sa.String(40), primary_key=True),
        sa.Column("holder", sa.String(200)),
        sa.Column("expires_at", TS),
    )


def downgrade() -> None:
    op.drop_table("push_leases")
    op.drop_table("push_ledger")
