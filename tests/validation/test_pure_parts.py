"""Unit tests of the pure parts: the name rule, the frame preparation, the reason wording."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from qbo_sync.entities.names import clean_name
from qbo_sync.validation import prepare, reasons


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("Smith: Kitchen", "Smith - Kitchen"),
    ("Smith:Kitchen", "Smith - Kitchen"),
    ("Tab\there", "Tab here"),
    ("Two\nlines\r\nthree", "Two lines three"),
    ("  padded  name ", "padded name"),
    ("Plain name", "Plain name"),
])
def test_clean_name(raw, cleaned):
    assert clean_name(raw) == cleaned


def test_blank_to_missing():
    frame = pd.DataFrame({"a": ["x", "", "  ", None], "b": ["1", "2", "3", "4"]}, dtype=str)
    out = prepare.blank_to_missing(frame)
    assert out["a"].tolist() == ["x", None, None, None]
    assert out["b"].tolist() == ["1", "2", "3", "4"]


def test_number_helper_takes_plain_decimals_only():
    frame = pd.DataFrame({"h": ["8", " 7.5 ", "-2", ".5", "abc", "1e3", "inf", "1,000", ""]}, dtype=str)
    out = prepare.prepare_frame(frame, {"numbers": ["h"]})
    values = out["h__number"].tolist()
    assert values[:4] == [8.0, 7.5, -2.0, 0.5]
    assert all(math.isnan(v) for v in values[4:])


def test_date_and_weekday_helpers():
    frame = pd.DataFrame({"d": ["2026-03-08", "2026-03-04", "2026-02-30", "", "08/03/2026"]}, dtype=str)
    out = prepare.prepare_frame(frame, {"dates": ["d"], "weekdays": ["d"]})
    assert out["d__weekday"].tolist() == ["Sunday", "Wednesday", None, None, None]
    assert out["d__date"].isna().tolist() == [False, False, True, True, True]


def test_date_format_is_declared_not_fixed():
    frame = pd.DataFrame({"d": ["08/03/2026"]}, dtype=str)
    out = prepare.prepare_frame(frame, {"weekdays": ["d"], "date_format": "%d/%m/%Y"})
    assert out["d__weekday"].tolist() == ["Sunday"]


def test_row_column_and_source_column():
    out = prepare.prepare_frame(pd.DataFrame({"a": ["x", "y"]}, index=[5, 9], dtype=str), {})
    assert out[prepare.ROW_COLUMN].tolist() == [0, 1]
    assert prepare.source_column("mon__number") == "mon"
    assert prepare.source_column("name__qbo_name") == "name"
    assert prepare.source_column("name") == "name"


def test_render_keeps_unknown_placeholders_and_odd_braces():
    assert reasons.render("{a} and {b}", {"a": "1"}) == "1 and {b}"
    assert reasons.render("broken {", {}) == "broken {"
    assert reasons.placeholders("Line {line_no}: {value}") == ("line_no", "value")


def test_display_shows_invisible_characters_and_shortens():
    assert reasons.display("a\tb\nc") == "a[tab]b[line break]c"
    assert reasons.display(None) == ""
    long = reasons.display("x" * 300)
    assert len(long) == reasons.MAX_VALUE_CHARS and long.endswith("…")


def test_fallback_wording():
    assert reasons.fallback_template("expect_column_values_to_be_unique") == '{column} "{value}" appears more than once'
    assert reasons.fallback_template("expect_column_mean_to_be_between") == (
        '{column}: "{value}" fails the check "column mean to be between"')
