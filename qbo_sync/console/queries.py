"""Read-only queries behind the console's lists: one page of one entity, filtered.

Each page is three small queries (counts per status, the page, its links), whatever the
number of staged records, plus one for the names of the records the page's rows point at (a
timesheet's employee). Paging is by OFFSET over the record number, which the (entity, status)
index and the primary key keep cheap at tens of thousands of records. The filter's totals
read every matching record, so the page asks for them apart (totals()), once it has shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import Float, Numeric, case, cast, func, literal_column, or_, select

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import QboRef, Record, RecordLink
from qbo_sync.console import cells
from qbo_sync.entities.base import EntitySpec, Listed

PAGE_SIZES = (50, 100, 200)


@dataclass(frozen=True)
class ListQuery:
    entity: str
    status: str | None = None     # a status code, or None for every status
    search: str = ""              # part of the name or the source id, any case
    page: int = 1
    per_page: int = 50


@dataclass
class ListPage:
    query: ListQuery
    rows: list[dict]
    total: int                                   # records matching the filter
    status_counts: dict[str, int] = field(default_factory=dict)   # per status, search applied

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(query: ListQuery, sqlite: bool, by_status: bool = False):
    if sqlite and not by_status:
        # SQLite would walk the (entity, status) index and then fetch each row in index order
        # (5-10x slower at 50,000 records than one scan in id order, which also gives the
        # page order for free); the unary + keeps it off that index.
        entity = literal_column("+records.entity") == query.entity
    else:
        entity = Record.entity == query.entity
    conditions = [entity, Record.deleted_in_source.is_(False)]
    text = query.search.strip()
    if text:
        pattern = f"%{_escape_like(text)}%"
        # SQLite's LIKE already ignores case (for ASCII) and lower() would double the scan time.
        match = (lambda column: column.like(pattern, escape="\\")) if sqlite else \
            (lambda column: column.ilike(pattern, escape="\\"))
        conditions.append(or_(match(Record.name), match(Record.source_id)))
    return conditions


def list_page(db: StagingDb, spec: EntitySpec, query: ListQuery, mappings=None) -> ListPage:
    sqlite = db.engine.dialect.name == "sqlite"
    conditions = _filtered(query, sqlite)
    with db.session() as session:
        counts = {code: 0 for code in statuses.LABELS}
        for status, n in session.execute(select(Record.status, func.count())
                                         .where(*conditions).group_by(Record.status)):
            counts[status] = n
        if query.status:
            # By status, the (entity, status) index holds the page's rows in id order.
            conditions = _filtered(query, sqlite, by_status=True) + [Record.status == query.status]
        total = counts.get(query.status, 0) if query.status else sum(counts.values())
        page = min(max(1, query.page), max(1, math.ceil(total / query.per_page)))
        query = ListQuery(query.entity, query.status, query.search, page, query.per_page)
        records = session.execute(
            select(Record.id, Record.source_id, Record.name, Record.data, Record.status, Record.reasons,
                   Record.qbo_id, Record.synced_at, Record.suggestions, Record.qbo_objects)
            .where(*conditions).order_by(Record.id)
            .offset((page - 1) * query.per_page).limit(query.per_page)).all()
        links: dict[int, dict[str, dict]] = {}
        if spec.links and records:
            for link in session.scalars(select(RecordLink).where(
                    RecordLink.record_id.in_([r.id for r in records]))):
                links.setdefault(link.record_id, {})[link.role] = {
                    "qbo_id": link.qbo_id, "name": link.qbo_name, "linked_by": link.linked_by,
                    "linked_at": link.linked_at}
        listed = {r.id: Listed(r.qbo_objects or {}, mappings) for r in records}
        values = {r.id: [column.value(r.data or {}, listed[r.id]) for column in spec.columns]
                  for r in records}
        names = _ref_names(session, spec, values)
    rows = [{
        "id": r.id, "source_id": r.source_id, "name": r.name,
        "columns": [(r.data or {}).get(c, "") for c in spec.list_columns],
        "cells": [cells.cell(column, value, names) for column, value in zip(spec.columns, values[r.id])],
        "position": (page - 1) * query.per_page + n + 1,
        "reconcile": (r.qbo_objects or {}).get("reconcile"),
        "status": r.status, "status_label": statuses.label(r.status),
        "reasons": statuses.reason_texts(r.reasons),
        "qbo_id": r.qbo_id,
        "synced": r.synced_at.strftime("%Y-%m-%d %H:%M") if r.synced_at else "Not Synced",
        "links": links.get(r.id, {}), "suggestions": r.suggestions or {},
    } for n, r in enumerate(records)]
    return ListPage(query, rows, total, counts)


def _ref_names(session, spec: EntitySpec, values: dict[int, list]) -> dict[tuple[str, str], str]:
    """{(entity, source id): record name} for the ids the page's ref columns hold."""
    wanted: dict[str, set[str]] = {}
    for row in values.values():
        for column, value in zip(spec.columns, row):
            if column.ref and value:
                wanted.setdefault(column.ref, set()).add(str(value))
    if not wanted:
        return {}
    found = session.execute(select(Record.entity, Record.source_id, Record.name).where(or_(*(
        (Record.entity == entity) & Record.source_id.in_(sorted(ids)) for entity, ids in wanted.items()))))
    return {(r.entity, r.source_id): r.name for r in found}


