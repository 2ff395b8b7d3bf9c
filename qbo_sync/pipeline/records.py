"""Reading and updating staged records in sets: the helpers every stage shares."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update

from qbo_sync import record_refs
from qbo_sync.db.models import Record
from qbo_sync.record_refs import RecordNotFound  # noqa: F401 - raised by find(); callers import it here
from qbo_sync.sources.schema import TABLES

if TYPE_CHECKING:   # pandas is imported by frame() only: the read-only verbs never need it
    import pandas as pd

CHUNK = 900  # stays under SQLite's bound-parameter limit for IN lists


def load(session, entity: str, statuses: tuple[str, ...] | None = None,
         record_ids: list[int] | None = None, source_ids: list[str] | None = None) -> list[Record]:
    """Staged records of an entity, optionally narrowed by status and by ids."""
    return _read(session.scalars, select(Record), entity, statuses, record_ids, source_ids)


def rows(session, entity: str, columns: tuple[str, ...], statuses: tuple[str, ...] | None = None,
         record_ids: list[int] | None = None, source_ids: list[str] | None = None) -> list:
    """Like load(), but only `columns` of each record, as read-only rows (row.id, row.data...).

    The stages read tens of thousands of records per run; building ORM objects and decoding
    every JSON column for each costs more than the stage's own work.
    """
    columns_only = select(*(getattr(Record, c) for c in dict.fromkeys(("id", *columns))))
    return _read(session.execute, columns_only, entity, statuses, record_ids, source_ids)


def _read(fetch, base, entity, statuses, record_ids, source_ids) -> list:
    """load() and rows(): the entity's records not deleted in the source, narrowed, by id."""
    base = base.where(Record.entity == entity, Record.deleted_in_source.is_(False))
    if statuses:
        base = base.where(Record.status.in_(statuses))
    if record_ids is None and source_ids is None:
        return list(fetch(base.order_by(Record.id)))
    found: dict[int, object] = {}
    for column, ids in ((Record.id, record_ids), (Record.source_id, source_ids)):
        for start in range(0, len(ids or ()), CHUNK):
            found.update((r.id, r) for r in fetch(base.where(column.in_(ids[start:start + CHUNK]))))
    return [found[i] for i in sorted(found)]


def frame(entity: str, records: list) -> pd.DataFrame:
    """The records' source rows as a DataFrame with the table's columns."""
    import pandas as pd

    return pd.DataFrame([r.data for r in records], columns=list(TABLES[entity])).fillna("")


def bulk_update(session, changes: list[dict]) -> None:
    """Apply {"b_id": record id, column: value, ...} rows, one statement per set of columns."""
    now = datetime.now(timezone.utc)
    by_columns: dict[tuple[str, ...], list[dict]] = {}
    for change in changes:
        by_columns.setdefault(tuple(sorted(k for k in change if k != "b_id")), []).append(change)
    for columns, group in by_columns.items():
        stamped = [c if "updated_at" in columns else {**c, "updated_at": now} for c in group]
        names = dict.fromkeys((*columns, "updated_at"))
        statement = (update(Record).where(Record.id == bindparam("b_id"))
                     .values({k: bindparam(k) for k in names}))
        session.connection().execute(statement, stamped)


def find(session, text: str) -> Record:
    """A record as a user names it (qbo_sync.record_refs): number, ENTITY/SOURCE_ID, or a unique source id."""
    ref = record_refs.parse(text)
    if ref.number is not None:
        record = session.get(Record, ref.number)
        if record is not None:
            return record
    if ref.entity is not None:
        record = session.scalar(select(Record).where(Record.entity == ref.entity, Record.source_id == ref.source_id))
        if record is None:
            raise ref.missing_in_entity()
        return record
    return ref.one_of(list(session.scalars(select(Record).where(Record.source_id == ref.source_id))))
