"""Import: read an entity from the source and stage it, set-based.

One bulk read of every table asked for, one hash per row, then one query per entity for
what is staged and bulk inserts and updates, all in a single transaction: an import either
stages everything it read or, when anything fails (a table that cannot be read included),
nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import bindparam, insert, select, update

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import FieldChange, Import, Record
from qbo_sync.entities.base import EntitySpec
from qbo_sync.pipeline import fingerprints
from qbo_sync.settings import EntityRule
from qbo_sync.sources.base import Source
from qbo_sync.sources.schema import TABLES

MODES = ("new", "all", "selected")
STAGE = statuses.Stage.IMPORT
COUNTS = ("read", "new", "changed", "unchanged", "skipped_by_rule", "deleted_in_source")
_CHUNK = 900  # stays under SQLite's bound-parameter limit for IN lists
# Reasons a source edit does not clear: a change made in QBO (pipeline/reconcile.py) stays
# flagged until the user's `qbo-sync reconcile --accept`.
KEPT_ON_EDIT = (statuses.Stage.RECONCILE,)


@dataclass
class ImportResult:
    entity: str
    mode: str
    import_id: int
    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped_by_rule: int = 0
    deleted_in_source: int = 0
    duplicates: list[str] = field(default_factory=list)
    not_in_source: list[str] = field(default_factory=list)
    record_ids: list[int] = field(default_factory=list)   # records staged or changed now
    source_unchanged: bool = False   # the source held what it held at the last import: not read again

    def summary(self) -> str:
        parts = [f"{self.entity}: read {self.read}", f"{self.new} new", f"{self.changed} changed",
                 f"{self.unchanged} unchanged"]
        if self.source_unchanged:
            parts[0] += " (the source is as at the last import)"
        if self.skipped_by_rule:
            parts.append(f"{self.skipped_by_rule} left out by the sync rules")
        if self.deleted_in_source:
            parts.append(f"{self.deleted_in_source} no longer in the source")
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} duplicate ids")
        if self.not_in_source:
            parts.append("not found in the source: " + ", ".join(self.not_in_source))
        return ", ".join(parts)


def content_hashes(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """A stable hash of each row's values (stable across pandas versions, unlike hash_pandas_object)."""
    # Joined column-wise in plain Python: a row-wise DataFrame.agg is ~10x slower on 100k rows.
    values = zip(*(frame[c].astype(str).tolist() for c in columns))
    return pd.Series([hashlib.blake2b("\x1f".join(row).encode(), digest_size=16).hexdigest() for row in values],
                     index=frame.index, dtype=object)


def record_hashes(frame: pd.DataFrame, columns: tuple[str, ...], spec: EntitySpec) -> pd.Series:
    """Each row's content hash. The entity's document column counts only when it names a
    file, so that records without one hash as they did before the column existed."""
    if not spec.document or spec.document not in columns:
        return content_hashes(frame, columns)
    without = content_hashes(frame, tuple(c for c in columns if c != spec.document))
    return without.where(frame[spec.document].astype(str) == "", content_hashes(frame, columns))


def with_children(frame: pd.DataFrame, source: Source, spec: EntitySpec,
                  ids: list[str] | None) -> pd.DataFrame:
    """The frame with each row's child rows (a bill's lines) as JSON text in column "lines".

    Stored with the parent and part of its hash: editing a line makes the bill changed.
    """
    children = source.read(spec.child_table, ids=ids)
    child_columns = [c for c in TABLES[spec.child_table] if c != spec.key]
    # Column lists zipped and grouped in Python: a groupby per bill costs ms each, and
    # to_dict("records") boxes every value.
    by_parent: dict[str, list[dict]] = {}
    values = zip(*(children[c].tolist() for c in child_columns))
    for parent, row in zip(children[spec.key].tolist(), values):
        by_parent.setdefault(parent, []).append(dict(zip(child_columns, row)))
    grouped = {key: json.dumps(rows, sort_keys=True) for key, rows in by_parent.items()}
    frame = frame.copy()
    frame["lines"] = frame[spec.key].map(grouped).fillna("[]")
    return frame


def import_entity(db: StagingDb, source: Source, spec: EntitySpec, mode: str,
                  ids: list[str] | None = None, rule: EntityRule | None = None,
                  flow_run_id: str | None = None) -> ImportResult:
    """Stage `spec`'s records from `source` (import_entities for one entity)."""
    return import_entities(db, source, [spec], mode, ids=ids, rules={spec.name: rule},
                           flow_run_id=flow_run_id)[0]


