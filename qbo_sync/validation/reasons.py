"""Turning one failed check on one row into a sentence a finance person understands.

The sentence is the expectation's meta.reason from the suite JSON, with placeholders:
{value} the row's value in the checked column (as the source wrote it), {column} that column,
{length} the length of the checked value, {row} the row's 1-based position, and any column
of the row by name ({line_no}, {start_date}, ...). Without a meta.reason the runner says what
it can from the expectation type and column.
"""

from __future__ import annotations

import string
from functools import lru_cache

MAX_VALUE_CHARS = 100  # a 600-character name would drown the sentence
_INVISIBLE = (("\r\n", "[line break]"), ("\n", "[line break]"), ("\r", "[line break]"), ("\t", "[tab]"))

_FALLBACKS = {
    "expect_column_values_to_not_be_null": "{column} is missing",
    "expect_column_values_to_be_unique": "{column} \"{value}\" appears more than once",
    "expect_compound_columns_to_be_unique": "{column} \"{value}\" appears more than once",
    "expect_column_values_to_be_in_set": "{column}: \"{value}\" is not one of the allowed values",
    "expect_column_values_to_not_be_in_set": "{column}: \"{value}\" is not allowed",
    "expect_column_values_to_match_regex": "{column}: \"{value}\" is not in the expected form",
    "expect_column_values_to_not_match_regex": "{column}: \"{value}\" is not in the expected form",
    "expect_column_values_to_match_strftime_format": "{column}: value does not match the expected format",
    "expect_column_values_to_be_between": "{column}: {value} is outside the allowed range",
    "expect_column_value_lengths_to_be_between": "{column}: \"{value}\" is {length} characters, outside the allowed length",
    "expect_column_pair_values_a_to_be_greater_than_b": "{column}: \"{value}\" is out of order with {other_column}",
}


def fallback_template(expectation_type: str) -> str:
    if expectation_type in _FALLBACKS:
        return _FALLBACKS[expectation_type]
    check = expectation_type.removeprefix("expect_").replace("_", " ")
    return "{column}: \"{value}\" fails the check \"" + check + "\""


class _KeepUnknown(dict):
    """A placeholder a suite author misspelt stays visible as {it} instead of failing the run."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=512)
def placeholders(template: str) -> tuple[str, ...]:
    try:
        return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)
    except ValueError:  # unbalanced braces: the template is shown as written
        return ()


def render(template: str, fields: dict[str, str]) -> str:
    try:
        return template.format_map(_KeepUnknown(fields))
    except (ValueError, IndexError, KeyError, AttributeError):
        return template


def display(value: object) -> str:
    """A source value as it appears in a sentence: '' for missing, long text shortened."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    for invisible, shown in _INVISIBLE:
        text = text.replace(invisible, shown)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
