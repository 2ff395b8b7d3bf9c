"""Changes QuickBooks announced by webhook: stored as they arrive, then reconciled.

The receiver (ops/webhook_receiver.py) stores each announced object and answers at once.
`reconcile_notified` checks exactly those objects, reading each by id (QBO's current
SyncToken) rather than asking CDC, so TimeActivity is covered too: a Synced record whose
object changed or was deleted in QuickBooks becomes Needs Action, as `qbo-sync reconcile`
would make it. It runs at the start of each sync (map stage) and, while a server that
receives webhooks runs, every few seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select, update

from qbo_sync import entities as registry
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import QboChange, Record
from qbo_sync.pipeline import reconcile
from qbo_sync.qbo.webhooks import Change

DELETED = ("Delete", "Merge")     # a merged object is gone too: its records point at nothing
# QBO announces the sync's own writes too. One stamped before the sync recorded its answer is
# taken as ours and not read back; a change after it is checked. This assumes QBO's clock and
# ours agree; `qbo-sync reconcile` (CDC) still finds anything a skewed clock hid.
OWN_WRITE_MARGIN = timedelta(0)


def store(db: StagingDb, realm_id: str, changes: list[Change]) -> int:
    """Keep this company's changes; another company's are not ours to reconcile."""
    now = datetime.now(timezone.utc)
    rows = [dict(realm_id=c.realm_id, qbo_entity=c.qbo_entity, qbo_id=c.qbo_id, operation=c.operation,
                 changed_at=_utc(c.changed_at), received_at=now) for c in changes if c.realm_id == realm_id]
    if rows:
        with db.session() as session, session.begin():
            session.execute(insert(QboChange), rows)
    return len(rows)


def _utc(at: datetime | None) -> datetime | None:
    """In UTC, as every time in the staging database (SQLite keeps no offset)."""
    return at.astimezone(timezone.utc) if at is not None and at.tzinfo else at


def pending(db: StagingDb, realm_id: str | None = None) -> int:
    """Changes not checked yet (for one company, or any: no QBO connection needed to ask)."""
    query = select(func.count()).select_from(QboChange).where(QboChange.checked_at.is_(None))
    if realm_id is not None:
        query = query.where(QboChange.realm_id == realm_id)
    with db.session() as session:
        return session.scalar(query)


def reconcile_notified(db: StagingDb, reader) -> reconcile.ReconcileResult | None:
    """Reconcile the records of every announced object not checked yet; None when there are none.
    Reads go through the reader (paced with the writes, retried, counted)."""
    realm = reader.realm_id
    with db.session() as session:
        changes = session.scalars(select(QboChange).where(
            QboChange.realm_id == realm, QboChange.checked_at.is_(None)).order_by(QboChange.id)).all()
        latest: dict[tuple[str, str], QboChange] = {}
        for change in changes:                  # in arrival order: the last word on each object wins
            latest[(change.qbo_entity, change.qbo_id)] = change
        synced_at = _synced_at(session, latest)
    if not changes:
        return None
    notified: dict[str, dict[str, dict]] = {}
    to_read: dict[str, list[str]] = {}
    for key, change in latest.items():
        if key not in synced_at or _our_own_write(change, synced_at[key]):
            continue                            # not an object the sync holds, or its own write
        entity, qbo_id = key
        if change.operation in DELETED:
            notified.setdefault(entity, {})[qbo_id] = {"Id": qbo_id, "status": "Deleted"}
        elif entity in {spec.qbo_entity for spec in registry.of_parts()}:   # reconcile reads parts back itself
            notified.setdefault(entity, {})[qbo_id] = {"Id": qbo_id}
        else:
            to_read.setdefault(entity, []).append(qbo_id)
    for entity, ids in to_read.items():
        present = reader.by_ids(entity, ids)
        notified.setdefault(entity, {}).update(
            {i: present.get(i, {"Id": i, "status": "Deleted"}) for i in ids})
    result = reconcile.reconcile(db, reader, notified=notified) if notified else reconcile.ReconcileResult()
    with db.session() as session, session.begin():
        session.execute(update(QboChange).where(QboChange.id.in_([c.id for c in changes]))
                        .values(checked_at=datetime.now(timezone.utc)))
    return result


def _synced_at(session, announced) -> dict[tuple[str, str], datetime | None]:
    """{(QBO entity, id): when the sync last wrote it} for the announced objects staged records hold."""
    found: dict[tuple[str, str], datetime | None] = {}
    of_parts = {spec.qbo_entity: spec.name for spec in registry.of_parts()}
    ids = sorted({qbo_id for entity, qbo_id in announced if entity not in of_parts})
    for start in range(0, len(ids), 500):
        for record in session.scalars(select(Record).where(Record.qbo_id.in_(ids[start:start + 500]))):
            key = (reconcile._qbo_entity(record), record.qbo_id)
            if key in announced:
                found[key] = record.synced_at
    for qbo_entity, name in of_parts.items():
        if not any(entity == qbo_entity for entity, _ in announced):
            continue
        for record in session.scalars(select(Record).where(Record.entity == name,
                                                           Record.synced_at.is_not(None))):
            for part in (record.qbo_objects or {}).values():
                if isinstance(part, dict) and (qbo_entity, part.get("id")) in announced:
                    found[(qbo_entity, part["id"])] = record.synced_at
    return found


def _our_own_write(change: QboChange, synced_at: datetime | None) -> bool:
    """A change QBO stamped before the sync recorded its own write of the object."""
    if change.changed_at is None or synced_at is None:
        return False
    changed = change.changed_at if change.changed_at.tzinfo else change.changed_at.replace(tzinfo=timezone.utc)
    synced = synced_at if synced_at.tzinfo else synced_at.replace(tzinfo=timezone.utc)
    return changed < synced - OWN_WRITE_MARGIN
