"""Shaping helpers every adapter shares, so that all of them return identical frames.

An adapter reads its raw table (any columns, str values) and hands it to `finish`, which
checks the required columns, adds missing optional ones as '', keeps exactly the logical
columns in their documented order, applies the `ids` filter and sorts the rows stably.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from qbo_sync.sources.base import SourceError
from qbo_sync.sources.schema import KEYS, ORDER, REQUIRED, TABLES


def check_table(table: str) -> tuple[str, ...]:
    """The logical columns of `table`; a SourceError for a table the schema does not know."""
    try:
        return TABLES[table]
    except KeyError:
        known = ", ".join(TABLES)
        raise SourceError(f'unknown table "{table}" (known tables: {known})') from None


def missing_required(table: str, present: Iterable[str]) -> list[str]:
    """Required columns of `table` that are not among `present`, in schema order."""
    have = set(present)
    return [column for column in REQUIRED[table] if column not in have]


def empty_frame(table: str) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series([], dtype=object) for column in check_table(table)})


# The staging database keeps a source id in 200 characters (records.source_id).
MAX_ID_LENGTH = 200


def finish(table: str, raw: pd.DataFrame, where: str, ids: Iterable[str] | None = None,
           numbered_rows: bool = False) -> pd.DataFrame:
    """The logical frame of `table` from an adapter's raw frame of str values.

    `where` names the file or table in error messages, e.g. 'projects.csv'. numbered_rows:
    the raw frame's index counts the file's rows with the header as row 0, so that a message
    can say "row 3" as a spreadsheet shows it (the header is row 1 there); otherwise a row
    is named by its id.
    """
    columns = check_table(table)
    missing = missing_required(table, raw.columns)
    if missing:
        names = ", ".join(f'"{column}"' for column in missing)
        plural = "s" if len(missing) > 1 else ""
        raise SourceError(f"{where}: missing required column{plural} {names}")
    frame = pd.DataFrame(
        {column: _as_text(raw[column]) if column in raw.columns else "" for column in columns},
        index=raw.index,
        columns=list(columns),
    )
    _check_values(table, frame, where, numbered_rows)
    if ids is not None:
        frame = frame[frame[KEYS[table]].isin(_as_id_set(ids))]
    return sort_rows(table, frame)


def _check_values(table: str, frame: pd.DataFrame, where: str, numbered_rows: bool) -> None:
    """Values no staging database can keep as they are: refused, naming the row and column,
    rather than changed. A NUL character (PostgreSQL text cannot hold one), an id longer than
    MAX_ID_LENGTH. Every other value is kept exactly; validation judges it."""
    key = KEYS[table]
    for column in frame.columns:
        values = frame[column]
        bad = values.str.contains("\x00", regex=False)
        if bad.any():
            raise SourceError(f"{where}: {_row(frame, bad.idxmax(), key, numbered_rows)}, column "
                              f'"{column}": holds a NUL character (\\0); remove it in the source')
    lengths = frame[key].str.len()
    if (lengths > MAX_ID_LENGTH).any():
        row = lengths.idxmax()
        raise SourceError(f"{where}: {_row(frame, row, key, numbered_rows)}, column \"{key}\": an id may "
                          f"have at most {MAX_ID_LENGTH} characters, this one has {lengths[row]}")


def _row(frame: pd.DataFrame, index, key: str, numbered_rows: bool) -> str:
    if numbered_rows:
        return f"row {index + 1}"
    value = str(frame.at[index, key]).replace("\x00", "\\0")
    shown = value if len(value) <= 40 else value[:40] + "…"
    return f"the row with {key} {shown!r}"


def sort_rows(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by key (numbers numerically, then text) and the table's declared order
    (a bill's lines by line_no); rows sharing those are ordered by every other column, so that
    the order never depends on how the source happened to store them."""
    declared = ORDER[table]
    order = list(declared)
    if frame.duplicated(subset=order).any():
        order += [column for column in frame.columns if column not in order]
    helpers: dict[str, pd.Series] = {}
    for i, column in enumerate(order):
        if column in declared:
            helpers[f"_num{i}"] = pd.to_numeric(frame[column], errors="coerce")
        helpers[f"_txt{i}"] = frame[column]
    keys = pd.DataFrame(helpers, index=frame.index)
    ordered = keys.sort_values(list(helpers), kind="stable", na_position="last").index
    return frame.loc[ordered].reset_index(drop=True).astype(object)


def _as_text(values: pd.Series) -> pd.Series:
    """Values as str with '' for missing, without reformatting anything a reader gave as str."""
    values = values.astype(object)
    if values.isna().any():
        values = values.where(values.notna(), "")
    if pd.api.types.infer_dtype(values, skipna=False) == "string":  # usual: nothing to convert
        return values
    return values.map(_plain_str)


def _plain_str(value: object) -> str:
    # type() rather than isinstance(): numpy's str_ subclass becomes a plain str too.
    return value if type(value) is str else str(value)


def _as_id_set(ids: Iterable[str]) -> set[str]:
    if isinstance(ids, str):  # a lone id, not an iterable of one-character ids
        return {ids}
    return {str(value) for value in ids}
