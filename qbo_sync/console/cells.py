"""How one value of a console column reads: money as money, hours as hours, names before ids.

Pure formatting (no database): queries.py gives it the column's value and the names of the
records that ref columns point at.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from qbo_sync.entities.base import Column

# The demo company and the sandbox keep their books in US dollars; QBO sends no symbol.
CURRENCY = "$"
FLAGS = {"true": "Yes", "false": "No"}


def number(value) -> Decimal | None:
    """The value as a number, or None when it is blank or not one ("abc" hours)."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, float):   # a database's sum: to the cent, without binary noise
        return Decimal(repr(round(value, 6)))
    try:
        found = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


def money(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}{CURRENCY}{abs(amount):,.2f}"


def hours(amount: Decimal) -> str:
    # 7.50 -> "7.5", 8.00 -> "8": hours read as people write them.
    text = f"{amount:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


class Cell(NamedTuple):
    # A tuple, not a dict: the template reads 50-200 rows of these per page.
    text: str        # shown
    detail: str      # the id after a name
    full: str        # the whole value, on hover and focus
    cls: str         # CSS classes


def cell(column: Column, value, names: dict[tuple[str, str], str]) -> Cell:
    raw = "" if value is None else str(value)
    # col-<header> names the column for styles and tests: "col-name", "col-week-ending".
    cls = ["col-" + "-".join(column.header.lower().split()), column.width, column.kind]
    if column.ref:
        name = names.get((column.ref, raw))
        if name and name != raw:
            return Cell(name, raw, f"{name} · {raw}", " ".join(cls))
        return Cell(raw, "", raw, " ".join(cls))
    text = raw
    if column.kind in ("money", "hours"):
        amount = number(raw)
        if amount is not None:
            text = money(amount) if column.kind == "money" else hours(amount)
        elif raw:
            cls.append("invalid")   # shown as the source has it; the row's reason says what is wrong
        else:
            return Cell("—", "", "Not known yet", " ".join(c for c in cls if c))
    elif column.kind == "flag":
        text = FLAGS.get(raw.strip().lower(), raw)
    return Cell(text, "", text, " ".join(c for c in cls if c))


class Total:
    """A running sum of one column; values that are not numbers are left out."""

    def __init__(self):
        self.sum = Decimal(0)

    def add(self, value) -> None:
        amount = number(value)
        if amount is not None:
            self.sum += amount


def format_total(column: Column, total: Total) -> str:
    return money(total.sum) if column.kind == "money" else hours(total.sum)
