"""Adoption, in the map stage: a record about to be created whose object QBO already holds
is linked to that object instead, before the preview, so the preview says what the push does.

QBO may already hold a record's object because someone made it by hand, or because an
earlier install wrote it and its staging database was lost (a disk, a container, a new
machine). The object is found by its natural key, the same on our body and on QBO's object:
- lists (customers, employees, vendors): the name and the parent (EntitySpec.natural_key),
  active or not, read from the reference copy the map stage has just pulled: no extra read;
- transactions (bills, time activities): EntitySpec.write_key, read with one paged query per
  QBO entity over the dates of the records to create.
An object already held by another record, or a name held twice, is never adopted. An adopted
record keeps its QBO id and SyncToken and shows "link" in the preview; the push writes it as
a sparse update, and an adopted time activity whose content already equals ours is not
written at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import QboRef, Record
from qbo_sync.entities.base import EntitySpec, PayloadContext, PayloadError
from qbo_sync.entities.names import name_key
from qbo_sync.pipeline import dependencies, parts
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.mapping import links_of
from qbo_sync.qbo.reader import PAGE

# Record.qbo_objects key: {"entity", "qbo_id", "name"} until the push settles the record.
ADOPTED = parts.ADOPTED
COLUMNS = ("source_id", "name", "data", "qbo_id", "qbo_objects")


@dataclass
class AdoptResult:
    entity: str
    candidates: int = 0     # records about to be created
    adopted: int = 0        # of those, linked now to the object QBO already holds
    reads: int = 0          # QBO queries made (pages)


def adopted_of(qbo_objects: dict | None) -> dict | None:
    return (qbo_objects or {}).get(ADOPTED)


def describe(adopted: dict, label: str) -> str:
    """The preview's words for a link: "links to existing QBO vendor Acme Supply (id 57)"."""
    ids = "ids" if "," in str(adopted["qbo_id"]) else "id"   # a timesheet week: one object per day
    return f"links to existing QBO {label} {adopted['name']} ({ids} {adopted['qbo_id']})"


def adopt_entity(db: StagingDb, reader, spec: EntitySpec, sync, mappings) -> AdoptResult:
    result = AdoptResult(spec.name)
    if spec.writer(sync) != "rest" or (spec.qbo_entity_of is not None):
        # QBO Projects (GraphQL) and cost codes (matched by name in matching.py) are not adopted here.
        return result
    if not (spec.natural_key or spec.write_key):
        return result
    with db.session() as session, session.begin():
        pending = [r for r in staged.rows(session, spec.name, COLUMNS, (statuses.NEEDS_SYNC,))
                   if not r.qbo_id and not _parts_held(r.qbo_objects)]
        result.candidates = len(pending)
        if not pending:
            return result
        bodies = _bodies(session, spec, sync, mappings, pending)
        if not bodies:
            return result
        held = held_ids(session, spec.name)
        if spec.write_key is None:
            found = _by_name(session, spec, bodies, held)
        else:
            objects, result.reads = _read_window(reader, spec, bodies)
            found = _by_write_key(spec, bodies, [o for o in objects if o.get("Id") not in held])
        changes = [{**change, "qbo_objects": {**(record.qbo_objects or {}), **change["qbo_objects"]}}
                   for record in pending if (change := found.get(record.id))]
        staged.bulk_update(session, changes)
        result.adopted = len(changes)
    return result


def _parts_held(qbo_objects: dict | None) -> bool:
    return any(isinstance(v, dict) and v.get("id") for v in (qbo_objects or {}).values())


def _bodies(session, spec: EntitySpec, sync, mappings, pending) -> dict[int, dict]:
    """The QBO body each record would be created with ({part: body} for a record of parts).

    A record pointing at a record not in QBO yet is skipped: nothing in QBO can point at it."""
    links = links_of(session, [r.id for r in pending])
    found = dependencies.targets(session, registry.ENTITIES,
                                 {ref for r in pending for ref in spec.refs(r.data)}, mappings)
    base = PayloadContext(sync=sync, mappings=mappings, refs=found, accounts=dependencies.account_ids(session))
    bodies = {}
    for record in pending:
        if any(not (found.get(ref) and found[ref].qbo_id) for ref in spec.refs(record.data)):
            continue
        ctx = replace(base, links=links.get(record.id, {}))
        try:
            bodies[record.id] = spec.parts(record.data, ctx) if spec.parts else spec.payload(record.data, ctx)
        except (PayloadError, KeyError):
            continue     # the push says why; there is nothing to look for yet
    return bodies


def held_ids(session, entity: str) -> set[str]:
    """QBO ids another staged record of the entity holds already (its object, or its parts)."""
    held = set()
    for qbo_id, objects in session.execute(select(Record.qbo_id, Record.qbo_objects)
                                           .where(Record.entity == entity)):
        if qbo_id:
            held.add(str(qbo_id))
        held.update(str(v["id"]) for v in (objects or {}).values() if isinstance(v, dict) and v.get("id"))
    return held


