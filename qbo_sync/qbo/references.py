"""QBO reference lists pulled into the staging database, for matching and dropdowns."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, insert, select

from qbo_sync.db.engine import StagingDb, upsert
from qbo_sync.db.models import QboRef
from qbo_sync.qbo.reader import QboReader

REFERENCE_ENTITIES = ("Customer", "Vendor", "Employee", "Item", "Account", "Class")


def _name(entity: str, obj: dict) -> str:
    return obj.get("DisplayName") or obj.get("Name") or obj.get("FullyQualifiedName") or ""


def _row(entity: str, obj: dict, now: datetime) -> dict:
    return dict(entity=entity, qbo_id=obj["Id"], name=_name(entity, obj),
                fully_qualified_name=obj.get("FullyQualifiedName", _name(entity, obj)),
                active=bool(obj.get("Active", True)), parent_id=(obj.get("ParentRef") or {}).get("value"),
                sync_token=obj.get("SyncToken"), data=obj, pulled_at=now)


def pull(db: StagingDb, reader: QboReader, entities: tuple[str, ...] = REFERENCE_ENTITIES) -> dict[str, int]:
    """Replace the staged copy of each reference list with QBO's current one."""
    counts = {}
    now = datetime.now(timezone.utc)
    for entity in entities:
        # Without a filter on Active, QBO returns only active list objects.
        rows = [_row(entity, o, now) for o in reader.query_all(entity, inactive_too=True)]
        with db.engine.begin() as conn:
            held = conn.execute(select(QboRef.qbo_id, QboRef.sync_token).where(QboRef.entity == entity)).all()
            # Every object at the version held already: rewriting them would change nothing.
            if sorted((str(i), str(t)) for i, t in held) != sorted((str(r["qbo_id"]), str(r["sync_token"])) for r in rows):
                conn.execute(delete(QboRef).where(QboRef.entity == entity))
                if rows:
                    conn.execute(insert(QboRef), rows)
        counts[entity] = len(rows)
    return counts


def remember(session, written: list[tuple[str, dict]]) -> None:
    """Objects QBO returned for our own writes, (entity, object), into the reference copy.

    The copy then matches QBO without another pull: the next run's pull finds every object
    at the version it holds and rewrites nothing, and the console's dropdowns list the new
    customers and items at once.
    """
    now = datetime.now(timezone.utc)
    rows = [_row(entity, obj, now) for entity, obj in written if entity in REFERENCE_ENTITIES and obj.get("Id")]
    if not rows:
        return
    upsert(session, QboRef, rows, keys=["entity", "qbo_id"],
           columns=["name", "fully_qualified_name", "active", "parent_id", "sync_token", "data", "pulled_at"])
