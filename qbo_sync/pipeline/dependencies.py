"""References between records: a timesheet's employee, project and cost code; a bill's
vendor, projects and cost codes.

Reference records are pushed before the transactions that point at them (the registry's
dependency order). A transaction whose reference is not in QBO, and will not be pushed
earlier in the same run, is Needs Action naming the missing record.
"""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.models import QboRef, Record
from qbo_sync.entities.base import EntitySpec, PayloadError, RefTarget
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.project_links import is_sub_customer
from qbo_sync.qbo import lists


def noun(entity: str) -> str:
    """How a message names one record of `entity` before its id ("Employee E7")."""
    return registry.get(entity).noun or entity


def targets(session, specs_by_name: dict[str, EntitySpec], wanted: set[tuple[str, str]],
            mappings) -> dict[tuple[str, str], RefTarget]:
    """The staged records named in `wanted` ((entity, source id) pairs), in bulk."""
    by_entity: dict[str, list[str]] = {}
    for entity, source_id in wanted:
        by_entity.setdefault(entity, []).append(source_id)
    found: dict[tuple[str, str], RefTarget] = {}
    for entity, ids in by_entity.items():
        spec = specs_by_name[entity]
        for record in staged.rows(session, entity, ("source_id", "name", "status", "qbo_id", "qbo_objects", "data"),
                                  source_ids=sorted(set(ids))):
            # The entity it was created as, even if the mapping changed since.
            qbo_entity = (((record.qbo_objects or {}).get("target") or {}).get("entity")
                          or spec.target(record.data, mappings))
            found[(entity, record.source_id)] = RefTarget(entity, record.source_id, record.name,
                                                         record.status, record.qbo_id, qbo_entity,
                                                         record.data, is_sub_customer(record.qbo_objects))
    return found


def missing_reasons(spec: EntitySpec, record: Record, found: dict[tuple[str, str], RefTarget],
                    pushed_first: set[str]) -> list[str]:
    """Why `record` cannot be pushed because of its references ([] when it can).

    pushed_first: the entities pushed before `spec` in this run; a Needs Sync reference of
    one of them will be in QBO by the time this record is pushed.
    """
    texts = []
    for entity, source_id in spec.refs(record.data):
        label = noun(entity)
        target = found.get((entity, source_id))
        if target is None:
            continue        # not a known record: validation's referential checks name it
        elif target.qbo_id:
            continue        # in QBO already (a pending edit of it does not change its id)
        elif target.status == statuses.NEEDS_SYNC and entity in pushed_first:
            continue
        elif target.status == statuses.NEEDS_SYNC:
            texts.append(f"{label} {source_id} ({target.name}) is not in QuickBooks yet: "
                         f"sync {entity} in the same run, or first")
        else:
            texts.append(f"{label} {source_id} ({target.name}) is not in QuickBooks yet: "
                         "it needs action itself")
    return list(dict.fromkeys(texts))


def unresolved(spec: EntitySpec, record: Record, found: dict[tuple[str, str], RefTarget]) -> list[str]:
    """At push time: references still without a QBO id (their own push failed)."""
    texts = []
    for entity, source_id in spec.refs(record.data):
        target = found.get((entity, source_id))
        if target is None or not target.qbo_id:
            name = f" ({target.name})" if target else ""
            texts.append(f"{noun(entity)} {source_id}{name} is not in QuickBooks yet: "
                         "it needs action itself")
    return list(dict.fromkeys(texts))


class NamedIds(dict):
    """QBO account and class ids by name; a missing name is a PayloadError that says where
    the name came from."""

    def __missing__(self, name):
        if isinstance(name, tuple):
            kind = lists.TRACKING_KIND[name[0]]
            raise PayloadError(f"QuickBooks has no active {kind} named \"{name[1]}\" (named in the "
                               "mapping settings): create it in QuickBooks or change the mapping")
        raise PayloadError(f"QuickBooks has no account or class named \"{name}\" (named in the "
                           "mapping settings): create it in QuickBooks or change the mapping")


def account_ids(session) -> NamedIds:
    """Ids by name (accounts, then classes), and by (entity, name) for classes and locations,
    whose names may repeat an account's."""
    ids = NamedIds()
    for ref in session.scalars(select(QboRef).where(QboRef.entity.in_(lists.POSTING_LISTS),
                                                    QboRef.active.is_(True))):
        if ref.entity != lists.LOCATION:
            ids.setdefault(ref.name, ref.qbo_id)
        ids.setdefault((ref.entity, ref.name), ref.qbo_id)
    return ids