def import_entities(db: StagingDb, source: Source, specs: list[EntitySpec], mode: str,
                    ids: list[str] | None = None, rules: dict[str, EntityRule | None] | None = None,
                    flow_run_id: str | None = None) -> list[ImportResult]:
    """Stage the entities' records from `source`: every table is read and checked first, then all
    are staged in one transaction, so a source that cannot be read (a missing file, a bad
    column) raises its SourceError having changed nothing already staged.

    mode: "new" stages source records not staged yet; "all" also takes in edits (and
    notes records gone from the source); "selected" takes the given ids, new or edited.
    rules: each entity's sync rule, applied by scheduled runs (None: take everything).
    """
    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r}: use one of {', '.join(MODES)}")
    if mode == "selected" and not ids:
        raise ValueError("import selected needs at least one source id")
    reads = [_read(db, source, spec, mode, ids, (rules or {}).get(spec.name)) for spec in specs]
    with db.engine.begin() as conn:
        return [_stage(conn, source, read, flow_run_id) for read in reads]


@dataclass
class _SourceRead:
    """One entity's table as read (and deduplicated, hashed) before anything is staged."""
    spec: EntitySpec
    mode: str
    ids: list[str] | None
    rule: EntityRule | None
    snapshot: str | None            # the input's fingerprint ("all" imports of fingerprintable sources)
    last_counts: dict | None = None  # the source is as at the last import: its counts, nothing read
    frame: pd.DataFrame | None = None
    columns: tuple[str, ...] = ()
    duplicates: list[str] = field(default_factory=list)
    dup_counts: dict = field(default_factory=dict)


def _read(db: StagingDb, source: Source, spec: EntitySpec, mode: str, ids: list[str] | None,
          rule: EntityRule | None) -> _SourceRead:
    # Taken before the source is read: an edit made while it is read shows at the next run.
    read = _SourceRead(spec, mode, list(ids) if mode == "selected" else None, rule,
                       _snapshot(source, spec, mode, rule))
    if read.snapshot is not None:
        with db.engine.connect() as conn:
            read.last_counts = _last_counts_if_unchanged(conn, spec, read.snapshot)
        if read.last_counts is not None:
            return read
    columns = TABLES[spec.name]
    frame = source.read(spec.name, ids=read.ids)
    if spec.child_table:
        frame = with_children(frame, source, spec, ids=read.ids)
        columns = (*columns, "lines")
    duplicated = frame[spec.key].duplicated(keep=False)
    read.duplicates = [str(d) for d in sorted(frame.loc[duplicated, spec.key].unique())]
    read.dup_counts = frame.loc[duplicated, spec.key].value_counts().to_dict()
    frame = frame.drop_duplicates(spec.key, keep="first").reset_index(drop=True)
    frame["_hash"] = record_hashes(frame, columns, spec) if len(frame) else pd.Series(dtype=object)
    read.frame, read.columns = frame, columns
    return read


def _stage(conn, source: Source, read: _SourceRead, flow_run_id: str | None) -> ImportResult:
    spec, mode, rule, frame, columns = read.spec, read.mode, read.rule, read.frame, read.columns
    now = datetime.now(timezone.utc)
    if read.last_counts is not None:
        return _as_last_time(conn, source, spec, mode, read.last_counts, flow_run_id, now)
    import_id = conn.execute(insert(Import).values(
        entity=spec.name, mode=mode, source=getattr(source, "name", "?"),
        flow_run_id=flow_run_id, started_at=now, counts={},
    )).inserted_primary_key[0]
    result = ImportResult(entity=spec.name, mode=mode, import_id=import_id, read=len(frame),
                          duplicates=read.duplicates)
    if mode == "selected":
        found = set(frame[spec.key])
        result.not_in_source = [i for i in read.ids if i not in found]

    staged = _staged_frame(conn, spec.name)
    merged = frame.merge(staged, how="left", left_on=spec.key, right_on="source_id")
    is_new = merged["id"].isna()
    is_changed = ~is_new & (merged["content_hash"] != merged["_hash"])
    take_new = is_new.copy()
    take_changed = is_changed if mode in ("all", "selected") else pd.Series(False, index=merged.index)
    if rule is not None:
        if not rule.auto_create:
            result.skipped_by_rule += int(take_new.sum())
            take_new = pd.Series(False, index=merged.index)
        if not rule.auto_update:
            result.skipped_by_rule += int(take_changed.sum())
            take_changed = pd.Series(False, index=merged.index)

    new_rows = merged[take_new]
    changed_rows = merged[take_changed]
    result.new, result.changed = len(new_rows), len(changed_rows)
    result.unchanged = int((~is_new & ~is_changed).sum())

    dup_reason = {k: f"The source has {n} rows with {spec.key} {k}: keep one of them"
                  for k, n in read.dup_counts.items()}
    if len(new_rows):
        result.record_ids += _insert_new(conn, spec, new_rows, columns, dup_reason, import_id, now)
    if len(changed_rows):
        result.record_ids += _update_changed(conn, spec, changed_rows, columns, dup_reason,
                                             import_id, now)
    _refresh_duplicate_reasons(conn, merged[~take_new & ~take_changed & ~is_new], dup_reason)
    if mode == "all":
        result.deleted_in_source = _mark_deleted(conn, staged, set(frame[spec.key]))

    counts = {**{k: getattr(result, k) for k in COUNTS}, "duplicates": result.duplicates}
    conn.execute(update(Import).where(Import.id == import_id)
                 .values(finished_at=datetime.now(timezone.utc), counts=counts))
    if read.snapshot is None:
        fingerprints.forget(conn, spec.name, STAGE)
    else:
        fingerprints.remember(conn, spec.name, STAGE, read.snapshot)
    return result


