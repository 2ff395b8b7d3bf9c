"""`qbo-sync validate`: rerun only the validations after a suite was tuned, and say which
records changed status (nothing is imported, mapped or pushed)."""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.models import Record


def _snapshot(db, names: list[str]) -> dict[int, tuple]:
    with db.session() as session:
        return {r.id: (r.entity, r.source_id, r.name, r.status)
                for r in session.scalars(select(Record).where(Record.entity.in_(names),
                                                              Record.deleted_in_source.is_(False)))}


def revalidate(res, entity_names: list[str] | None) -> list[dict]:
    from qbo_sync.pipeline.stages import run_validate

    names = [s.name for s in registry.resolve(entity_names)]
    before = _snapshot(res.db, names)
    run_validate(res, entity_names)
    after = _snapshot(res.db, names)
    changed = [rid for rid in after if rid in before and before[rid][3] != after[rid][3]]
    reasons = {}
    if changed:
        with res.db.session() as session:
            reasons = {r.id: statuses.reason_texts(r.reasons)
                       for r in session.scalars(select(Record).where(Record.id.in_(changed)))}
    return [{"record": rid, "entity": after[rid][0], "source_id": after[rid][1], "name": after[rid][2],
             "before": statuses.label(before[rid][3]), "after": statuses.label(after[rid][3]),
             "reasons": reasons.get(rid, [])} for rid in changed]
