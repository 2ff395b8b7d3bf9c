"""The QBO query language, as the local sandbox understands it.

Grammar (Intuit, "Data queries" page, developer.intuit.com/app/developer/qbo/docs/learn/
explore-the-quickbooks-online-api/data-queries)::

    SELECT * | COUNT(*) | Field [, Field]... FROM Entity
        [WHERE Field Op Value [AND Field Op Value]...]
        [ORDERBY Field [ASC|DESC] [, Field [ASC|DESC]]...]
        [STARTPOSITION n] [MAXRESULTS n]

    Op    = '=' | '<' | '>' | '<=' | '>=' | IN (v [, v]...) | LIKE 'with % wildcards'
    Value = 'quoted, with \\' for a quote' | number | true | false

Intuit's stated limits, which this module enforces as parse errors: no OR, no GROUP BY, no
JOIN, one entity at a time, `%` is the only LIKE wildcard, MAXRESULTS at most 1000.

Choices made where QBO's behaviour is not documented (so the sandbox is predictable):

- `ORDER BY` (two words) is accepted as well as `ORDERBY`: python-quickbooks' `all()` sends it.
- A select list of named fields (`SELECT Id, DisplayName`, `SELECT *, Sku`) is accepted
  and whole rows are returned; Intuit's page says the response always has all properties.
- Inside a quoted string only `\\'` is an escape; any other backslash is kept as written,
  because python-quickbooks escapes quotes and nothing else.
- String comparison ignores case. Two values that both read as ISO-8601 dates or
  date-times are compared as points in time; a date alone means midnight; a value without
  an offset is read in `naive_tz` (UTC unless the caller says otherwise).
- A row without the field (or with null there) matches no condition on that field, and
  sorts after every row that has it, whichever the direction.
- Without ORDERBY rows keep the order the caller gave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Union

__all__ = [
    "Condition",
    "DEFAULT_MAX_RESULTS",
    "MAX_RESULTS",
    "Query",
    "QueryError",
    "count",
    "execute",
    "filters_on",
    "parse",
]

MAX_RESULTS = 1000
DEFAULT_MAX_RESULTS = 100

Literal = Union[str, Decimal, bool]

COMPARISON_OPERATORS = ("=", "<", ">", "<=", ">=")


class QueryError(ValueError):
    """The query text is not valid QBO query language (QBO answers fault 4000).

    `position` is the 0-based offset of the offending text; the message counts from 1.
    """

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class Condition:
    """One `field op value` term of a WHERE clause.

    `value` is a tuple of literals for IN, a single literal otherwise.
    """

    field: str
    operator: str  # one of = < > <= >= IN LIKE
    value: Literal | tuple[Literal, ...]


@dataclass(frozen=True)
class Query:
    entity: str
    count: bool
    conditions: tuple[Condition, ...] = ()
    order_by: tuple[tuple[str, bool], ...] = ()  # (field path, descending)
    start_position: int = 1
    max_results: int = DEFAULT_MAX_RESULTS


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD STRING NUMBER OP PUNCT END
    text: str  # the source text (for messages)
    value: Any  # str for WORD/OP/PUNCT, unescaped str for STRING, Decimal for NUMBER
    position: int  # 0-based offset in the query text


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")
_OPERATORS = ("<=", ">=", "<>", "!=", "=", "<", ">")


def _snippet(text: str, position: int) -> str:
    rest = text[position : position + 25]
    return repr(rest + ("..." if len(text) > position + 25 else "")) if rest else "end of query"


def _error(text: str, position: int, problem: str) -> QueryError:
    return QueryError(
        f"Error parsing query: {problem} (at character {position + 1}, near {_snippet(text, position)})",
        position,
    )


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Read a single-quoted string starting at text[start]; return (value, end offset)."""
    chars = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] == "'":
            chars.append("'")
            i += 2
        elif ch == "'":
            return "".join(chars), i + 1
        else:
            chars.append(ch)
            i += 1
    raise _error(
        text,
        start,
        "unterminated string: a quote opened here is never closed (write a quote inside a string as \\')",
    )


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "'":
            value, end = _read_string(text, i)
            tokens.append(_Token("STRING", text[i:end], value, i))
            i = end
            continue
        if ch in "\"\u2018\u2019\u201c\u201d":
            raise _error(text, i, f"{ch!r} does not delimit strings; quote values with ' (straight single quote)")
        number = _NUMBER.match(text, i)
        if number:  # a leading sign belongs to the number: QBO has no arithmetic
            tokens.append(_Token("NUMBER", number.group(), Decimal(number.group()), i))
            i = number.end()
            continue
        word = _WORD.match(text, i)
        if word:
            tokens.append(_Token("WORD", word.group(), word.group(), i))
            i = word.end()
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, i)), None)
        if operator:
            tokens.append(_Token("OP", operator, operator, i))
            i += len(operator)
            continue
        if ch in "(),*":
            tokens.append(_Token("PUNCT", ch, ch, i))
            i += 1
            continue
        raise _error(text, i, f"unexpected character {ch!r}")
    tokens.append(_Token("END", "", None, len(text)))
    return tokens


