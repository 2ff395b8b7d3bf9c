"""Payments QuickBooks applied to the objects the sync wrote (a bill paid by check), pulled back.

An entity declares `payments=` (entities/base.PaymentsRule). For its records in QBO, the
refresh reads their objects and the payments each one links, and keeps on the record
(qbo_objects["payments"]) its state (open, partially paid, paid), its open balance and each
payment's date, method, reference (the check number) and amount. The first refresh reads
the objects by id; after it, one CDC request for the objects and their payments says what
changed since (its time is kept in qbo_pulls under the payment entity).

QuickBooks gives a bill a new version (SyncToken) when a payment is applied to it: the
refresh takes that version as ours, so that reconcile does not report a payment as an
edit made in QuickBooks. A record paid in QuickBooks and changed in the source since it was
synced is Needs Action (stage "payments"), never written over: changing a paid bill would
unbalance its payment. Once the payment is voided or the source change undone, the next
refresh lifts the flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import QboPull, Record
from qbo_sync.entities.base import EntitySpec, PaymentsRule
from qbo_sync.pipeline import fingerprints
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.payment_states import CENT, OPEN, PAID, PARTLY_PAID, STAGE, paid_reason, state_of, summary
from qbo_sync.qbo.reader import QboReader
from qbo_sync.qbo.references import upsert_pulls

CDC_DAYS = 29               # CDC looks back at most 30 days
CDC_MAX_OBJECTS = 1000      # CDC's most objects in one answer: more may have changed


@dataclass
class PaymentsResult:
    entity: str
    read: int = 0                                         # objects whose payments were read now
    states: dict[str, int] = field(default_factory=dict)  # state -> records
    flagged: list[str] = field(default_factory=list)      # source ids: paid, and changed in the source


def refresh(db: StagingDb, reader: QboReader, specs: list[EntitySpec]) -> list[PaymentsResult]:
    """Bring each paid-in-QuickBooks entity's payment states up to QBO's."""
    return [_refresh(db, reader, spec, spec.payments) for spec in specs if spec.payments is not None]


def _refresh(db: StagingDb, reader: QboReader, spec: EntitySpec, rule: PaymentsRule) -> PaymentsResult:
    result = PaymentsResult(spec.name)
    now = datetime.now(timezone.utc)
    with db.session() as session:
        held = [r for r in staged.rows(session, spec.name, ("source_id", "status", "qbo_id", "sync_token",
                                                          "qbo_objects", "content_hash", "synced_hash",
                                                          "reasons"))
                if r.qbo_id]
        last = session.scalar(select(QboPull.pulled_at).where(QboPull.entity == rule.qbo_entity))
    if not held:
        return result
    objects, payments = _read(reader, spec, rule, held, last, now)
    result.read = len(objects)
    changes = []
    for record in held:
        objects_now = dict(record.qbo_objects or {})
        obj = objects.get(record.qbo_id)
        change: dict = {}
        if obj is not None:
            before = objects_now.get(STAGE)
            objects_now[STAGE] = state_of(obj, rule, spec.qbo_entity, payments, now)
            objects_now["balance"] = {"id": record.qbo_id, "balance": objects_now[STAGE]["balance"],
                                      "total": objects_now[STAGE]["total"], "checked_at": now.isoformat()}
            if _paid_since(before, objects_now[STAGE], obj, record):
                change["sync_token"] = str(obj["SyncToken"])
        held_state = objects_now.get(STAGE)
        if held_state:
            result.states[held_state["state"]] = result.states.get(held_state["state"], 0) + 1
        change.update(_flag(record, held_state, result))
        if objects_now != (record.qbo_objects or {}):
            change["qbo_objects"] = objects_now
        if change:
            changes.append({"b_id": record.id, **change})
    with db.session() as session, session.begin():
        staged.bulk_update(session, changes)
        if result.flagged:
            fingerprints.pending_again(session, spec.name)
    upsert_pulls(db, [rule.qbo_entity], now)
    return result


def _read(reader: QboReader, spec: EntitySpec, rule: PaymentsRule, held: list, last: datetime | None,
          now: datetime) -> tuple[dict[str, dict], dict[str, dict]]:
    """The QBO objects whose payments may have changed, and the payments they link: by CDC
    when the last refresh is recent, else every object by id."""
    ours = {r.qbo_id for r in held}
    changed: dict[str, dict[str, dict]] = {}
    if last is not None:
        last = last if last.tzinfo else last.replace(tzinfo=timezone.utc)
        if now - last < timedelta(days=CDC_DAYS):
            changed = reader.cdc([spec.qbo_entity, rule.qbo_entity], last - timedelta(minutes=1))
            if sum(len(found) for found in changed.values()) >= CDC_MAX_OBJECTS:
                changed = {}
    if changed:
        wanted = set(changed.get(spec.qbo_entity, {})) | {
            txn for payment in changed.get(rule.qbo_entity, {}).values()
            for txn in _linked(payment, spec.qbo_entity)}
        wanted |= {r.qbo_id for r in held if STAGE not in (r.qbo_objects or {})}   # never read yet
        wanted &= ours
    else:
        wanted = ours
    objects = _present(changed.get(spec.qbo_entity, {}), wanted)
    objects.update(reader.by_ids(spec.qbo_entity, sorted(wanted - set(objects))) if wanted - set(objects) else {})
    payment_ids = {link["TxnId"] for obj in objects.values() for link in obj.get("LinkedTxn") or []
                   if link.get("TxnType") == rule.qbo_entity}
    payments = _present(changed.get(rule.qbo_entity, {}), payment_ids)
    missing = sorted(payment_ids - set(payments))
    payments.update(reader.by_ids(rule.qbo_entity, missing) if missing else {})
    return objects, payments


def _present(found: dict[str, dict], ids: set[str]) -> dict[str, dict]:
    return {i: o for i, o in found.items() if i in ids and o.get("status") != "Deleted"}


def _linked(payment: dict, txn_type: str) -> list[str]:
    return [str(link["TxnId"]) for line in payment.get("Line") or [] for link in line.get("LinkedTxn") or []
            if link.get("TxnType") == txn_type and link.get("TxnId")]


def _paid_since(before: dict | None, now_state: dict, obj: dict, record) -> bool:
    """QBO's new version of the object comes from a payment (not an edit) we have just seen."""
    if str(obj.get("SyncToken")) == str(record.sync_token) or "reconcile" in (record.qbo_objects or {}):
        return False
    before_ids = [p["id"] for p in (before or {}).get("payments", [])]
    return before_ids != [p["id"] for p in now_state["payments"]] or \
        abs((before or {"balance": now_state["total"]})["balance"] - now_state["balance"]) >= CENT


