"""The staging database: one staged record per source record, with its history.

Schema changes go through Alembic (qbo_sync/db/migrations); these models mirror it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON}


class Import(Base):
    """One read of one entity from the source."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(20))          # new | all | selected | retry
    source: Mapped[str] = mapped_column(String(20))
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict] = mapped_column(default=dict)


class Record(Base):
    """A source record on its way to QBO."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("entity", "source_id", name="uq_records_entity_source_id"),
        Index("ix_records_entity_status", "entity", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(default=dict)         # the source row, all values str
    content_hash: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20))          # see qbo_sync.statuses
    reasons: Mapped[list] = mapped_column(default=list)      # why Needs Action / Failed, plain words
    qbo_id: Mapped[str | None] = mapped_column(String(40))
    sync_token: Mapped[str | None] = mapped_column(String(20))
    qbo_objects: Mapped[dict] = mapped_column(default=dict)  # entities that become several QBO objects
    suggestions: Mapped[dict] = mapped_column(default=dict)  # e.g. {"customer": {"qbo_id", "name"}}
    synced_hash: Mapped[str | None] = mapped_column(String(32))  # content_hash QBO holds
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_in_source: Mapped[bool] = mapped_column(Boolean, default=False)
    last_import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecordLink(Base):
    """A permanent link from a staged record to a QBO object (a project's client customer).

    Insert-only: database triggers refuse UPDATE and DELETE, so the link cannot be
    changed by any code path, and the primary key refuses a second link of a role.
    """

    __tablename__ = "record_links"

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    qbo_entity: Mapped[str] = mapped_column(String(40))
    qbo_id: Mapped[str] = mapped_column(String(40))
    qbo_name: Mapped[str] = mapped_column(Text, default="")
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    linked_by: Mapped[str] = mapped_column(String(80), default="")


class FieldChange(Base):
    """One field of a staged record changed by an import."""

    __tablename__ = "field_changes"
    __table_args__ = (Index("ix_field_changes_record", "record_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    field: Mapped[str] = mapped_column(String(80))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SyncAttempt(Base):
    """One write of a staged record to QBO: what was sent, what came back."""

    __tablename__ = "sync_attempts"
    __table_args__ = (Index("ix_sync_attempts_record", "record_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    operation: Mapped[str] = mapped_column(String(20))      # create | update | delete | link
    qbo_entity: Mapped[str] = mapped_column(String(40))
    part: Mapped[str | None] = mapped_column(String(40))    # which object of several (a timesheet's day)
    outcome: Mapped[str] = mapped_column(String(20))        # synced | failed | in_doubt
    qbo_id: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    request: Mapped[dict | None] = mapped_column(JSON)
    response: Mapped[dict | None] = mapped_column(JSON)


class QboRef(Base):
    """A QBO list object pulled for matching and for the console's dropdowns."""

    __tablename__ = "qbo_refs"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    qbo_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    fully_qualified_name: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    parent_id: Mapped[str | None] = mapped_column(String(40))
    sync_token: Mapped[str | None] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(default=dict)
    pulled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Run(Base):
    """One sync or retry flow run, with its report."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    report: Mapped[dict] = mapped_column(default=dict)


class StoredToken(Base):
    """The QBO OAuth tokens of a realm, encrypted (Fernet)."""

    __tablename__ = "tokens"

    realm_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Intuit's x_refresh_token_expires_in, as a date: after it the user must connect again.
    refresh_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class QboPull(Base):
    """When a QBO reference list was last brought up to date (full query or CDC)."""

    __tablename__ = "qbo_pulls"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    pulled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QboCallMonth(Base):
    """QBO calls of one company in one month (UTC), reads and writes apart (qbo/metering.py)."""

    __tablename__ = "qbo_calls"

    realm_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    reads: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    writes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    read_warning_sent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PushLedgerEntry(Base):
    """A write sent (or about to be sent) whose answer is not yet recorded: in doubt after a crash."""

    __tablename__ = "push_ledger"

    realm_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    op_key: Mapped[str] = mapped_column(String(80), primary_key=True)   # record id, or "id:part"
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    action: Mapped[str] = mapped_column(String(20))
    qbo_entity: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[str] = mapped_column(String(50))
    holder: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PushLease(Base):
    """Who pushes to a QBO company right now; one row per company, taken by an atomic UPDATE."""

    __tablename__ = "push_leases"

    realm_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StageCheck(Base):
    """The inputs a stage last checked an entity's pending records with, as one fingerprint.

    Same fingerprint, same outcome: the stage's reasons on the records are still right, so an
    unchanged re-run skips the check (pipeline/fingerprints.py).
    """

    __tablename__ = "stage_checks"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QboChange(Base):
    """An object QuickBooks said (by webhook) was created, changed or deleted; reconcile checks it."""

    __tablename__ = "qbo_changes"
    __table_args__ = (Index("ix_qbo_changes_unchecked", "realm_id", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(40))
    qbo_entity: Mapped[str] = mapped_column(String(40))     # "Customer"
    qbo_id: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(20))      # Create | Update | Delete | Merge | Void
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
