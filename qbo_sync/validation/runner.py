"""Run one suite over one source table and say, per source id, what a person must fix.

Great Expectations does the checking; this module prepares the frame (prepare.py), runs the
suite once, and turns GX's row-level results (the __row__ of every failing row) into
sentences per source id (reasons.py). Critical failures block a record (outcome.reasons),
warnings are shown but do not block (outcome.warnings), info is only counted.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from qbo_sync.validation import prepare, reasons
from qbo_sync.validation.suites import (
    SuiteError,
    build_gx_suite,
    expectation_columns,
    parameter_names,
    read_suite_json,
    suite_path,
    value_set_parameters,
)

_POSITION = "qbo_sync_position"  # GX returns results in its own order; this restores the suite's


@dataclass
class ValidationOutcome:
    suite_name: str
    checked: int  # rows checked
    reasons: dict[str, list[str]] = field(default_factory=dict)  # source id -> blocking reasons
    warnings: dict[str, list[str]] = field(default_factory=dict)  # source id -> non-blocking notes
    expectations: list[dict[str, Any]] = field(default_factory=list)  # one summary per expectation
    table_problems: list[str] = field(default_factory=list)  # failed table-wide checks (no row to name)

    def passed(self, ids: Iterable[str]) -> list[str]:
        """The ids, in the given order, that have no blocking reason."""
        return [i for i in ids if i not in self.reasons]


_ENGINE_LOCK = threading.Lock()
_BATCH_DEFINITION = None


def _batch_definition():
    """One ephemeral GX context per process (building it costs seconds); GX is imported here only."""
    global _BATCH_DEFINITION
    if _BATCH_DEFINITION is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no network here, and none wanted
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        asset = context.data_sources.add_pandas("qbo_sync_sources").add_dataframe_asset("table")
        _BATCH_DEFINITION = asset.add_batch_definition_whole_dataframe("whole_table")
    return _BATCH_DEFINITION


def validate_frame(
    suite_name: str,
    df: pd.DataFrame,
    key: str,
    parameters: dict[str, Any] | None = None,
    suites_dir: Path | None = None,
) -> ValidationOutcome:
    """Check every row of a source table (str columns, '' for missing) against its suite."""
    path = suite_path(suite_name, suites_dir)
    data = read_suite_json(suite_name, suites_dir)
    parameters = dict(parameters or {})
    if key not in df.columns:
        raise SuiteError(f"Suite '{suite_name}': the table has no key column '{key}'")
    spec = data["meta"].get("prepare", {})
    problems = prepare.check_spec(spec, list(df.columns))
    if problems:
        raise SuiteError(f"{path}: " + "; ".join(problems))
    missing = [name for name in parameter_names(data) if name not in parameters]
    if missing:
        raise SuiteError(
            f"Suite '{suite_name}' needs the parameter(s) {', '.join(missing)}; pass them in parameters="
        )

    frame = prepare.prepare_frame(df, spec)
    _check_columns(data, frame, path)
    numbered = copy.deepcopy(data)
    for position, expectation in enumerate(numbered["expectations"]):
        expectation["meta"] = {**(expectation.get("meta") or {}), _POSITION: position}
    suite = build_gx_suite(numbered, path)  # also for an empty table: a broken suite must not pass
    set_parameters = value_set_parameters(data)
    values = {name: _plain(name, value, name in set_parameters) for name, value in parameters.items()}
    if frame.empty:  # nothing to check; GX has no rows to report on either
        return ValidationOutcome(suite_name, 0, expectations=[_summary(e, None) for e in data["expectations"]])
    values = _known_values_as_helper_columns(suite_name, numbered, frame, values)
    suite = build_gx_suite(numbered, path)   # again, for the helper columns (a few ms; errors came above)

    with _ENGINE_LOCK:
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        try:
            result = batch.validate(
                suite,
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [prepare.ROW_COLUMN]},
                expectation_parameters=values,
            )
        except Exception as exc:  # e.g. a parameter of the wrong kind (None, a number for a list)
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise SuiteError(f"Suite '{suite_name}' could not run with the given parameters: {detail}") from None
    return _outcome(suite_name, path, data, df.reset_index(drop=True), frame, key, result.results)


def _known_values_as_helper_columns(suite_name: str, numbered: dict[str, Any], frame: pd.DataFrame,
                                    values: dict[str, Any]) -> dict[str, Any]:
    """Point "value in the set given by a parameter" checks at a helper column of in/out marks.

    Such sets are the thousands of known ids of a referential check. GX 1.x re-serialises an
    expectation's arguments dozens of times per run, so a value set of 5,000 ids costs seconds;
    the membership itself is the same `isin` GX would run. The suite file is unchanged, and
    reasons and summaries still name the source column and its value. Returns the parameters
    GX still needs.
    """
    for expectation in numbered["expectations"]:
        kwargs = expectation.get("kwargs", {})
        value_set = kwargs.get("value_set")
        if expectation.get("type") != "expect_column_values_to_be_in_set" or not isinstance(value_set, dict):
            continue
        name, column = value_set.get("$PARAMETER"), kwargs.get("column")
        if not isinstance(name, str) or name not in values or column not in frame.columns:
            continue
        try:
            known = frame[column].isin(values[name])
        except TypeError:
            detail = f"{name} must be a list of values, not {type(values[name]).__name__}"
            raise SuiteError(f"Suite '{suite_name}' could not run with the given parameters: {detail}") from None
        helper = prepare.known_column(column, name)
        frame[helper] = known.map({True: prepare.KNOWN, False: prepare.UNKNOWN}).where(frame[column].notna(), None)
        kwargs["column"], kwargs["value_set"] = helper, [prepare.KNOWN]
    still_needed = parameter_names(numbered)
    return {name: value for name, value in values.items() if name in still_needed}


def _check_columns(data: dict[str, Any], frame: pd.DataFrame, path: Path) -> None:
    for position, expectation in enumerate(data["expectations"], start=1):
        for column in expectation_columns(expectation.get("kwargs", {})):
            if column not in frame.columns:
                hint = ""
                if prepare.source_column(column) != column:
                    hint = " (a helper column: declare its source column in meta.prepare)"
                raise SuiteError(
                    f"{path}: expectation {position} ({expectation.get('type')}) checks column "
                    f"'{column}', which the table does not have{hint}"
                )


def _plain(name: str, value: Any, is_value_set: bool) -> Any:
    """Sets, tuples, Series of known ids become the plain lists GX expects."""
    if is_value_set and isinstance(value, str):  # "E1" would be read as the set of its letters
        raise SuiteError(f"Suite parameter {name} is the text {value!r}; pass a list of values")
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, (tuple, pd.Series, pd.Index)):
        return list(value)
    return value


def _outcome(suite_name, path, data, raw, frame, key, results) -> ValidationOutcome:
    outcome = ValidationOutcome(suite_name, len(frame))
    keys = ["" if pd.isna(v) else str(v) for v in raw[key].astype(object)]
    row_fields = _RowFields(raw, frame)
    ordered = sorted(results, key=lambda r: r.expectation_config.meta[_POSITION])
    for result in ordered:
        position = result.expectation_config.meta[_POSITION]
        original = data["expectations"][position]
        error = _exception_message(result.exception_info)
        if error:
            raise SuiteError(f"{path}: expectation {position + 1} ({original.get('type')}) could not run: {error}")
        severity = result.expectation_config.severity.value
        outcome.expectations.append(_summary(original, result))
        if result.success:
            continue
        template = (original.get("meta") or {}).get("reason") or reasons.fallback_template(original["type"])
        columns = expectation_columns(original.get("kwargs", {}))
        failures = result.result.get("unexpected_index_list")
        if failures is None:  # a table-wide check (row count, mean...) names no row
            outcome.table_problems.append(reasons.render(template, row_fields.table(columns)))
            continue
        target = {"critical": outcome.reasons, "warning": outcome.warnings}.get(severity)
        if target is None:
            continue
        base = row_fields.table(columns)  # the same for every row of this expectation
        for failure in failures:
            row = int(failure[prepare.ROW_COLUMN])
            text = reasons.render(template, row_fields.row(template, base, columns, row))
            found = target.setdefault(keys[row], [])
            if text not in found:
                found.append(text)
    return outcome


def _summary(expectation: dict[str, Any], result) -> dict[str, Any]:
    columns = [prepare.source_column(c) for c in expectation_columns(expectation.get("kwargs", {}))]
    summary: dict[str, Any] = {"type": expectation.get("type")}
    if len(columns) == 1:
        summary["column"] = columns[0]
    else:
        summary["columns"] = columns
    summary["severity"] = expectation.get("severity", "critical")
    summary["success"] = True if result is None else bool(result.success)
    summary["unexpected_count"] = 0 if result is None else int(result.result.get("unexpected_count") or 0)
    summary["reason"] = (expectation.get("meta") or {}).get("reason") or reasons.fallback_template(
        expectation.get("type", "")
    )
    return summary


def _exception_message(info: dict[str, Any] | None) -> str | None:
    """GX reports a check that crashed either flat or keyed by metric; both carry raised_exception."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    for entry in entries:
        if entry.get("raised_exception"):
            return str(entry.get("exception_message") or "unknown error").splitlines()[0]
    return None