def _flag(record, state: dict | None, result: PaymentsResult) -> dict:
    """Needs Action for a paid record changed in the source since it was synced; else no flag."""
    changed_in_source = record.synced_hash is not None and record.content_hash != record.synced_hash
    texts = [paid_reason(state)] if changed_in_source and state and state["state"] != OPEN else []
    if texts:
        result.flagged.append(record.source_id)
    return statuses.held(record.status, record.reasons, statuses.Stage.PAYMENTS, texts,
                         in_step=record.synced_hash is not None and not changed_in_source) or {}


def per_payee(db: StagingDb, specs: list[EntitySpec]) -> list[dict]:
    """For the run report: per entity with payments, paid and open per payee (a vendor), from
    the states the last refresh stored. A payee is named as its own record is."""
    found = []
    with db.session() as session:
        for spec in [s for s in specs if s.payments is not None]:
            rule = spec.payments
            names = dict(session.execute(select(Record.source_id, Record.name)
                                         .where(Record.entity == rule.payee_entity)).all())
            per: dict[str, list[dict]] = {}
            for record in staged.rows(session, spec.name, ("data", "qbo_id", "qbo_objects")):
                state = (record.qbo_objects or {}).get(STAGE)
                if record.qbo_id and state:
                    per.setdefault(rule.payee(record.data), []).append(state)
            rows = []
            for payee, states in sorted(per.items(), key=lambda item: (names.get(item[0], item[0]), item[0])):
                counted = summary(states)
                rows.append({"payee": payee, "name": names.get(payee, ""), "paid": counted["count"][PAID],
                             "partly_paid": counted["count"][PARTLY_PAID], "open": counted["count"][OPEN],
                             "paid_amount": counted["paid"], "open_balance": counted["open"]})
            if rows:
                found.append({"entity": spec.name, "payee_entity": rule.payee_entity, "rows": rows})
    return found