# --------------------------------------------------------------------------- parser

_UNSUPPORTED_CLAUSES = {
    "OR": "QBO queries do not support OR; use IN ('a', 'b') for alternatives on one field, "
    "or run one query per alternative",
    "NOT": "QBO queries do not support NOT",
    "JOIN": "QBO queries do not support JOIN; query one entity at a time",
    "INNER": "QBO queries do not support JOIN; query one entity at a time",
    "LEFT": "QBO queries do not support JOIN; query one entity at a time",
    "GROUP": "QBO queries do not support GROUP BY",
    "HAVING": "QBO queries do not support HAVING",
    "LIMIT": "QBO queries page with STARTPOSITION n MAXRESULTS n, not LIMIT",
    "OFFSET": "QBO queries page with STARTPOSITION n MAXRESULTS n, not OFFSET",
    "BETWEEN": "QBO queries do not support BETWEEN; use Field >= a AND Field <= b",
    "IS": "QBO queries do not support IS NULL; a row without the field matches no condition on it",
    "UNION": "QBO queries do not support UNION",
}

# Where each trailing clause may appear, in QBO's order.
_CLAUSE_ORDER = ("WHERE", "ORDERBY", "STARTPOSITION", "MAXRESULTS")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    # -- token helpers

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.current
        if token.kind != "END":
            self.index += 1
        return token

    def is_keyword(self, *words: str, offset: int = 0) -> bool:
        token = self.tokens[min(self.index + offset, len(self.tokens) - 1)]
        return token.kind == "WORD" and token.value.upper() in words

    def is_punct(self, ch: str) -> bool:
        return self.current.kind == "PUNCT" and self.current.value == ch

    def fail(self, problem: str, token: _Token | None = None) -> QueryError:
        return _error(self.text, (token or self.current).position, problem)

    def expect_keyword(self, word: str, what: str) -> None:
        if not self.is_keyword(word):
            raise self.fail(f"expected {word} {what}, found {self.describe(self.current)}")
        self.advance()

    def expect_punct(self, ch: str, what: str) -> None:
        if not self.is_punct(ch):
            raise self.fail(f"expected {ch!r} {what}, found {self.describe(self.current)}")
        self.advance()

    @staticmethod
    def describe(token: _Token) -> str:
        return "end of query" if token.kind == "END" else repr(token.text)

    def reject_unsupported(self) -> None:
        if self.current.kind == "WORD":
            message = _UNSUPPORTED_CLAUSES.get(self.current.value.upper())
            if message:
                raise self.fail(message)

    # -- grammar

    def query(self) -> Query:
        if self.current.kind == "END":
            raise self.fail("the query is empty; expected SELECT * FROM <Entity>")
        self.expect_keyword("SELECT", "at the start of the query")
        is_count = self.select_list()
        self.expect_keyword("FROM", "after the select list")
        entity = self.entity()

        conditions: tuple[Condition, ...] = ()
        order_by: tuple[tuple[str, bool], ...] = ()
        start_position, max_results = 1, DEFAULT_MAX_RESULTS
        seen: list[str] = []
        while self.current.kind != "END":
            clause = self.clause_keyword()
            self.check_clause_order(clause, seen)
            seen.append(clause)
            if clause == "WHERE":
                conditions = self.where()
            elif clause == "ORDERBY":
                order_by = self.order_by()
            elif clause == "STARTPOSITION":
                start_position = self.positive_integer("STARTPOSITION", "1 or more")
            else:
                max_results = self.positive_integer("MAXRESULTS", f"between 1 and {MAX_RESULTS}")
                if max_results > MAX_RESULTS:
                    raise self.fail(
                        f"MAXRESULTS {max_results} is over QBO's limit of {MAX_RESULTS} rows per query; "
                        "page with STARTPOSITION instead",
                        self.tokens[self.index - 1],
                    )
        return Query(entity, is_count, conditions, order_by, start_position, max_results)

    def select_list(self) -> bool:
        """Parse what follows SELECT; return True for COUNT(*)."""
        if self.is_keyword("COUNT") and self.tokens[self.index + 1].value == "(":
            self.advance()
            self.expect_punct("(", "after COUNT")
            self.expect_punct("*", "inside COUNT(...): QBO counts only with COUNT(*)")
            self.expect_punct(")", "to close COUNT(*")
            if self.is_punct(","):
                raise self.fail("COUNT(*) cannot be combined with other fields in the select list")
            return True
        # '*' and/or named fields; named fields are accepted and whole rows returned.
        while True:
            if self.is_punct("*"):
                self.advance()
            elif self.current.kind == "WORD" and not self.is_keyword("FROM"):
                self.field_path(self.advance())
            else:
                raise self.fail(f"expected * , COUNT(*) or a field name after SELECT, found {self.describe(self.current)}")
            if not self.is_punct(","):
                return False
            self.advance()

    def entity(self) -> str:
        token = self.current
        if token.kind != "WORD" or token.value.upper() in _CLAUSE_ORDER or token.value.upper() == "ORDER":
            raise self.fail(f"expected an entity name after FROM (e.g. Customer), found {self.describe(token)}")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", token.value):
            raise self.fail(f"{token.text!r} is not an entity name")
        self.advance()
        if self.is_punct(","):
            raise self.fail("QBO queries one entity at a time; send one query per entity")
        return token.value

    def clause_keyword(self) -> str:
        self.reject_unsupported()
        if self.is_keyword("ORDER") and self.is_keyword("BY", offset=1):
            self.advance()
            self.advance()
            return "ORDERBY"
        if self.is_keyword(*_CLAUSE_ORDER):
            return self.advance().value.upper()
        raise self.fail(
            f"unexpected {self.describe(self.current)}; after FROM <Entity> only WHERE, ORDERBY, "
            "STARTPOSITION and MAXRESULTS may follow, in that order"
        )

    def check_clause_order(self, clause: str, seen: list[str]) -> None:
        token = self.tokens[self.index - 1]
        if clause in seen:
            raise self.fail(f"{clause} appears twice", token)
        later = [c for c in seen if _CLAUSE_ORDER.index(c) > _CLAUSE_ORDER.index(clause)]
        if later:
            raise self.fail(
                f"{clause} must come before {later[0]} (QBO's order: WHERE, ORDERBY, STARTPOSITION, MAXRESULTS)",
                token,
            )

    def where(self) -> tuple[Condition, ...]:
        conditions = [self.condition()]
        while True:
            self.reject_unsupported()
            if not self.is_keyword("AND"):
                return tuple(conditions)
            self.advance()
            conditions.append(self.condition())

    def condition(self) -> Condition:
        self.reject_unsupported()
        if self.is_punct("("):
            raise self.fail("QBO queries do not support parentheses in WHERE; join conditions with AND")
        token = self.current
        if token.kind != "WORD" or token.value.upper() in _CLAUSE_ORDER or token.value.upper() == "AND":
            raise self.fail(f"expected a field name in the WHERE clause, found {self.describe(token)}")
        field = self.field_path(self.advance())

        operator_token = self.current
        if self.is_keyword("IN"):
            self.advance()
            return Condition(field, "IN", self.in_list())
        if self.is_keyword("LIKE"):
            self.advance()
            pattern = self.literal()
            if not isinstance(pattern, str):
                raise self.fail("LIKE needs a quoted pattern such as 'Smith%'", self.tokens[self.index - 1])
            return Condition(field, "LIKE", pattern)
        if operator_token.kind == "OP" and operator_token.value in COMPARISON_OPERATORS:
            self.advance()
            value = self.literal()
            if isinstance(value, bool) and operator_token.value != "=":
                raise self.fail(f"true/false can only be compared with = or IN, not {operator_token.value}", operator_token)
            return Condition(field, operator_token.value, value)
        if operator_token.kind == "OP":
            raise self.fail(f"operator {operator_token.value!r} is not supported; QBO supports =, <, >, <=, >=, IN and LIKE")
        self.reject_unsupported()
        raise self.fail(f"expected an operator (=, <, >, <=, >=, IN, LIKE) after {field}, found {self.describe(operator_token)}")

    def in_list(self) -> tuple[Literal, ...]:
        self.expect_punct("(", "after IN")
        values = [self.literal()]
        while self.is_punct(","):
            self.advance()
            values.append(self.literal())
        self.expect_punct(")", "to close the IN list")
        return tuple(values)

    def literal(self) -> Literal:
        token = self.advance()
        if token.kind in ("STRING", "NUMBER"):
            return token.value
        if token.kind == "WORD" and token.value.lower() in ("true", "false"):
            return token.value.lower() == "true"
        raise self.fail(
            f"expected a value ('quoted text', a number, true or false), found {self.describe(token)}", token
        )

    def order_by(self) -> tuple[tuple[str, bool], ...]:
        keys = []
        while True:
            token = self.current
            if token.kind != "WORD" or token.value.upper() in _CLAUSE_ORDER:
                raise self.fail(f"expected a field name after ORDERBY, found {self.describe(token)}")
            field = self.field_path(self.advance())
            descending = False
            if self.is_keyword("ASC", "DESC"):
                descending = self.advance().value.upper() == "DESC"
            keys.append((field, descending))
            if not self.is_punct(","):
                return tuple(keys)
            self.advance()

    def positive_integer(self, clause: str, allowed: str) -> int:
        token = self.advance()
        if token.kind != "NUMBER" or not re.fullmatch(r"\d+", token.text) or int(token.text) < 1:
            raise self.fail(f"{clause} needs a whole number {allowed}, found {self.describe(token)}", token)
        return int(token.text)

    def field_path(self, token: _Token) -> str:
        if any(part == "" for part in token.value.split(".")):
            raise self.fail(f"{token.text!r} is not a field name (empty part in a dotted path)", token)
        return token.value


