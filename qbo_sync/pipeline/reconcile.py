"""Reconcile: notice objects changed or deleted in QBO after the sync wrote them.

A Synced record whose QBO object has a newer SyncToken, or is gone, becomes Needs Action
(stage "reconcile") instead of being overwritten or re-created by the next push. CDC
(ChangeDataCapture) finds changes to list objects and bills; TimeActivity, which CDC does
not cover, is read back by id. Each synced bill's open balance is stored too
(qbo_objects["balance"]), so that reports can show which bills are paid.

`accept(...)` is the user's answer: the source wins (QBO's version is taken as the base of
the next update, or a deleted object is created again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import Record
from qbo_sync.pipeline import fingerprints, ledger, stale
from qbo_sync.pipeline import records as staged
from qbo_sync.qbo.reader import QboReader

STAGE = statuses.Stage.RECONCILE
CDC_DAYS = 29            # QBO looks back at most 30 days; older syncs are read by id


@dataclass
class ReconcileResult:
    checked: int = 0
    changed: list[str] = field(default_factory=list)     # "entity/source_id"
    deleted: list[str] = field(default_factory=list)
    bills_paid: int = 0
    bills_open: int = 0


def reconcile(db: StagingDb, reader: QboReader, entities: list[str] | None = None,
              edited_only: bool = False, notified: dict[str, dict[str, dict]] | None = None) -> ReconcileResult:
    """Compare synced records with QBO. entities: only these (None: all).

    edited_only: only the records a push is about to write over (synced before, edited in the
    source since, not flagged yet), what the sync flow's map stage checks; without it, every
    Synced record, what `qbo-sync pull` and `qbo-sync reconcile` check.
    notified: {QBO entity: {id: object as QBO holds it now, or {"status": "Deleted"}}} that a
    webhook announced (pipeline/notified.py): only the records of those objects, no CDC.
    """
    result = ReconcileResult()
    now = datetime.now(timezone.utc)
    query = select(Record).where(
        Record.status == (statuses.NEEDS_SYNC if edited_only else statuses.SYNCED),
        Record.qbo_id.is_not(None), Record.deleted_in_source.is_(False))
    if entities is not None:
        query = query.where(Record.entity.in_(entities))
    if notified is not None:     # a first cut in SQL; _announced below decides
        of_parts = {spec.qbo_entity for spec in registry.of_parts()}
        wanted = Record.qbo_id.in_(sorted({i for e, objs in notified.items() if e not in of_parts for i in objs}))
        parts_announced = [spec.name for spec in registry.of_parts() if notified.get(spec.qbo_entity)]
        query = query.where(wanted | Record.entity.in_(parts_announced) if parts_announced else wanted)
    with db.session() as session:
        synced = [r for r in session.scalars(query) if "reconcile" not in (r.qbo_objects or {})]
    if notified is not None:
        synced = [r for r in synced if _announced(r, notified)]
    # A write of ours whose answer was never recorded (a run stopped mid-push) may be what moved
    # QBO's version: the next push settles it (refused as stale, it finds its own values there),
    # so it is no change made in QuickBooks.
    ours = {e.record_id for e in ledger.in_doubt(db, reader.realm_id, [r.id for r in synced]).values()}
    synced = [r for r in synced if r.id not in ours]
    result.checked = len(synced)
    if not synced:
        return result
    # A record linked by hand (link_existing) and never pushed has nothing of ours to compare.
    whole = [r for r in synced if not _of_parts(r) and not _linked(r) and r.synced_at is not None]
    days = [r for r in synced if _of_parts(r)]
    current = notified if notified is not None else _whole_objects(reader, whole, now)
    baselines = stale.baselines(db, [r.id for r in whole if registry.get(r.entity).qbo_keeps])
    changes = []
    for record in whole:
        entity = _qbo_entity(record)
        obj = current.get(entity, {}).get(record.qbo_id)
        texts, extra = [], {}
        if obj is not None and _kept_by_qbo(record, obj, baselines.get(record.id)):
            # Only what QuickBooks keeps changed (a received order closed): take its new version.
            changes.append(dict(b_id=record.id, sync_token=str(obj["SyncToken"])))
            continue
        if obj is not None and obj.get("status") == "Deleted":
            texts.append("Deleted in QuickBooks after it was synced: the sync will not create it again "
                         f"until you accept (qbo-sync reconcile --accept {record.entity}/{record.source_id})")
            extra = {"state": "deleted"}
        elif obj is not None and str(obj.get("SyncToken")) != str(record.sync_token):
            texts.append(f"Changed in QuickBooks after it was synced (version {record.sync_token} → "
                         f"{obj.get('SyncToken')}): review it; qbo-sync reconcile --accept "
                         f"{record.entity}/{record.source_id} lets the source overwrite it")
            extra = {"state": "changed", "sync_token": str(obj.get("SyncToken"))}
        objects = dict(record.qbo_objects or {})
        if registry.get(record.entity).reads_balance and obj is not None and "Balance" in obj:
            objects["balance"] = {"id": record.qbo_id, "balance": float(obj["Balance"]),
                                  "total": float(obj.get("TotalAmt", 0)), "checked_at": now.isoformat()}
        if texts:
            objects["reconcile"] = {"id": record.qbo_id, **extra}
            (result.deleted if extra["state"] == "deleted" else result.changed).append(
                f"{record.entity}/{record.source_id}")
        if texts or objects != (record.qbo_objects or {}):
            changes.append(_change(record, texts, objects))
    changes += _parts_objects(reader, days, result)
    for change in changes:
        balance = (change.get("qbo_objects") or {}).get("balance")
        if balance:
            if balance["balance"] == 0:
                result.bills_paid += 1
            else:
                result.bills_open += 1
    entity_of = {r.id: r.entity for r in synced}
    with db.session() as session, session.begin():
        staged.bulk_update(session, changes)
        flagged = {entity_of[c["b_id"]] for c in changes if c.get("status") == statuses.NEEDS_ACTION}
        for entity in flagged:
            fingerprints.pending_again(session, entity)
    return result


def pull_and_reconcile(db: StagingDb, reader: QboReader) -> tuple[dict[str, int], ReconcileResult]:
    """`qbo-sync pull`: the reference lists used for matching, the payments made in QuickBooks
    (before reconcile, which would take a payment's new version for an edit), then reconcile."""
    from qbo_sync import entities as registry
    from qbo_sync.pipeline import payments
    from qbo_sync.qbo import references

    counts = references.pull(db, reader)
    payments.refresh(db, reader, registry.resolve(None))
    return counts, reconcile(db, reader)


def _announced(record: Record, notified: dict[str, dict[str, dict]]) -> bool:
    if _of_parts(record):      # one object per part (a day): any of its parts
        days = notified.get(registry.get(record.entity).qbo_entity, {})
        return any(isinstance(v, dict) and v.get("id") in days for v in (record.qbo_objects or {}).values())
    return record.qbo_id in notified.get(_qbo_entity(record), {})


def _kept_by_qbo(record: Record, obj: dict, baseline: dict | None) -> bool:
    """A new version that differs from our last write only in the fields QuickBooks keeps."""
    keeps = registry.get(record.entity).qbo_keeps
    if not keeps or baseline is None or str(obj.get("SyncToken")) == str(record.sync_token) \
            or obj.get("status") == "Deleted":
        return False
    ignored = {"SyncToken", "MetaData", *keeps}
    return all(obj.get(k) == baseline.get(k) for k in set(obj) | set(baseline) if k not in ignored)


def _of_parts(record: Record) -> bool:
    return registry.get(record.entity).parts is not None


def _linked(record: Record) -> bool:
    """A QBO object the sync linked to but did not create (shared by cost codes)."""
    return bool(((record.qbo_objects or {}).get("target") or {}).get("linked"))


def _qbo_entity(record: Record) -> str:
    target = ((record.qbo_objects or {}).get("target") or {}).get("entity")
    return target or registry.get(record.entity).qbo_entity


def _whole_objects(reader: QboReader, records: list[Record], now: datetime) -> dict[str, dict[str, dict]]:
    entities = sorted({_qbo_entity(r) for r in records})
    if not entities:
        return {}
    oldest = min(r.synced_at for r in records)
    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=timezone.utc)
    if now - oldest < timedelta(days=CDC_DAYS):
        found = reader.cdc(entities, oldest - timedelta(minutes=1))
        # Balances change with payments whether or not CDC lists them: read them all.
        for entity in {registry.get(r.entity).qbo_entity for r in records if registry.get(r.entity).reads_balance}:
            ids = [r.qbo_id for r in records if _qbo_entity(r) == entity]
            found.setdefault(entity, {}).update({k: v for k, v in reader.by_ids(entity, ids).items()
                                                 if k not in found.get(entity, {})})
        return found
    found = {}
    for entity in entities:
        ids = [r.qbo_id for r in records if _qbo_entity(r) == entity]
        present = reader.by_ids(entity, ids)
        found[entity] = {i: present.get(i, {"Id": i, "status": "Deleted"}) for i in ids}
    return found


