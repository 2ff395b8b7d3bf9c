"""Recovery of in-doubt writes: creates an earlier run sent without recording QBO's answer.

Before such a create is sent again, the object it may have made is looked for in QBO, as its
entity declares (EntitySpec.find_again); found, it is adopted and updated, never duplicated.
List entities need no rule here: every create of theirs is matched by name (operations.py).
"""

from __future__ import annotations

from qbo_sync.pipeline.adoption import held_ids
from qbo_sync.pipeline.preview import CREATE
from qbo_sync.pipeline.push_run import PushRun
from qbo_sync.qbo.engine import Operation


def quote(value: str) -> str:
    """A string literal of QBO's query language: only the quote is escaped, with a backslash."""
    return "'" + value.replace("'", "\\'") + "'"


def recover_in_doubt(run: PushRun, operations: list[Operation], doubt: dict) -> int:
    """Adopt the objects QBO already holds for the in-doubt creates; the number adopted.

    An object is adopted once, and only if no staged record of the entity holds it already:
    a week's alike days, or two alike bills, are each found once."""
    rule = run.spec.find_again
    if rule is None:
        return 0
    creates = [op for op in operations if op.action == CREATE and str(op.key) in doubt
               and op.writer == "rest" and op.body.get(rule.field)]
    if not creates:
        return 0
    with run.db.session() as session:
        held = held_ids(session, run.spec.name)
    adopted = 0
    for entity in dict.fromkeys(op.qbo_entity for op in creates):
        mine = [op for op in creates if op.qbo_entity == entity]
        candidates: dict[tuple, list[dict]] = {}
        for obj in _query(run, entity, rule.field, rule.batch, [op.body[rule.field] for op in mine]):
            if str(obj["Id"]) not in held:
                candidates.setdefault(rule.same(obj), []).append(obj)
        for op in mine:
            found = candidates.get(rule.same(op.body))
            if found:
                adopt(op, found.pop(0))
                adopted += 1
    return adopted


def adopt(op: Operation, obj: dict) -> None:
    """A create turned into a sparse update of the object QBO already holds."""
    op.action = "update"
    op.body = {**op.body, "Id": obj["Id"], "SyncToken": obj["SyncToken"], "sparse": True}


def _query(run: PushRun, entity: str, field: str, batch: int, values: list[str]) -> list[dict]:
    values = sorted(dict.fromkeys(values))
    found: list[dict] = []
    for start in range(0, len(values), batch):
        chunk = values[start:start + batch]
        where = (f"{field} = {quote(chunk[0])}" if len(chunk) == 1
                 else f"{field} IN ({', '.join(quote(v) for v in chunk)})")
        found += run.engine.reader.query_all(entity, where)
    return found
