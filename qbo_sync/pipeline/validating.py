"""Validate: run the entity's Great Expectations suite over its pending records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.entities.base import EntitySpec
from qbo_sync.pipeline import records as staged


@dataclass
class ValidateResult:
    entity: str
    checked: int
    failed: int
    passed: int
    became_needs_action: list[str]
    became_ready: list[str]


def validate_entity(db: StagingDb, spec: EntitySpec, suites_dir: Path,
                    record_ids: list[int] | None = None, parameters: dict | None = None) -> ValidateResult:
    from qbo_sync.validation import validate_frame   # imports Great Expectations: only here

    with db.session() as session, session.begin():
        pending = staged.load(session, spec.name, statuses.PENDING, record_ids=record_ids)
        if not pending:
            return ValidateResult(spec.name, 0, 0, 0, [], [])
        outcome = validate_frame(suite_name=spec.suite, df=staged.frame(spec.name, pending),
                                 key=spec.key, parameters=parameters or {}, suites_dir=suites_dir)
        changes, to_action, to_ready = [], [], []
        for record in pending:
            reasons = statuses.replace_stage(record.reasons, "validate",
                                             outcome.reasons.get(record.source_id, []))
            status = statuses.settle(reasons)
            if reasons != record.reasons or status != record.status:
                changes.append({"b_id": record.id, "reasons": reasons, "status": status})
                (to_action if status == statuses.NEEDS_ACTION else to_ready).append(record.source_id)
        staged.bulk_update(session, changes)
    failed = sum(1 for r in pending if r.source_id in outcome.reasons)
    return ValidateResult(spec.name, len(pending), failed, len(pending) - failed, to_action, to_ready)