def _snapshot(source: Source, spec: EntitySpec, mode: str, rule: EntityRule | None) -> str | None:
    """The fingerprint of an "all" import's input: the source's tables as they are now, and the
    sync rule. None when the import must read the source (another mode; a source that cannot
    tell cheaply whether a table changed, such as a database)."""
    if mode != "all":
        return None
    tables = [spec.name] + ([spec.child_table] if spec.child_table else [])
    contents = [source.fingerprint(table) if hasattr(source, "fingerprint") else None for table in tables]
    if None in contents:
        return None
    return fingerprints.of(mode, rule.model_dump() if rule is not None else None, contents)


def _last_counts_if_unchanged(conn, spec: EntitySpec, snapshot: str) -> dict | None:
    """The last import's counts when its input is this one's: what it staged is what this one
    would stage, so the source is not read. Only an import writes the staged content, so the
    stored fingerprint vouches for it; every other import forgets it. None: import as usual."""
    if not fingerprints.matches(conn, spec.name, STAGE, snapshot):
        return None
    last = conn.scalar(select(Import.counts).where(Import.entity == spec.name, Import.finished_at.is_not(None))
                       .order_by(Import.id.desc()).limit(1)) or {}
    return last if all(isinstance(last.get(k), int) for k in COUNTS) else None


def _as_last_time(conn, source: Source, spec: EntitySpec, mode: str, last: dict,
                  flow_run_id: str | None, now: datetime) -> ImportResult:
    """An import of an unchanged source: the last import's counts, with its new and changed
    records now unchanged."""
    counts = {**last, "new": 0, "changed": 0, "unchanged": last["read"] - last["skipped_by_rule"]}
    import_id = conn.execute(insert(Import).values(
        entity=spec.name, mode=mode, source=getattr(source, "name", "?"), flow_run_id=flow_run_id,
        started_at=now, finished_at=now, counts=counts)).inserted_primary_key[0]
    return ImportResult(entity=spec.name, mode=mode, import_id=import_id,
                        duplicates=list(last.get("duplicates") or []), source_unchanged=True,
                        **{k: counts[k] for k in COUNTS})


def _staged_frame(conn, entity: str) -> pd.DataFrame:
    """What is staged for the entity, without JSON columns: an unchanged nightly import must not
    decode every record's data and reasons."""
    names = ["id", "source_id", "content_hash", "_status", "_deleted"]   # "status": a source column too
    rows = conn.execute(select(Record.id, Record.source_id, Record.content_hash, Record.status,
                               Record.deleted_in_source).where(Record.entity == entity)).all()
    # Column-wise: pandas asks each Row object for a dtype, which SQLAlchemy answers slowly.
    # Nothing staged: empty columns of dtype object, as pandas would make them float64 and
    # then refuse to merge the source's text keys on them.
    if not rows:
        return pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
    return pd.DataFrame(dict(zip(names, (list(c) for c in zip(*rows)))), columns=names)