def _by_name(session, spec: EntitySpec, bodies: dict[int, dict], held: set[str]) -> dict[int, dict]:
    key = spec.natural_key
    index: dict[tuple, list] = {}
    for ref in session.execute(select(QboRef.qbo_id, QboRef.name, QboRef.parent_id, QboRef.sync_token)
                               .where(QboRef.entity == spec.qbo_entity)):
        if str(ref.qbo_id) not in held:
            index.setdefault((name_key(ref.name), ref.parent_id), []).append(ref)
    changes = {}
    for record_id, body in bodies.items():
        if not body.get(key):
            continue
        parent = (body.get("ParentRef") or {}).get("value")
        same = index.get((name_key(body[key]), parent), [])
        if len(same) == 1:   # two QBO objects of one name: a person decides (map link)
            ref = same[0]
            held.add(str(ref.qbo_id))
            changes[record_id] = _adopt(record_id, spec, str(ref.qbo_id), ref.sync_token, ref.name, {})
    return changes


def _read_window(reader, spec: EntitySpec, bodies: dict[int, dict]) -> tuple[list[dict], int]:
    """QBO's objects of the entity dated within the records' dates: one paged query."""
    dates = sorted(b["TxnDate"] for body in bodies.values() for b in _parts_of(spec, body) if b.get("TxnDate"))
    if not dates:
        return [], 0
    quoted = ["'" + d.replace("'", "\\'") + "'" for d in (dates[0], dates[-1])]   # QBO's query quoting
    where = f"TxnDate >= {quoted[0]} AND TxnDate <= {quoted[1]}"
    objects = reader.query_all(spec.qbo_entity, where)
    return objects, len(objects) // PAGE + 1


def _parts_of(spec: EntitySpec, body: dict) -> list[dict]:
    return list(body.values()) if spec.parts else [body]


def _by_write_key(spec: EntitySpec, bodies: dict[int, dict], objects: list[dict]) -> dict[int, dict]:
    """Match by write key; among objects of one key, the one with the same content first."""
    pool: dict[tuple, list[dict]] = {}
    for obj in objects:
        key = spec.write_key(obj)
        if key is not None:
            pool.setdefault(key, []).append(obj)
    wanted = [(record_id, part, body) for record_id, whole in bodies.items()
              for part, body in (whole.items() if spec.parts else [(None, whole)])]
    chosen: dict[tuple, tuple[dict, bool]] = {}
    for exact in (True, False):
        for record_id, part, body in wanted:
            if (record_id, part) in chosen:
                continue
            key = spec.write_key(body)
            candidates = pool.get(key, []) if key is not None else []
            match = next((o for o in candidates if not exact or same_content(body, o)), None)
            if match is not None:
                candidates.remove(match)
                chosen[(record_id, part)] = (match, exact)
    changes = {}
    for record_id, whole in bodies.items():
        if spec.parts:
            objects_now = {}
            for part, body in whole.items():
                if (record_id, part) in chosen:
                    obj, exact = chosen[(record_id, part)]
                    # The hash of what QBO holds: equal to ours means no write; else an update.
                    objects_now[part] = {"id": obj["Id"], "sync_token": obj["SyncToken"],
                                         "hash": parts.body_hash(body) if exact else ADOPTED}
            if objects_now:
                days = ", ".join(whole[part].get("TxnDate", part) for part in objects_now)
                ids = ", ".join(o["id"] for o in objects_now.values())
                change = _adopt(record_id, spec, ids, None, f"entries of {days}", objects_now)
                change["qbo_id"] = objects_now[next(iter(objects_now))]["id"]   # the record's first object
                changes[record_id] = change
        elif (record_id, None) in chosen:
            obj, _exact = chosen[(record_id, None)]
            changes[record_id] = _adopt(record_id, spec, obj["Id"], obj["SyncToken"], str(whole.get("DocNumber")), {})
    return changes


def same_content(body: dict, obj: dict) -> bool:
    """Whether QBO's object already holds every field of our body (references by id, numbers by value)."""
    for field, value in body.items():
        held = obj.get(field)
        if isinstance(value, dict):
            if set(value) <= {"value", "name"}:
                if str(value.get("value")) != str((held or {}).get("value")):
                    return False
            elif value != {k: v for k, v in (held or {}).items() if k in value}:
                return False
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            if value != held and not (isinstance(value, str) and value == (held or "")):
                return False
        elif held is None or float(held) != float(value):
            return False
    return True


def _adopt(record_id: int, spec: EntitySpec, qbo_id: str, sync_token, name: str, objects: dict) -> dict:
    adopted = {"entity": spec.qbo_entity, "qbo_id": qbo_id, "name": name}
    return {"b_id": record_id, "qbo_id": qbo_id, "sync_token": sync_token,
            "qbo_objects": {**objects, ADOPTED: adopted}}
