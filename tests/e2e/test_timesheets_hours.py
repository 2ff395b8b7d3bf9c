"""Decimal hours → QBO Hours and Minutes (pure: no sandbox, no database)."""

import pytest

from qbo_sync.mappings import hours_minutes


@pytest.mark.parametrize("text, expected", [
    ("7.25", (7, 15)), ("8", (8, 0)), ("7.5", (7, 30)), ("0.1", (0, 6)), ("7.333", (7, 20)),
    ("0.9999", (1, 0)), ("7.2583", (7, 15)), ("7.2584", (7, 16)), ("24", (24, 0)), ("0", (0, 0)),
])
def test_hours_round_to_the_nearest_minute(text, expected):
    assert hours_minutes(text) == expected


@pytest.mark.parametrize("bad", ["abc", "-1", "", "inf"])
def test_bad_hours_are_a_clear_error(bad):
    with pytest.raises(ValueError, match="hours"):
        hours_minutes(bad)
