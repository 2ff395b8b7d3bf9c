"""QBO reference lists pulled into the staging database, for matching and dropdowns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert, select

from qbo_sync.db.engine import StagingDb, upsert
from qbo_sync.db.models import QboPull, QboRef
from qbo_sync.qbo.reader import QboReadError, QboReader

REFERENCE_ENTITIES = ("Customer", "Vendor", "Employee", "Item", "Account", "Class", "Department")
CDC_DAYS = 29               # CDC looks back at most 30 days
CDC_MAX_OBJECTS = 1000      # CDC's most objects in one answer


def _name(entity: str, obj: dict) -> str:
    return obj.get("DisplayName") or obj.get("Name") or obj.get("FullyQualifiedName") or ""


def _row(entity: str, obj: dict, now: datetime) -> dict:
    return dict(entity=entity, qbo_id=obj["Id"], name=_name(entity, obj),
                fully_qualified_name=obj.get("FullyQualifiedName", _name(entity, obj)),
                active=bool(obj.get("Active", True)), parent_id=(obj.get("ParentRef") or {}).get("value"),
                sync_token=obj.get("SyncToken"), data=obj, pulled_at=now)


def pull(db: StagingDb, reader: QboReader, entities: tuple[str, ...] = REFERENCE_ENTITIES) -> dict[str, int]:
    """Bring the staged copy of each reference list up to QBO's: {entity: objects held}.

    Reads are metered (docs/operations.md), so a list pulled in full less than CDC_DAYS ago
    is refreshed by one CDC request for all of them: only what changed since. A full query
    when a list was never pulled, when its last pull is older than CDC looks back, when
    CDC answered its maximum (more may have changed than it returned), or refused the request.
    """
    now = datetime.now(timezone.utc)
    last = _last_pulls(db)
    recent = [e for e in entities if e in last and now - last[e] < timedelta(days=CDC_DAYS)]
    changed: dict[str, dict[str, dict]] = {}
    if recent:
        try:
            changed = reader.cdc(recent, min(last[e] for e in recent) - timedelta(minutes=1))
        except QboReadError:   # e.g. "changedSince cannot be more than 30 days in the past" (QBO's clock ahead)
            changed = None
        if changed is None or sum(len(objects) for objects in changed.values()) >= CDC_MAX_OBJECTS:
            changed, recent = {}, []
    counts = {}
    for entity in entities:
        if entity in recent:
            counts[entity] = _apply_changes(db, entity, changed.get(entity, {}), now)
        else:
            # Without a filter on Active, QBO returns only active list objects.
            counts[entity] = _replace(db, entity, [_row(entity, o, now)
                                                   for o in reader.query_all(entity, inactive_too=True)])
    upsert_pulls(db, entities, now)
    return counts


def _replace(db: StagingDb, entity: str, rows: list[dict]) -> int:
    with db.engine.begin() as conn:
        held = conn.execute(select(QboRef.qbo_id, QboRef.sync_token).where(QboRef.entity == entity)).all()
        # Every object at the version held already: rewriting them would change nothing.
        if sorted((str(i), str(t)) for i, t in held) != sorted((str(r["qbo_id"]), str(r["sync_token"])) for r in rows):
            conn.execute(delete(QboRef).where(QboRef.entity == entity))
            if rows:
                conn.execute(insert(QboRef), rows)
    return len(rows)


def _apply_changes(db: StagingDb, entity: str, objects: dict[str, dict], now: datetime) -> int:
    """CDC's answer for one list: changed objects written, deleted ones removed, the rest kept."""
    with db.engine.begin() as conn:
        held = dict(conn.execute(select(QboRef.qbo_id, QboRef.sync_token).where(QboRef.entity == entity)).all())
        gone = [i for i, o in objects.items() if o.get("status") == "Deleted" and i in held]
        # An object at the version held already (our own write, remembered) is not rewritten.
        rows = [_row(entity, o, now) for i, o in objects.items()
                if o.get("status") != "Deleted" and str(held.get(i)) != str(o.get("SyncToken"))]
        if gone:
            conn.execute(delete(QboRef).where(QboRef.entity == entity, QboRef.qbo_id.in_(gone)))
        if rows:
            upsert(conn, QboRef, rows, keys=["entity", "qbo_id"],
                   columns=["name", "fully_qualified_name", "active", "parent_id", "sync_token", "data", "pulled_at"])
        return len(held) - len(gone) + len([r for r in rows if r["qbo_id"] not in held])


def _last_pulls(db: StagingDb) -> dict[str, datetime]:
    with db.session() as session:
        return {e: (t if t.tzinfo else t.replace(tzinfo=timezone.utc))
                for e, t in session.execute(select(QboPull.entity, QboPull.pulled_at))}


def upsert_pulls(db: StagingDb, entities, now: datetime) -> None:
    with db.session() as session, session.begin():
        upsert(session, QboPull, [dict(entity=e, pulled_at=now) for e in entities], keys=["entity"],
               columns=["pulled_at"])


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