class _RowFields:
    """The placeholder values for one failing row, read from the source frame as written."""

    def __init__(self, raw: pd.DataFrame, frame: pd.DataFrame):
        self._raw = raw
        self._frame = frame
        self._lists: dict[tuple[str, str], list] = {}

    def _values(self, which: str, column: str) -> list | None:
        source = self._raw if which == "raw" else self._frame
        if column not in source.columns:
            return None
        cache_key = (which, column)
        if cache_key not in self._lists:
            self._lists[cache_key] = source[column].astype(object).tolist()
        return self._lists[cache_key]

    def _value(self, column: str, row: int) -> object:
        values = self._values("raw", column)
        if values is None:
            values = self._values("frame", column)
        return None if values is None else values[row]

    def table(self, columns: list[str]) -> dict[str, str]:
        names = [prepare.source_column(c) for c in columns]
        return {"column": ", ".join(names), "other_column": names[1] if len(names) > 1 else ""}

    def row(self, template: str, base: dict[str, str], columns: list[str], row: int) -> dict[str, str]:
        fields = dict(base)
        checked = columns[0] if columns else None
        for name in reasons.placeholders(template):
            if name in fields:
                continue
            if name == "value":
                fields[name] = reasons.display(self._value(prepare.source_column(checked), row)) if checked else ""
            elif name == "length":
                value = self._value(checked, row) if checked else None
                fields[name] = str(len(value)) if isinstance(value, str) else ""
            elif name == "row":
                fields[name] = str(row + 1)
            else:
                value = self._value(name, row)
                if value is not None or name in self._raw.columns or name in self._frame.columns:
                    fields[name] = reasons.display(value)
        return fields