def _parts_objects(reader: QboReader, records: list[Record], result: ReconcileResult) -> list[dict]:
    """Objects written as parts (a day's TimeActivity) are not in CDC: read every synced part back by id."""
    from qbo_sync.pipeline.parts import PART_NAMES

    present: dict[str, dict] = {}
    for entity in {registry.get(r.entity).qbo_entity for r in records}:
        ids = [v["id"] for r in records if registry.get(r.entity).qbo_entity == entity
               for v in (r.qbo_objects or {}).values() if isinstance(v, dict) and "hash" in v]
        present.update(reader.by_ids(entity, ids))
    changes = []
    for record in records:
        texts, flagged = [], {}
        for part, obj in (record.qbo_objects or {}).items():
            if not (isinstance(obj, dict) and "hash" in obj):
                continue
            now_there = present.get(obj["id"])
            day = PART_NAMES.get(part, part)
            if now_there is None:
                texts.append(f"{day}: the time activity was deleted in QuickBooks after it was synced")
                flagged[part] = "deleted"
            elif str(now_there.get("SyncToken")) != str(obj.get("sync_token")):
                texts.append(f"{day}: the time activity was changed in QuickBooks after it was synced")
                flagged[part] = str(now_there.get("SyncToken"))
        if texts:
            key = f"{record.entity}/{record.source_id}"
            (result.deleted if "deleted" in flagged.values() else result.changed).append(key)
            texts.append(f"review it; qbo-sync reconcile --accept {key} lets the source win")
            changes.append(_change(record, texts, {**record.qbo_objects,
                                                   "reconcile": {"id": record.qbo_id, "parts": flagged}}))
    return changes