def parse(text: str) -> Query:
    """Parse a QBO query; raise QueryError saying what is wrong and where."""
    if not isinstance(text, str):
        raise QueryError(f"Error parsing query: expected the query as text, got {type(text).__name__}")
    return _Parser(text).query()


# --------------------------------------------------------------------------- evaluation

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MISSING = object()


def _lookup(row: dict, path: str) -> Any:
    """The value at a dotted path; a reference ({"value": ...}) yields its value.

    Field names match case-insensitively when no exact key exists: Intuit's own examples
    write `Metadata.LastUpdatedTime` for the `MetaData` field.
    """
    current: Any = row
    for part in path.split("."):
        if not isinstance(current, dict):
            return _MISSING
        if part in current:
            current = current[part]
        else:
            folded = part.casefold()
            current = next((v for k, v in current.items() if k.casefold() == folded), _MISSING)
            if current is _MISSING:
                return _MISSING
    if isinstance(current, dict) and "value" in current:
        current = current["value"]
    return _MISSING if current is None else current


def _as_datetime(value: Any, naive_tz: tzinfo) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and _ISO_DATE.match(value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=naive_tz)


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if not isinstance(value, (int, float, Decimal, str)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _comparable(actual: Any, literal: Literal, naive_tz: tzinfo) -> tuple[Any, Any] | None:
    """Bring a row value and a literal to one comparable type, or None if they cannot be."""
    if isinstance(literal, bool):
        actual_bool = _as_bool(actual)
        return None if actual_bool is None else (actual_bool, literal)
    if isinstance(literal, Decimal):
        actual_number = _as_number(actual)
        return None if actual_number is None else (actual_number, literal)
    # A quoted literal: compare by what the row holds.
    if isinstance(actual, bool):
        literal_bool = _as_bool(literal)
        return None if literal_bool is None else (actual, literal_bool)
    if isinstance(actual, (int, float, Decimal)):
        literal_number = _as_number(literal)
        if literal_number is not None:
            return _as_number(actual), literal_number
    if isinstance(actual, (str, date)):
        actual_time, literal_time = _as_datetime(actual, naive_tz), _as_datetime(literal, naive_tz)
        if actual_time is not None and literal_time is not None:
            return actual_time, literal_time
    if isinstance(actual, (dict, list)):
        return None
    return str(actual).casefold(), literal.casefold()


def _like(actual: Any, pattern: str) -> bool:
    """SQL LIKE with `%` as the only wildcard, ignoring case.

    Matched segment by segment rather than with a regex, so a pattern full of `%` cannot
    make the match take exponential time.
    """
    if isinstance(actual, (dict, list, bool)):
        return False
    text = str(actual).casefold()
    first, *middle = pattern.casefold().split("%")
    if not middle:
        return text == first
    *middle, last = middle
    if not text.startswith(first):
        return False
    position = len(first)
    for part in middle:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return text[position:].endswith(last)


def _compare(actual: Any, operator: str, literal: Literal, naive_tz: tzinfo) -> bool:
    pair = _comparable(actual, literal, naive_tz)
    if pair is None:
        return False
    left, right = pair
    if operator == "=":
        return left == right
    if operator == "<":
        return left < right
    if operator == ">":
        return left > right
    if operator == "<=":
        return left <= right
    return left >= right


def _candidates(row: dict, path: str) -> list[Any]:
    """The values at a dotted path; a list on the way (an Attachable's AttachableRef) gives
    one value per element, and the row matches when any of them does, as in QBO's
    `AttachableRef.EntityRef.Value = '95'`."""
    parts = path.split(".")
    for i in range(1, len(parts)):
        above = _lookup(row, ".".join(parts[:i]))
        if isinstance(above, list):
            rest = ".".join(parts[i:])
            return [value for item in above if isinstance(item, dict)
                    for value in _candidates(item, rest)]
    return [_lookup(row, path)]


def _matches(row: dict, condition: Condition, naive_tz: tzinfo) -> bool:
    return any(_matches_value(actual, condition, naive_tz)
               for actual in _candidates(row, condition.field))


def _matches_value(actual: Any, condition: Condition, naive_tz: tzinfo) -> bool:
    if actual is _MISSING:
        return False
    if condition.operator == "IN":
        return any(_compare(actual, "=", value, naive_tz) for value in condition.value)
    if condition.operator == "LIKE":
        return _like(actual, condition.value)
    return _compare(actual, condition.operator, condition.value, naive_tz)


def _filter(query: Query, rows: Iterable[dict], naive_tz: tzinfo) -> list[dict]:
    return [row for row in rows if all(_matches(row, c, naive_tz) for c in query.conditions)]


def _sort_key_function(values: list[Any], naive_tz: tzinfo):
    """Pick one ordering for a column: numeric, chronological, boolean or text (no case)."""
    if values and all(_as_number(v) is not None for v in values):
        return _as_number
    if values and all(_as_datetime(v, naive_tz) is not None for v in values):
        return lambda v: _as_datetime(v, naive_tz)
    if values and all(isinstance(v, bool) for v in values):
        return lambda v: v
    return lambda v: str(v).casefold()


def _sort(rows: list[dict], order_by: tuple[tuple[str, bool], ...], naive_tz: tzinfo) -> list[dict]:
    # Stable sorts from the last key to the first give a multi-key order with mixed directions.
    for field, descending in reversed(order_by):
        present = [(row, _lookup(row, field)) for row in rows]
        missing = [row for row, value in present if value is _MISSING]
        present = [(row, value) for row, value in present if value is not _MISSING]
        key = _sort_key_function([value for _, value in present], naive_tz)
        ordered = sorted(present, key=lambda pair: key(pair[1]), reverse=descending)
        rows = [row for row, _ in ordered] + missing
    return rows


def execute(query: Query, rows: list[dict], *, naive_tz: tzinfo = timezone.utc) -> list[dict]:
    """The page of rows the query selects: filtered by WHERE, sorted by ORDERBY, then paged.

    `naive_tz` is the zone for date-times written without an offset (QBO would use the
    company's zone; the sandbox may pass its own).
    """
    selected = _sort(_filter(query, rows, naive_tz), query.order_by, naive_tz)
    start = query.start_position - 1
    return selected[start : start + query.max_results]


def count(query: Query, rows: list[dict], *, naive_tz: tzinfo = timezone.utc) -> int:
    """How many rows match the WHERE clause (ORDERBY and paging do not apply)."""
    return len(_filter(query, rows, naive_tz))


def filters_on(query: Query, field: str) -> bool:
    """Whether the WHERE clause has a condition on `field` (any case).

    QBO returns only active name-list objects (Customer, Vendor, Employee, Item, Account,
    Class) unless the query itself filters on Active; the server can use this to decide.
    """
    folded = field.casefold()
    return any(condition.field.casefold() == folded for condition in query.conditions)
