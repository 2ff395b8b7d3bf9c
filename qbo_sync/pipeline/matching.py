"""The map stage for everything but projects' client links: matching reference records to
QBO by name, and checking that transactions' references will be in QBO.

- Cost codes: an existing QBO item, account or class with the mapped name is linked (the
  record is Synced to it, nothing written); otherwise the push creates it.
- Employees and vendors: DisplayName is unique across customers, vendors and employees
  together, so a name held by another kind of QBO record is Needs Action; with
  `create_missing: false` a record with no QBO match is Needs Action too.
- Timesheets and bills: a reference not in QBO and not pushed earlier in this run is Needs
  Action naming it.
Each check owns the "refs" stage of the record's reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import QboRef
from qbo_sync.entities.base import EntitySpec
from qbo_sync.entities.names import name_key
from qbo_sync.pipeline import dependencies
from qbo_sync.pipeline import records as staged
from qbo_sync.qbo import lists

STAGE = statuses.Stage.REFS
PEOPLE = lists.SHARED_NAME_LISTS


@dataclass
class MatchResult:
    entity: str
    checked: int = 0
    linked: int = 0                                   # linked now to an existing QBO object
    needs_action: list[str] = field(default_factory=list)


def _names(session, entities: tuple[str, ...]) -> dict[str, dict]:
    """Refs by entity and name_key, as (entity, qbo_id, name, sync_token) rows: no JSON."""
    index: dict[str, dict] = {e: {} for e in entities}
    for ref in session.execute(select(QboRef.entity, QboRef.qbo_id, QboRef.name, QboRef.sync_token)
                               .where(QboRef.entity.in_(entities))):
        index[ref.entity].setdefault(name_key(ref.name), ref)
    return index


MATCH_COLUMNS = ("source_id", "name", "data", "reasons", "status", "qbo_id", "qbo_objects", "content_hash")


def match_entity(db: StagingDb, spec: EntitySpec, mappings, run_entities: list[str]) -> MatchResult:
    result = MatchResult(spec.name)
    now = datetime.now(timezone.utc)
    with db.session() as session, session.begin():
        pending = staged.rows(session, spec.name, MATCH_COLUMNS, statuses.PENDING)
        result.checked = len(pending)
        if not pending:
            return result
        checks, changes = {}, []
        if spec.matched_by == "target":
            checks, changes = _targets(session, spec, pending, mappings, result, now)
        elif spec.matched_by == "name":
            checks = _people(session, spec, pending, mappings)
        elif spec.depends_on:
            order = [s.name for s in registry.resolve(run_entities or None)]
            before = set(order[:order.index(spec.name)]) if spec.name in order else set()
            wanted = {ref for r in pending for ref in spec.refs(r.data)}
            found = dependencies.targets(session, registry.ENTITIES, wanted, mappings)
            checks = {r.id: dependencies.missing_reasons(spec, r, found, before) for r in pending}
        linked_now = {c["b_id"] for c in changes}
        for record in pending:
            if record.id in linked_now:
                continue
            reasons, status = statuses.checked(record.reasons, STAGE, checks.get(record.id, [])).values()
            if checks.get(record.id):
                result.needs_action.append(record.source_id)
            if reasons != record.reasons or status != record.status:
                changes.append({"b_id": record.id, "reasons": reasons, "status": status, "updated_at": now})
        staged.bulk_update(session, changes)
    return result


def _targets(session, spec: EntitySpec, pending, mappings, result: MatchResult, now) -> tuple[dict[int, list[str]], list[dict]]:
    """Records whose mapping names an item, account or class: an existing one is linked, not created.

    Reasons per record id, and the records linked now to an existing QBO object (as changes)."""
    index = _names(session, lists.TARGET_LISTS)
    accounts = set(index[lists.ACCOUNT])
    checks: dict[int, list[str]] = {}
    linked: list[dict] = []
    mapping = getattr(mappings, spec.name)
    for record in pending:
        linked_before = ((record.qbo_objects or {}).get("target") or {}).get("linked")
        if (record.qbo_id and not linked_before) or any(r["stage"] != STAGE for r in record.reasons or []):
            continue   # created by the sync (an edit updates it), or blocked by validation
        entity, name = mapping.target_of(record.data)
        existing = index[entity].get(name_key(name))
        if existing is not None:
            # An object QBO already has (made by hand, or shared by several codes): link it.
            linked.append({"b_id": record.id, "qbo_id": existing.qbo_id, "sync_token": existing.sync_token,
                           "qbo_objects": {"target": {"entity": entity, "linked": True}},
                           "status": statuses.SYNCED, "reasons": [], "synced_hash": record.content_hash,
                           "synced_at": now, "updated_at": now})
            result.linked += 1
            continue
        if entity == lists.ITEM:
            missing = [f"{what} account \"{account}\" (mappings: {spec.name}.item_{what.lower()}_account) "
                       "is not in QuickBooks"
                       for what, account in (("Income", mapping.item_income_account),
                                             ("Expense", mapping.item_expense_account))
                       if name_key(account) not in accounts]
            checks[record.id] = missing
    return checks, linked


def _people(session, spec: EntitySpec, pending, mappings) -> dict[int, list[str]]:
    index = _names(session, PEOPLE)
    create_missing = getattr(mappings, spec.name).create_missing
    checks: dict[int, list[str]] = {}
    for record in pending:
        if record.qbo_id:
            continue
        name = name_key(record.name)
        texts = []
        for other in PEOPLE:
            if other != spec.qbo_entity and name in index[other]:
                texts.append(f"QuickBooks already has a {other.lower()} named \"{index[other][name].name}\": "
                             f"names must be unique across {lists.SHARED_NAMES}; rename one")
        if not texts and name not in index[spec.qbo_entity] and not create_missing:
            texts.append(f"No QuickBooks {spec.qbo_entity.lower()} is named \"{record.name}\", and creating "
                         f"them is off (mappings: {spec.name}.create_missing)")
        checks[record.id] = texts
    return checks