def _change(record: Record, texts: list[str], objects: dict) -> dict:
    if texts:
        return dict(b_id=record.id, qbo_objects=objects, **statuses.needs_action(record.reasons, STAGE, texts))
    return dict(b_id=record.id, qbo_objects=objects, status=record.status,
                reasons=statuses.replace_stage(record.reasons, STAGE, []))


def accept(db: StagingDb, record_text: str) -> Record:
    """The source wins over a QBO-side change: the next push updates (or re-creates) it."""
    with db.session() as session, session.begin():
        record = staged.find(session, record_text)
        flagged = (record.qbo_objects or {}).get("reconcile")
        if not flagged:
            raise ValueError(f"{record.entity}/{record.source_id} has no change in QuickBooks to accept")
        objects = {k: v for k, v in record.qbo_objects.items() if k != "reconcile"}
        if "parts" in flagged:
            for part, state in flagged["parts"].items():
                if state == "deleted":
                    objects.pop(part, None)                     # created again
                else:
                    objects[part] = {**objects[part], "sync_token": state, "hash": ""}  # updated
        elif flagged.get("state") == "deleted":
            record.qbo_id, record.sync_token = None, None
            objects.pop("target", None)
        else:
            record.sync_token = flagged["sync_token"]
        record.qbo_objects = objects
        record.synced_hash = None
        record.reasons = statuses.replace_stage(record.reasons, STAGE, [])
        record.status = statuses.settle(record.reasons)
        record.updated_at = datetime.now(timezone.utc)
        fingerprints.pending_again(session, record.entity)
        return record


def keep_quickbooks(db: StagingDb, record_text: str) -> Record:
    """QuickBooks' change wins: its version is taken as synced and is not overwritten.

    The record counts as in step with QBO as the source has it now; a later edit in the
    source is pushed as an update on top of QBO's version. Only for changes: an object
    deleted in QBO has no version to keep (accept() creates it again).
    """
    with db.session() as session, session.begin():
        record = staged.find(session, record_text)
        flagged = (record.qbo_objects or {}).get("reconcile")
        if not flagged:
            raise ValueError(f"{record.entity}/{record.source_id} has no change in QuickBooks to keep")
        parts = flagged.get("parts") or {}
        if flagged.get("state") == "deleted" or "deleted" in parts.values():
            raise ValueError("It was deleted in QuickBooks: there is no QuickBooks version to keep")
        objects = {k: v for k, v in record.qbo_objects.items() if k != "reconcile"}
        for part, token in parts.items():
            objects[part] = {**objects[part], "sync_token": token}   # its hash stays: no update
        if not parts:
            record.sync_token = flagged["sync_token"]
        record.qbo_objects = objects
        record.synced_hash = record.content_hash
        record.reasons = statuses.replace_stage(record.reasons, STAGE, [])
        record.status = statuses.SYNCED if not record.reasons else statuses.settle(record.reasons)
        record.updated_at = datetime.now(timezone.utc)
        fingerprints.pending_again(session, record.entity)
        return record
