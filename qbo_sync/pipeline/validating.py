"""Validate: run the entity's Great Expectations suite over its pending records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import json

import pandas as pd
from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import Record
from qbo_sync.entities.base import EntitySpec
from qbo_sync.pipeline import fingerprints
from qbo_sync.pipeline import records as staged
from qbo_sync.sources.schema import TABLES

STAGE = statuses.Stage.VALIDATE
# Suite parameter -> the entity whose staged source ids it lists (referential checks).
KNOWN = {spec.known_ids_parameter: spec.name for spec in registry.ENTITIES.values() if spec.known_ids_parameter}


@dataclass
class ValidateResult:
    entity: str
    checked: int
    failed: int
    passed: int
    became_needs_action: list[str]
    became_ready: list[str]
    unchanged: bool = False   # same records, suite and known ids as the last check: not re-run


def validate_entity(db: StagingDb, spec: EntitySpec, suites_dir: Path,
                    record_ids: list[int] | None = None, parameters: dict | None = None) -> ValidateResult:
    from qbo_sync.validation import validate_frame   # imports Great Expectations: only here
    from qbo_sync.validation.suites import read_suite_json

    with db.session() as session, session.begin():
        if parameters is None:
            parameters = known_ids(session, spec.suite_parameters)
        fingerprint = None
        if record_ids is None:
            suites = [read_suite_json(name, suites_dir) for name in (spec.suite, spec.child_table) if name]
            fingerprint = fingerprints.of(_checked_population(session, spec, suites), suites,
                                          {k: sorted(v) for k, v in parameters.items()})
            if fingerprints.matches(session, spec.name, STAGE, fingerprint):
                checked = staged.rows(session, spec.name, ("reasons",), statuses.PENDING)
                failed = sum(1 for r in checked if any(x.get("stage") == STAGE for x in r.reasons or []))
                return ValidateResult(spec.name, len(checked), failed, len(checked) - failed, [], [],
                                      unchanged=True)
        pending = staged.rows(session, spec.name, ("source_id", "data", "reasons", "status"),
                              statuses.PENDING, record_ids=record_ids)
        if not pending:
            return ValidateResult(spec.name, 0, 0, 0, [], [])
        outcome = validate_frame(suite_name=spec.suite, df=staged.frame(spec.name, pending),
                                 key=spec.key, parameters=parameters, suites_dir=suites_dir)
        found = {k: list(v) for k, v in outcome.reasons.items()}
        if spec.child_table:
            for key, texts in _child_reasons(spec, pending, parameters, suites_dir).items():
                found.setdefault(key, []).extend(t for t in texts if t not in found.get(key, []))
        changes, to_action, to_ready = [], [], []
        for record in pending:
            reasons, status = statuses.checked(record.reasons, STAGE, found.get(record.source_id, [])).values()
            if reasons != record.reasons or status != record.status:
                changes.append({"b_id": record.id, "reasons": reasons, "status": status})
                (to_action if status == statuses.NEEDS_ACTION else to_ready).append(record.source_id)
        staged.bulk_update(session, changes)
        if fingerprint is None:   # a part was checked: cross-row checks (unique names) saw only it
            fingerprints.forget(session, spec.name, STAGE)
        else:
            fingerprints.remember(session, spec.name, STAGE, fingerprint)
    failed = sum(1 for r in pending if found.get(r.source_id))
    return ValidateResult(spec.name, len(pending), failed, len(pending) - failed, to_action, to_ready)


def _checked_population(session, spec: EntitySpec, suites: list[dict]) -> list:
    """What a validation's outcome depends on besides the suites and the known ids.

    The suites run over the pending records. A record leaves them when it is pushed, which it
    only is after passing every check, so the other records' outcomes (a unique name, say) do
    not depend on it: every staged record's content is the input, not which are pending. Not
    so when a check allows some failures ("mostly"), so then the pending set counts too.
    Records that come back to pending without an edit (retry, reconcile, manual mapping)
    forget the fingerprint (fingerprints.pending_again).
    """
    contents = [[r.id, r.content_hash] for r in staged.rows(session, spec.name, ("content_hash",))]
    tolerant = any("mostly" in (e.get("kwargs") or {}) for suite in suites for e in suite["expectations"])
    if not tolerant:
        return contents
    return [contents, [r.id for r in staged.rows(session, spec.name, (), statuses.PENDING)]]


def known_ids(session, names: tuple[str, ...]) -> dict[str, list[str]]:
    """The suite parameters `names`: the source ids staged for each referenced entity."""
    return {name: list(session.scalars(select(Record.source_id).where(
        Record.entity == KNOWN[name], Record.deleted_in_source.is_(False)))) for name in names}


def _child_reasons(spec: EntitySpec, pending, parameters: dict, suites_dir: Path) -> dict[str, list[str]]:
    """The child suite's reasons (a bill's lines), on the parent; a parent without children too."""
    from qbo_sync.validation import validate_frame

    rows, reasons = [], {}
    for record in pending:
        children = json.loads(record.data.get("lines") or "[]")
        if not children:
            reasons[record.source_id] = [f"{spec.label[:-1]} {record.source_id} has no lines"]
        rows += [{**child, spec.key: record.source_id} for child in children]
    if rows:
        frame = pd.DataFrame(rows, columns=list(TABLES[spec.child_table])).fillna("")
        needed = {k: v for k, v in parameters.items() if k in ("known_cost_codes", "known_project_ids")}
        outcome = validate_frame(suite_name=spec.child_table, df=frame, key=spec.key,
                                 parameters=needed, suites_dir=suites_dir)
        for key, texts in outcome.reasons.items():
            reasons.setdefault(key, []).extend(texts)
    return reasons
