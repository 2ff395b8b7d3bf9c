"""The five stages over a set of entities: what the Prefect tasks run, and what tests call.

Each function takes the Resources (staging database, source, QBO) and works on sets of
records, never one record at a time.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import mappings, statuses
from qbo_sync.db.models import Record
from qbo_sync.entities.base import PayloadContext
from qbo_sync.pipeline import (adoption, collector, documents, fingerprints, importing, mapping, matching,
                               notified, payments, project_links, pushing, reconcile, staging_lock, tracking,
                               validating)
from qbo_sync.pipeline.preview import Preview, build_preview
from qbo_sync.qbo.metering import ReadBudgetSpent
from qbo_sync.resources import Resources


@collector.paused
def run_import(res: Resources, entity_names: list[str] | None, mode: str, ids: list[str] | None = None,
               scheduled: bool = False, flow_run_id: str | None = None) -> list[importing.ImportResult]:
    specs = registry.resolve(entity_names)
    rules = {spec.name: res.settings.sync.rule(spec.name) if scheduled else None for spec in specs}
    with staging_lock.staging(res.db):
        return importing.import_entities(res.db, res.source, specs, mode, ids=ids, rules=rules,
                                         flow_run_id=flow_run_id)


@collector.paused
def run_validate(res: Resources, entity_names: list[str] | None) -> list[validating.ValidateResult]:
    with staging_lock.staging(res.db):
        return [validating.validate_entity(res.db, spec, res.settings.validations_dir)
                for spec in registry.resolve(entity_names)]


@collector.paused
def run_map(res: Resources, entity_names: list[str] | None) -> list[mapping.MapResult]:
    """Links (a project's client), matching by name, the references of transactions, and
    reconcile of the records about to be written over."""
    with staging_lock.staging(res.db):
        return _map(res, entity_names)


def _map(res: Resources, entity_names: list[str] | None) -> list[mapping.MapResult]:
    from qbo_sync.qbo import references

    specs = registry.resolve(entity_names)
    wanted = {rule.qbo_entity for spec in specs for rule in spec.links} | {e for s in specs for e in s.pulls}
    run_entities = [spec.name for spec in specs]
    try:
        # Optional reads: past the monthly read budget the staged copies serve as they are.
        res.reader.meter.check_optional("the reference lists and QuickBooks-side changes")
        if wanted:
            references.pull(res.db, res.reader, tuple(e for e in references.REFERENCE_ENTITIES if e in wanted))
        # Payments made in QuickBooks: shown, and a paid record changed in the source is held back.
        payments.refresh(res.db, res.reader, specs)
        # Records synced before and edited in the source since: changed or deleted in QBO meanwhile,
        # they become Needs Action here instead of being overwritten or re-created by the push.
        reconcile.reconcile(res.db, res.reader, entities=run_entities, edited_only=True)
        # Objects QuickBooks announced by webhook since the last check: exactly those, no CDC.
        notified.reconcile_notified(res.db, res.reader)
    except ReadBudgetSpent as spent:
        print(spent)
    documents.check(res.db, res.source, specs)   # files QuickBooks would refuse, named before any write
    pushing.check_mode(res.reader, res.settings.sync)
    maps = mappings.for_resources(res)
    tracking.check(res.reader, specs, maps)   # classes and locations vs the company's Preferences
    results = []
    for spec in specs:
        result = mapping.map_entity(res.db, spec, res.settings.sync)
        project_links.link_existing(res.db, spec, res.settings.sync)
        matched = matching.match_entity(res.db, spec, maps, run_entities)
        result.checked = max(result.checked, matched.checked)
        result.linked += matched.linked
        result.missing += [s for s in matched.needs_action if s not in result.missing]
        # Before the preview, so that it says "link" where the push will update an existing object.
        result.adopted = adoption.adopt_entity(res.db, res.reader, spec, res.settings.sync, maps).adopted
        results.append(result)
    return results


@collector.paused
def run_preview(res: Resources, entity_names: list[str] | None,
                ids: list[str] | None = None) -> Preview:
    specs = registry.resolve(entity_names)
    selection = {spec.name: list(ids) for spec in specs} if ids else None
    maps = mappings.for_resources(res)
    deleting = {spec.name for spec in specs if spec.delete_rule and spec.delete_rule(maps)}
    context = PayloadContext(sync=res.settings.sync, mappings=maps)
    with staging_lock.staging(res.db):   # it settles records back in step with QBO
        preview = build_preview(res.db, specs, selection, delete_in_qbo=deleting, context=context)
    if selection is None:
        preview.attachments = {spec.name: n for spec in specs
                               if spec.document and (n := len(documents.to_attach(res.db, res.source, spec)))}
    return preview


def run_push(res: Resources, preview: Preview, flow_run_id: str | None = None,
             on_progress: Callable[[int, int], None] | None = None) -> list[pushing.PushResult]:
    engine = res.push_engine()
    results = []
    in_preview = {row.entity for row in preview.rows} | set(preview.attachments)
    for spec in [s for s in registry.resolve(None) if s.name in in_preview]:   # dependency order
        rows = preview.to_push(spec.name)
        if rows:
            results.append(pushing.push_entity(res.db, engine, spec, res.settings.sync, rows,
                                               flow_run_id=flow_run_id, on_progress=on_progress,
                                               mappings=mappings.for_resources(res)))
        if spec.document:   # the objects just written, and documents changed since they were attached
            documents.attach(res.db, engine, res.source, spec, flow_run_id)
    return results


def prepare_retry(res: Resources, records: list[Record], flow_run_id: str | None = None) -> dict[str, list[str]]:
    """Read the records again from the source and give Failed ones a fresh start.

    The fix for a failure is usually made in the source, so the source is read again;
    when the fix was made in QBO instead, the unchanged record still gets pushed again.
    """
    by_entity: dict[str, list[str]] = {}
    for record in records:
        by_entity.setdefault(record.entity, []).append(record.source_id)
    with staging_lock.staging(res.db):
        for entity, ids in by_entity.items():
            importing.import_entity(res.db, res.source, registry.get(entity), "selected", ids=ids,
                                    flow_run_id=flow_run_id)
        _pending_again(res, records)
    return by_entity


def _pending_again(res: Resources, records: list[Record]) -> None:
    with res.db.session() as session, session.begin():
        for record in records:
            current = session.get(Record, record.id)
            if current.status == statuses.FAILED:
                again = statuses.checked(current.reasons, statuses.Stage.PUSH, [])
                current.reasons, current.status = again["reasons"], again["status"]
                fingerprints.pending_again(session, current.entity)


def failed_records(res: Resources) -> list[Record]:
    with res.db.session() as session:
        return list(session.scalars(select(Record).where(Record.status == statuses.FAILED)
                                    .order_by(Record.id)))
