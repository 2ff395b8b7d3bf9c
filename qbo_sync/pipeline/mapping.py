"""Map: permanent links to QBO (a project's client customer) and manual mapping.

A link is written once. The database refuses any change to it (triggers on
record_links), so no code path, present or future, can move a project to another
client after QBO holds transactions against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import QboRef, Record, RecordLink
from qbo_sync.entities.base import EntitySpec, LinkedObject, LinkRule
from qbo_sync.entities.names import name_key
from qbo_sync.pipeline import fingerprints
from qbo_sync.pipeline import records as staged
from qbo_sync.settings import SyncSettings


class MappingError(Exception):
    """A mapping the user asked for that cannot be made; nothing was changed."""


@dataclass
class MapResult:
    entity: str
    checked: int = 0
    linked: int = 0               # links made now by auto_confirm_customer
    suggested: int = 0
    adopted: int = 0              # linked now to an object QBO already holds (pipeline/adoption.py)
    missing: list[str] = field(default_factory=list)   # source ids still without a link


def links_of(session, record_ids: list[int]) -> dict[int, dict[str, LinkedObject]]:
    found: dict[int, dict[str, LinkedObject]] = {}
    for start in range(0, len(record_ids), staged.CHUNK):
        chunk = record_ids[start:start + staged.CHUNK]
        for link in session.scalars(select(RecordLink).where(RecordLink.record_id.in_(chunk))):
            found.setdefault(link.record_id, {})[link.role] = LinkedObject(link.qbo_id, link.qbo_name)
    return found


def _refs_by_name(session, qbo_entity: str, top_level_only: bool = False) -> dict[str, list]:
    """Active refs by name_key: (qbo_id, name) rows, without the QBO object's JSON.
    top_level_only: none with a parent (a job or a project is never a project's client)."""
    query = select(QboRef.qbo_id, QboRef.name).where(QboRef.entity == qbo_entity, QboRef.active.is_(True))
    if top_level_only:
        query = query.where(QboRef.parent_id.is_(None))
    index: dict[str, list] = {}
    for ref in session.execute(query):
        index.setdefault(name_key(ref.name), []).append(ref)
    return index


def map_entity(db: StagingDb, spec: EntitySpec, sync: SyncSettings,
               record_ids: list[int] | None = None) -> MapResult:
    """Suggest links by name, make them when auto_confirm_customer is on, and settle statuses."""
    result = MapResult(spec.name)
    if not spec.links:   # nothing of this entity is linked by hand, so it never has a "map" reason
        return result
    with db.session() as session, session.begin():
        pending = staged.rows(session, spec.name, ("source_id", "data", "reasons", "status", "suggestions"),
                              statuses.PENDING, record_ids=record_ids)
        result.checked = len(pending)
        links = links_of(session, [r.id for r in pending])
        suggestions = {r.id: dict(r.suggestions or {}) for r in pending}
        new_links = []
        now = datetime.now(timezone.utc)
        for rule in spec.links:
            index = _refs_by_name(session, rule.qbo_entity, rule.top_level_only)
            for record in pending:
                if rule.role in links.get(record.id, {}):
                    continue
                matches = index.get(name_key(record.data.get(rule.match_column)), [])
                suggestion = matches[0] if len(matches) == 1 else None
                if suggestion is not None and sync.auto_confirm_customer:
                    new_links.append(_link_row(record.id, rule, suggestion, "auto_confirm_customer", now))
                    links.setdefault(record.id, {})[rule.role] = LinkedObject(suggestion.qbo_id, suggestion.name)
                    result.linked += 1
                    continue
                if suggestion is not None:
                    suggestions[record.id][rule.role] = {"qbo_id": suggestion.qbo_id, "name": suggestion.name}
                    result.suggested += 1
        if new_links:
            session.execute(insert(RecordLink), new_links)
        changes = []
        for record in pending:
            texts = [_missing_reason(rule, record.data, suggestions[record.id]) for rule in spec.links
                     if rule.role not in links.get(record.id, {})]
            if texts:
                result.missing.append(record.source_id)
            reasons, status = statuses.checked(record.reasons, statuses.Stage.MAP, texts).values()
            change = {}
            if suggestions[record.id] != (record.suggestions or {}):
                change["suggestions"] = suggestions[record.id]
            if reasons != record.reasons or status != record.status:
                change.update(reasons=reasons, status=status)
            if change:
                changes.append({"b_id": record.id, **change})
        staged.bulk_update(session, changes)
    return result


def _missing_reason(rule: LinkRule, data: dict, suggestions: dict) -> str:
    value = data.get(rule.match_column) or ""
    suggestion = suggestions.get(rule.role)
    if suggestion:
        return f"{rule.missing_reason}: confirm the suggested \"{suggestion['name']}\""
    if value:
        return f"{rule.missing_reason}: no QBO {rule.qbo_entity.lower()} is named \"{value}\""
    return rule.missing_reason


def _link_row(record_id: int, rule: LinkRule, ref, linked_by: str, now: datetime) -> dict:
    return dict(record_id=record_id, role=rule.role, qbo_entity=rule.qbo_entity, qbo_id=ref.qbo_id,
                qbo_name=ref.name, linked_at=now, linked_by=linked_by)


def confirm_link(db: StagingDb, spec: EntitySpec, source_id: str, target: str,
                 role: str = "customer", linked_by: str = "user") -> LinkedObject:
    """Link a staged record to a QBO object given by id or exact name; once, for good."""
    rule = next((r for r in spec.links if r.role == role), None)
    if rule is None:
        raise MappingError(f"{spec.label} have no {role} link")
    try:
        with db.session() as session, session.begin():
            record = session.scalar(select(Record).where(Record.entity == spec.name,
                                                         Record.source_id == source_id))
            if record is None:
                raise MappingError(f"no staged {spec.name} record with id {source_id}: import it first")
            existing = session.get(RecordLink, (record.id, role))
            if existing is not None:
                raise MappingError(
                    f"{spec.label[:-1]} {source_id} is already linked to QBO {rule.qbo_entity.lower()} "
                    f"\"{existing.qbo_name}\" (id {existing.qbo_id}). The link is permanent and was not changed.")
            ref = _find_ref(session, rule.qbo_entity, target)
            if rule.top_level_only and ref.parent_id:
                raise MappingError(
                    f"QBO {rule.qbo_entity.lower()} \"{ref.fully_qualified_name or ref.name}\" is a job or project "
                    f"under another customer, not a client: choose the client itself. Nothing was linked.")
            session.execute(insert(RecordLink), [_link_row(record.id, rule, ref, linked_by,
                                                           datetime.now(timezone.utc))])
            return LinkedObject(ref.qbo_id, ref.name)
    except IntegrityError:
        # Another process linked it between our read and our write: the database refused ours.
        raise MappingError(f"{spec.label[:-1]} {source_id} is already linked; the link is permanent "
                           "and was not changed.") from None


def _find_ref(session, qbo_entity: str, target: str) -> QboRef:
    by_id = session.get(QboRef, (qbo_entity, target))
    if by_id is not None:
        candidates = [by_id]
    else:
        # Compared in Python (name_key), not by the database's lower(): see entities/names.py.
        wanted = name_key(target)
        candidates = [ref for ref in session.scalars(select(QboRef).where(QboRef.entity == qbo_entity))
                      if name_key(ref.name) == wanted]
    if not candidates:
        raise MappingError(f"no QBO {qbo_entity.lower()} has the id or name \"{target}\" "
                           "(run qbo-sync pull if it was added in QuickBooks just now)")
    if len(candidates) > 1:
        ids = ", ".join(c.qbo_id for c in candidates)
        raise MappingError(f"several QBO {qbo_entity.lower()}s are named \"{target}\" (ids {ids}): give the id")
    if not candidates[0].active:
        raise MappingError(f"QBO {qbo_entity.lower()} \"{candidates[0].name}\" is inactive: make it active first")
    return candidates[0]


def link_existing(db: StagingDb, spec: EntitySpec, source_id: str, qbo_id: str,
                  qbo_object: dict) -> None:
    """Manual mapping: the record's QBO object is `qbo_id` (read from QBO as `qbo_object`),
    so the next push updates it instead of creating a duplicate."""
    with db.session() as session, session.begin():
        record = session.scalar(select(Record).where(Record.entity == spec.name, Record.source_id == source_id))
        if record is None:
            raise MappingError(f"no staged {spec.name} record with id {source_id}: import it first")
        if record.qbo_id and record.qbo_id != qbo_id:
            raise MappingError(f"{spec.label[:-1]} {source_id} is already synced to QBO "
                               f"{spec.qbo_entity.lower()} id {record.qbo_id}; nothing was changed")
        other = session.scalar(select(Record).where(Record.entity == spec.name, Record.qbo_id == qbo_id,
                                                    Record.id != record.id))
        if other is not None:
            raise MappingError(f"QBO {spec.qbo_entity.lower()} id {qbo_id} is already the target of "
                               f"{spec.name} record {other.source_id}; nothing was changed")
        record.qbo_id, record.sync_token = qbo_id, qbo_object.get("SyncToken")
        record.synced_hash = None   # QBO's copy may differ from the source: the next push updates it
        if record.status in (statuses.SYNCED, statuses.FAILED):
            record.status, record.reasons = statuses.NEEDS_SYNC, []
            fingerprints.pending_again(session, spec.name)
        record.updated_at = datetime.now(timezone.utc)