def totals(db: StagingDb, spec: EntitySpec, query: ListQuery, mappings=None) -> list[str | None]:
    """The sum of each total column over every record matching the filter (not only the page);
    None for the other columns.

    Columns that say where their numbers are (Column.sums) are summed by the database in one
    query (the seven days of 50,000 timesheets in about half a second on SQLite); the others
    row by row in Python.
    """
    sqlite = db.engine.dialect.name == "sqlite"
    conditions = _filtered(query, sqlite, by_status=bool(query.status))
    if query.status:
        conditions.append(Record.status == query.status)
    with db.session() as session:
        return _totals(session, spec, conditions, mappings)


def _totals(session, spec: EntitySpec, conditions, mappings) -> list[str | None]:
    sums = [cells.Total() if column.total else None for column in spec.columns]
    # Each path once (the week's total is the sum of the days' sums).
    paths = list(dict.fromkeys(path for column in spec.columns if column.total for path in column.sums))
    if paths:
        sqlite = session.get_bind().dialect.name == "sqlite"
        found = dict(zip(paths, session.execute(select(*(func.sum(_number_at(path, sqlite)) for path in paths))
                                                .where(*conditions)).one()))
        for column, total in zip(spec.columns, sums):
            for path in column.sums if total is not None else ():
                total.add(found[path])
    by_row = [i for i, column in enumerate(spec.columns) if column.total and not column.sums]
    if by_row:
        for data, objects in session.execute(select(Record.data, Record.qbo_objects).where(*conditions)):
            listed = Listed(objects or {}, mappings)
            for i in by_row:
                sums[i].add(spec.columns[i].value(data or {}, listed))
    return [cells.format_total(column, total) if total else None for column, total in zip(spec.columns, sums)]


def _number_at(path: str, sqlite: bool):
    """The number at a JSON path of a record ("data.mon"), NULL when it is blank or not a number
    ("abc" hours are left out of totals, as cells.number leaves them out of a row)."""
    attribute, *keys = path.split(".")
    value = getattr(Record, attribute)[tuple(keys) if len(keys) > 1 else keys[0]].as_string()
    if sqlite:
        # Only digits, points, spaces and a sign (CAST would read "8abc" as 8); one GLOB is
        # cheap at 50,000 rows, and a blank casts to 0, which adds nothing.
        return case((value.op("GLOB")("*[^0-9. -]*"), None), else_=cast(value, Float))
    text = func.trim(value)
    return case((text.op("~")(r"^-?[0-9]+(\.[0-9]+)?$"), cast(text, Numeric)), else_=None)


def qbo_choices(db: StagingDb, qbo_entity: str, limit: int = 2000, clients_only: bool = False) -> list[dict]:
    """Active QBO objects of one list, from the pulled reference copy, for dropdowns, by full name.

    clients_only: customers that can be a project's client: not a job or a project (a
    sub-customer), which would make the project a third-level job that cannot be undone.
    """
    query = select(QboRef).where(QboRef.entity == qbo_entity, QboRef.active.is_(True))
    if clients_only:
        query = query.where(QboRef.parent_id.is_(None))
    with db.session() as session:
        refs = [ref for ref in session.scalars(query.order_by(func.lower(QboRef.fully_qualified_name),
                                                              func.lower(QboRef.name)).limit(limit))
                if not (clients_only and _is_job_or_project(ref.data or {}))]
    return [{"qbo_id": ref.qbo_id, "name": ref.fully_qualified_name or ref.name} for ref in refs]


def _is_job_or_project(obj: dict) -> bool:
    return bool(obj.get("Job") or obj.get("IsProject") or obj.get("ParentRef"))


def matching_source_ids(db: StagingDb, query: ListQuery) -> list[str]:
    """The source ids of every record the list's filter matches, on every page, in list order."""
    sqlite = db.engine.dialect.name == "sqlite"
    conditions = _filtered(query, sqlite, by_status=bool(query.status))
    if query.status:
        conditions.append(Record.status == query.status)
    with db.session() as session:
        return list(session.scalars(select(Record.source_id).where(*conditions).order_by(Record.id)))


def source_ids(db: StagingDb, entity: str, record_ids: list[int]) -> list[str]:
    """The source ids of the chosen records of one entity, in record order; others dropped."""
    with db.session() as session:
        return list(session.scalars(select(Record.source_id).where(
            Record.entity == entity, Record.id.in_(record_ids)).order_by(Record.id)))


def record_entity(db: StagingDb, record_id: int) -> tuple[str, str] | None:
    with db.session() as session:
        row = session.execute(select(Record.entity, Record.source_id).where(Record.id == record_id)).first()
        return (row.entity, row.source_id) if row else None
