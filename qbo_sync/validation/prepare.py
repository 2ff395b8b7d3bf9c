"""The frame Great Expectations sees: blanks become missing, and typed helper columns appear.

Source values are all strings. Checks that need a number, a date or a weekday run on helper
columns that the suite declares in its own meta, so the JSON shows everything a check uses:

    "meta": {"prepare": {"numbers": ["mon"], "dates": ["week_ending"], "weekdays": ["week_ending"],
                         "qbo_names": ["name"], "date_format": "%Y-%m-%d"}}

gives mon__number (float), week_ending__date (datetime), week_ending__weekday ("Sunday"...)
and name__qbo_name (the name as it will be sent to QuickBooks, see names.py). A value that is
not a number or not a date becomes missing in its helper; the suite's own check on the raw
column (a regex, a date format) is what reports it, so a bad value gets one clear reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qbo_sync.entities.names import clean_name

# What a number helper parses: "8", "-2", "7.5", ".5". "1e3", "1,000", "inf" stay missing there,
# so the suite's own "is a number" regex is their only reason.
PLAIN_NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"   # ASCII digits: Python's \d takes "٢٥" too
ROW_COLUMN = "__row__"  # the row's position, so each failure leads back to its source row
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
KNOWN, UNKNOWN = "known", "unknown"   # marks of a referential check's helper column (runner.py)
HELPER_SUFFIXES = {
    "numbers": "__number",
    "dates": "__date",
    "weekdays": "__weekday",
    "qbo_names": "__qbo_name",
}


def known_column(column: str, parameter: str) -> str:
    """The helper column marking whether `column`'s value is in the set `parameter` lists."""
    return f"{column}__in__{parameter}"


def source_column(column: str) -> str:
    """The raw column a helper column was made from ('mon__number' -> 'mon')."""
    if "__in__" in column:
        return column.split("__in__", 1)[0]
    for suffix in HELPER_SUFFIXES.values():
        if column.endswith(suffix):
            return column[: -len(suffix)]
    return column


def blank_to_missing(df: pd.DataFrame) -> pd.DataFrame:
    """A copy as str-or-None columns: '' and whitespace-only are missing, so "not null" means present."""
    out = {}
    for column in df.columns:
        values = df[column].astype(object)
        text = values.where(values.isna(), values.astype(str))
        out[column] = text.where(~(text.isna() | (text.str.strip() == "")), None).astype(object)
    return pd.DataFrame(out, index=df.index)


def prepare_frame(df: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    """The frame to hand GX: blanks as missing, a row-position column, and the declared helpers."""
    frame = blank_to_missing(df.reset_index(drop=True))
    frame[ROW_COLUMN] = np.arange(len(frame), dtype="int64")
    date_format = spec.get("date_format", DEFAULT_DATE_FORMAT)
    for kind, columns in spec.items():
        if kind == "date_format":
            continue
        suffix = HELPER_SUFFIXES[kind]
        for column in columns:
            frame[column + suffix] = _HELPERS[kind](frame[column], date_format)
    return frame


def check_spec(spec: Any, columns: list[str]) -> list[str]:
    """Problems with a suite's meta.prepare, in words; an empty list means it is usable."""
    if not isinstance(spec, dict):
        return ['meta.prepare must be an object such as {"numbers": ["amount"]}']
    problems = []
    for kind, listed in spec.items():
        if kind == "date_format":
            if not isinstance(listed, str):
                problems.append("meta.prepare.date_format must be a string such as \"%Y-%m-%d\"")
            continue
        if kind not in HELPER_SUFFIXES:
            known = ", ".join([*HELPER_SUFFIXES, "date_format"])
            problems.append(f"meta.prepare has an unknown entry \"{kind}\" (known: {known})")
            continue
        if not isinstance(listed, list) or not all(isinstance(c, str) for c in listed):
            problems.append(f"meta.prepare.{kind} must be a list of column names")
            continue
        problems.extend(
            f"meta.prepare.{kind} names column '{c}', which the table does not have"
            for c in listed
            if c not in columns
        )
    return problems


def _numbers(values: pd.Series, _date_format: str) -> pd.Series:
    text = values.str.strip()
    plain = text.str.fullmatch(PLAIN_NUMBER).fillna(False).astype(bool)
    return pd.to_numeric(text.where(plain, None), errors="coerce").astype("float64")


def _dates(values: pd.Series, date_format: str) -> pd.Series:
    return pd.to_datetime(values.str.strip(), format=date_format, errors="coerce")


def _weekdays(values: pd.Series, date_format: str) -> pd.Series:
    dates = _dates(values, date_format)
    return dates.dt.day_name().astype(object).where(dates.notna(), None)


def _qbo_names(values: pd.Series, _date_format: str) -> pd.Series:
    return values.map(clean_name, na_action="ignore").astype(object)


_HELPERS = {"numbers": _numbers, "dates": _dates, "weekdays": _weekdays, "qbo_names": _qbo_names}