def _insert_new(conn, spec, rows, columns, dup_reason, import_id, now) -> list[int]:
    # Column lists zipped in plain Python: DataFrame.to_dict("records") boxes every value.
    payload = []
    for values, content_hash in zip(zip(*(rows[c].tolist() for c in columns)), rows["_hash"].tolist()):
        data = dict(zip(columns, values))
        source_id = data[spec.key]
        reasons = statuses.reasons_from(STAGE, [dup_reason[source_id]]) if source_id in dup_reason else []
        payload.append(dict(
            entity=spec.name, source_id=source_id, name=spec.display_name(data), data=data,
            content_hash=content_hash, status=statuses.settle(reasons), reasons=reasons,
            qbo_objects={}, suggestions={}, deleted_in_source=False, last_import_id=import_id,
            created_at=now, updated_at=now,
        ))
    ids: list[int] = []
    for start in range(0, len(payload), 5000):
        ids += conn.execute(insert(Record).returning(Record.id),
                            payload[start:start + 5000]).scalars().all()
    return ids


def _columns_of(conn, record_ids: list[int], *columns) -> dict[int, tuple]:
    found = {}
    for start in range(0, len(record_ids), _CHUNK):
        chunk = record_ids[start:start + _CHUNK]
        found.update((row[0], tuple(row[1:])) for row in conn.execute(
            select(Record.id, *columns).where(Record.id.in_(chunk))))
    return found


def _update_changed(conn, spec, rows, columns, dup_reason, import_id, now) -> list[int]:
    record_ids = [int(i) for i in rows["id"]]
    before_of = _columns_of(conn, record_ids, Record.data, Record.reasons)
    updates, changes = [], []
    for row in rows.to_dict("records"):
        record_id = int(row["id"])
        data = {c: row[c] for c in columns}
        before, old_reasons = before_of.get(record_id, ({}, []))
        before = before or {}
        for column in columns:
            if before.get(column) != data[column]:
                changes.append(dict(record_id=record_id, import_id=import_id, field=column,
                                    old=before.get(column), new=data[column], changed_at=now))
        # An edit starts the record's checks afresh, except those in KEPT_ON_EDIT.
        kept = [r for r in old_reasons or [] if r.get("stage") in KEPT_ON_EDIT]
        reasons = kept + statuses.reasons_from(
            STAGE, [dup_reason[data[spec.key]]] if data[spec.key] in dup_reason else [])
        updates.append(dict(b_id=record_id, name=spec.display_name(data), data=data,
                            content_hash=row["_hash"], status=statuses.settle(reasons),
                            reasons=reasons, deleted_in_source=False,
                            last_import_id=import_id, updated_at=now))
    statement = (update(Record).where(Record.id == bindparam("b_id"))
                 .values({k: bindparam(k) for k in updates[0] if k != "b_id"}))
    conn.execute(statement, updates)
    if changes:
        conn.execute(insert(FieldChange), changes)
    return record_ids


def _refresh_duplicate_reasons(conn, rows, dup_reason) -> None:
    """Unchanged records gain or lose the import's duplicate-id reason as the source does."""
    # Only a Needs Action record can hold that reason (it blocks), and only a duplicate gains it.
    candidates = rows[(rows["_status"] == statuses.NEEDS_ACTION) | rows["source_id"].isin(list(dup_reason))]
    reasons_of = _columns_of(conn, [int(i) for i in candidates["id"]], Record.reasons)
    updates = []
    for record_id, source_id in zip(candidates["id"].tolist(), candidates["source_id"].tolist()):
        reasons = reasons_of.get(int(record_id), ([],))[0] or []
        had = any(r.get("stage") == STAGE for r in reasons)
        has = source_id in dup_reason
        if had == has:
            continue
        new_reasons = statuses.replace_stage(reasons, STAGE, [dup_reason[source_id]] if has else [])
        updates.append(dict(b_id=int(record_id), reasons=new_reasons))
    if updates:
        conn.execute(update(Record).where(Record.id == bindparam("b_id"))
                     .values(reasons=bindparam("reasons")), updates)
        # A duplicate blocks the record whatever its state; its loss lets validate decide.
        for u in updates:
            if u["reasons"]:
                conn.execute(update(Record).where(Record.id == u["b_id"])
                             .values(status=statuses.NEEDS_ACTION))


def _mark_deleted(conn, staged: pd.DataFrame, present: set[str]) -> int:
    """Flag the staged records (as read before this import) gone from the source; unflag returns."""
    in_source = staged["source_id"].isin(present)
    flagged = staged["_deleted"].astype(bool)
    gone = [int(i) for i in staged.loc[~in_source & ~flagged, "id"]]
    back = [int(i) for i in staged.loc[in_source & flagged, "id"]]
    for ids, flag in ((gone, True), (back, False)):
        for start in range(0, len(ids), _CHUNK):
            conn.execute(update(Record).where(Record.id.in_(ids[start:start + _CHUNK]))
                         .values(deleted_in_source=flag))
    return int((~in_source).sum())
