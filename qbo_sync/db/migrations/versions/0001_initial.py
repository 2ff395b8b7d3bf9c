"""Initial staging schema, with triggers that make record links permanent.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

LINK_IS_PERMANENT = "the QBO customer link of a project is permanent and cannot be changed or removed"


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("flow_run_id", sa.String(64)),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("counts", sa.JSON, nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("qbo_id", sa.String(40)),
        sa.Column("sync_token", sa.String(20)),
        sa.Column("qbo_objects", sa.JSON, nullable=False),
        sa.Column("suggestions", sa.JSON, nullable=False),
        sa.Column("synced_hash", sa.String(32)),
        sa.Column("synced_at", TS),
        sa.Column("deleted_in_source", sa.Boolean, nullable=False),
        sa.Column("last_import_id", sa.Integer, sa.ForeignKey("imports.id")),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("entity", "source_id", name="uq_records_entity_source_id"),
    )
    op.create_index("ix_records_entity_status", "records", ["entity", "status"])
    op.create_table(
        "record_links",
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id"), primary_key=True),
        sa.Column("role", sa.String(40), primary_key=True),
        sa.Column("qbo_entity", sa.String(40), nullable=False),
        sa.Column("qbo_id", sa.String(40), nullable=False),
        sa.Column("qbo_name", sa.Text, nullable=False),
        sa.Column("linked_at", TS, nullable=False),
        sa.Column("linked_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "field_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("field", sa.String(80), nullable=False),
        sa.Column("old", sa.Text),
        sa.Column("new", sa.Text),
        sa.Column("changed_at", TS, nullable=False),
    )
    op.create_index("ix_field_changes_record", "field_changes", ["record_id", "id"])
    op.create_table(
        "sync_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False),
        sa.Column("flow_run_id", sa.String(64)),
        sa.Column("attempted_at", TS, nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("qbo_entity", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("qbo_id", sa.String(40)),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("request", sa.JSON),
        sa.Column("response", sa.JSON),
    )
    op.create_index("ix_sync_attempts_record", "sync_attempts", ["record_id", "id"])
    op.create_table(
        "qbo_refs",
        sa.Column("entity", sa.String(40), primary_key=True),
        sa.Column("qbo_id", sa.String(40), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("fully_qualified_name", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("parent_id", sa.String(40)),
        sa.Column("sync_token", sa.String(20)),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("pulled_at", TS, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flow_run_id", sa.String(64)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("realm_id", sa.String(40), primary_key=True),
        sa.Column("ciphertext", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    _make_links_permanent()


def _make_links_permanent() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER record_links_no_{action.lower()} BEFORE {action} ON record_links "
                f"BEGIN SELECT RAISE(ABORT, '{LINK_IS_PERMANENT}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION record_links_are_permanent() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{LINK_IS_PERMANENT}'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER record_links_permanent BEFORE UPDATE OR DELETE ON record_links "
            "FOR EACH ROW EXECUTE FUNCTION record_links_are_permanent()"
        )
    else:
        raise NotImplementedError(f"no permanent-link trigger for {dialect}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS record_links_permanent ON record_links")
        op.execute("DROP FUNCTION IF EXISTS record_links_are_permanent()")
    for table in ("tokens", "runs", "qbo_refs", "sync_attempts", "field_changes",
                  "record_links", "records", "imports"):
        op.drop_table(table)
