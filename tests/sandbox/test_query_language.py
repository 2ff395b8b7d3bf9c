"""The sandbox's QBO query language: parse, filter, sort, page, count, and its errors."""

import time
from datetime import timedelta, timezone
from decimal import Decimal

import pytest
from quickbooks.objects.customer import Customer
from quickbooks.objects.item import Item
from quickbooks.objects.vendor import Vendor
from quickbooks.utils import build_choose_clause, build_where_clause

from qbo_sync.sandbox.query import (
    DEFAULT_MAX_RESULTS,
    MAX_RESULTS,
    Condition,
    Query,
    QueryError,
    count,
    execute,
    filters_on,
    parse,
)


def customer(id, name, **fields):
    return {"Id": str(id), "DisplayName": name, **fields}


CUSTOMERS = [
    customer(1, "Acme Builders", Active=True, Balance=1000, Job=False,
             MetaData={"CreateTime": "2025-12-31T09:00:00-08:00",
                       "LastUpdatedTime": "2026-01-01T07:30:00-08:00"}),
    customer(2, "O'Brien Concrete", Active=True, Balance=99.5, Job=False,
             MetaData={"CreateTime": "2025-11-01T10:00:00-08:00",
                       "LastUpdatedTime": "2026-01-01T06:59:59-08:00"}),
    customer(3, "Kitchen Remodel", Active=False, Balance="250.00", Job=True,
             ParentRef={"value": "1", "name": "Acme Builders"},
             MetaData={"CreateTime": "2026-01-02T00:00:00Z",
                       "LastUpdatedTime": "2026-01-02T00:00:00Z"}),
    customer(10, "acme supply", Active=True, Job=False),  # no Balance, no MetaData
]


def ids(rows):
    return [row["Id"] for row in rows]


def run(text, rows=CUSTOMERS):
    return ids(execute(parse(text), rows))


# --------------------------------------------------------------------- parse


def test_plain_select_has_qbo_defaults():
    query = parse("SELECT * FROM Customer")
    assert query == Query(entity="Customer", count=False, conditions=(), order_by=(),
                          start_position=1, max_results=100)
    assert DEFAULT_MAX_RESULTS == 100 and MAX_RESULTS == 1000


def test_keywords_are_case_insensitive_and_entity_is_kept_as_written():
    query = parse("select * from vendorCredit where Active = TRUE orderby DisplayName desc "
                  "startposition 3 maxresults 7")
    assert query.entity == "vendorCredit"
    assert query.conditions == (Condition("Active", "=", True),)
    assert query.order_by == (("DisplayName", True),)
    assert (query.start_position, query.max_results) == (3, 7)


def test_whitespace_and_newlines_between_tokens_are_ignored():
    query = parse("\n  SELECT *\n\tFROM Customer\n WHERE Balance>=100AND Id<'3'  ")
    assert query.conditions == (Condition("Balance", ">=", Decimal("100")), Condition("Id", "<", "3"))


def test_escaped_quote_in_a_string_value():
    query = parse(r"SELECT * FROM Customer WHERE DisplayName = 'O\'Brien Concrete'")
    assert query.conditions == (Condition("DisplayName", "=", "O'Brien Concrete"),)
    assert ids(execute(query, CUSTOMERS)) == ["2"]


def test_backslash_not_before_a_quote_is_kept():
    query = parse(r"SELECT * FROM Vendor WHERE DisplayName = 'A\B'")
    assert query.conditions[0].value == "A\\B"


def test_named_fields_are_accepted_and_whole_rows_returned():
    rows = execute(parse("SELECT Id, DisplayName FROM Customer WHERE Id = '3'"), CUSTOMERS)
    assert rows == [CUSTOMERS[2]]


# --------------------------------------------------------------------- strings python-quickbooks sends


class QueryRecorder:
    """Stands in for the network only: records the text python-quickbooks would POST."""

    def __init__(self):
        self.sent = []

    def query(self, select):
        self.sent.append(select)
        return {"QueryResponse": {"totalCount": 0}}


def sent_by(call):
    recorder = QueryRecorder()
    call(recorder)
    [text] = recorder.sent
    return text


def test_where_with_paging_from_python_quickbooks():
    text = sent_by(lambda qb: Customer.where("Active = true", order_by="DisplayName DESC",
                                             start_position=2, max_results=2, qb=qb))
    assert text == "SELECT * FROM Customer WHERE Active = true ORDERBY DisplayName DESC STARTPOSITION 2 MAXRESULTS 2"
    # Active rows by name, descending and ignoring case: O'Brien, acme supply, Acme Builders.
    assert run(text) == ["10", "1"]


def test_filter_escapes_quotes_and_writes_python_booleans():
    text = sent_by(lambda qb: Customer.filter(DisplayName="O'Brien Concrete", Active=True, qb=qb))
    assert text == r"SELECT * FROM Customer WHERE DisplayName = 'O\'Brien Concrete' AND Active = True"
    assert run(text) == ["2"]


def test_filter_with_a_number_and_start_position_zero_is_refused_clearly():
    # python-quickbooks passes start_position through; QBO positions start at 1.
    text = sent_by(lambda qb: Customer.filter(Balance=1000, start_position=0, qb=qb))
    assert text == "SELECT * FROM Customer WHERE Balance = 1000 STARTPOSITION 0"
    with pytest.raises(QueryError, match="STARTPOSITION needs a whole number 1 or more"):
        parse(text)


def test_choose_builds_a_lowercase_in_list():
    text = sent_by(lambda qb: Customer.choose(["1", "10"], qb=qb))
    assert text == "SELECT * FROM Customer WHERE Id in ('1', '10')"
    assert run(text) == ["1", "10"]
    text = sent_by(lambda qb: Vendor.choose([3, 10], qb=qb))
    assert text == "SELECT * FROM Vendor WHERE Id in (3, 10)"
    assert run(text) == ["3", "10"]


def test_count_from_python_quickbooks():
    text = sent_by(lambda qb: Customer.count("Active = true", qb=qb))
    assert text == "SELECT COUNT(*) FROM Customer WHERE Active = true"
    query = parse(text)
    assert query.count is True and count(query, CUSTOMERS) == 3
    assert parse(sent_by(lambda qb: Customer.count(qb=qb))) .count is True


def test_all_uses_order_by_in_two_words_and_asks_item_for_sku():
    text = sent_by(lambda qb: Item.all(order_by="Name", start_position=1, qb=qb))
    assert text == "SELECT *, Sku FROM Item ORDER BY Name STARTPOSITION 1 MAXRESULTS 100"
    query = parse(text)
    assert (query.entity, query.order_by, query.max_results) == ("Item", (("Name", False),), 100)
    assert parse(sent_by(lambda qb: Customer.all(qb=qb))) == parse("SELECT * FROM Customer MAXRESULTS 100")


def test_build_helpers_output_parses():
    where = build_where_clause(DisplayName="It's", Balance=Decimal("12.50"), Active=False)
    choose = build_choose_clause(["a'b", "c"], "DisplayName")
    assert parse(f"SELECT * FROM Customer WHERE {where}").conditions == (
        Condition("DisplayName", "=", "It's"),
        Condition("Balance", "=", Decimal("12.50")),
        Condition("Active", "=", False),
    )
    assert parse(f"SELECT * FROM Customer WHERE {choose}").conditions == (
        Condition("DisplayName", "IN", ("a'b", "c")),
    )


# --------------------------------------------------------------------- WHERE


def test_string_equality_ignores_case():
    assert run("SELECT * FROM Customer WHERE DisplayName = 'ACME BUILDERS'") == ["1"]


def test_in_list_of_strings():
    assert run("SELECT * FROM Customer WHERE DisplayName IN ('acme builders', 'Kitchen Remodel', 'nobody')") == ["1", "3"]


def test_like_prefix_suffix_contains():
    assert run("SELECT * FROM Customer WHERE DisplayName LIKE 'acme%'") == ["1", "10"]
    assert run("SELECT * FROM Customer WHERE DisplayName LIKE '%CONCRETE'") == ["2"]
    assert run("SELECT * FROM Customer WHERE DisplayName LIKE '%me%'") == ["1", "10"]
    assert run("SELECT * FROM Customer WHERE DisplayName LIKE '%REMOD%'") == ["3"]
    assert run("SELECT * FROM Customer WHERE DisplayName LIKE 'Acme'") == []  # no % means whole value


def test_like_treats_only_percent_as_a_wildcard():
    rows = [customer(1, "A_B (x)"), customer(2, "AxB (x)")]
    assert run("SELECT * FROM Customer WHERE DisplayName LIKE 'A_B (%'", rows) == ["1"]
    assert run(r"SELECT * FROM Customer WHERE DisplayName LIKE 'O\'B%'") == ["2"]


def test_like_with_many_wildcards_answers_at_once():
    rows = [customer(1, "a" * 5000)]
    started = time.perf_counter()
    assert run("SELECT * FROM Customer WHERE DisplayName LIKE '" + "%a" * 60 + "%b'", rows) == []
    assert run("SELECT * FROM Customer WHERE DisplayName LIKE '" + "%a" * 60 + "%'", rows) == ["1"]
    assert time.perf_counter() - started < 1


def test_numbers_compare_numerically():
    # As text "1000" < "250.00" < "99.5"; as numbers 99.5 < 250 < 1000.
    assert run("SELECT * FROM Customer WHERE Balance > 100") == ["1", "3"]
    assert run("SELECT * FROM Customer WHERE Balance <= 250") == ["2", "3"]
    assert run("SELECT * FROM Customer WHERE Balance = '99.50'") == ["2"]
    assert run("SELECT * FROM Customer WHERE Id > 2") == ["3", "10"]  # ids are strings in QBO JSON
    rows = [{"Id": "1", "Balance": float("nan")}, {"Id": "2", "Balance": "n/a"}, {"Id": "3", "Balance": 5}]
    assert run("SELECT * FROM Customer WHERE Balance > 0", rows) == ["3"]


def test_date_times_compare_as_instants_with_offsets():
    # 07:30-08:00 is 15:30Z: after 15:00Z though its text sorts before it.
    assert run("SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2026-01-01T15:00:00Z'") == ["1", "3"]
    assert run("SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '2026-01-01T07:30:00-08:00'") == ["1", "3"]
    assert run("SELECT * FROM Customer WHERE MetaData.LastUpdatedTime < '2026-01-01T10:00:00-05:00'") == ["2"]
    assert run("SELECT * FROM Customer WHERE MetaData.LastUpdatedTime = '2026-01-01T15:30:00+00:00'") == ["1"]


def test_offsets_without_colon_as_in_intuits_example():
    assert run("SELECT * FROM Customer WHERE Metadata.LastUpdatedTime > '2026-01-01T10:00:00-0500'") == ["1", "3"]


def test_dates_compare_with_dates_and_date_times():
    rows = [{"Id": "1", "TxnDate": "2025-12-31"}, {"Id": "2", "TxnDate": "2026-01-01"},
            {"Id": "3", "TxnDate": "2026-02-01"}]
    assert run("SELECT * FROM Bill WHERE TxnDate >= '2026-01-01'", rows) == ["2", "3"]
    assert run("SELECT * FROM Bill WHERE TxnDate = '2026-01-01' ", rows) == ["2"]
    # A date alone is midnight UTC against a date-time.
    assert run("SELECT * FROM Customer WHERE MetaData.CreateTime >= '2026-01-01'") == ["3"]


def test_naive_date_times_are_read_in_the_zone_the_caller_gives():
    query = parse("SELECT * FROM Customer WHERE MetaData.CreateTime < '2025-12-31T10:00:00'")
    assert ids(execute(query, CUSTOMERS)) == ["2"]  # 10:00Z is before 09:00-08:00 (17:00Z)
    pacific = timezone(timedelta(hours=-8))
    assert ids(execute(query, CUSTOMERS, naive_tz=pacific)) == ["1", "2"]


def test_row_without_the_field_matches_no_condition_on_it():
    for where in ("Balance < 1000000", "Balance > -1", "MetaData.CreateTime > '2000-01-01'",
                  "Balance LIKE '%'", "ParentRef IN ('1', '2')", "Nickname = ''"):
        assert "10" not in run(f"SELECT * FROM Customer WHERE {where}"), where
    assert run("SELECT * FROM Customer WHERE Balance > -1") == ["1", "2", "3"]


def test_null_value_is_treated_as_missing():
    rows = [{"Id": "1", "Notes": None}, {"Id": "2", "Notes": "x"}]
    assert run("SELECT * FROM Customer WHERE Notes LIKE '%'", rows) == ["2"]


def test_booleans():
    assert run("SELECT * FROM Customer WHERE Active = true") == ["1", "2", "10"]
    assert run("SELECT * FROM Customer WHERE Active = false") == ["3"]
    assert run("SELECT * FROM Customer WHERE Active IN (true, false)") == ["1", "2", "3", "10"]
    assert run("SELECT * FROM Customer WHERE Job = 'true'") == ["3"]
    # A boolean is not the number 1.
    assert run("SELECT * FROM Customer WHERE Active = 1") == []


def test_reference_fields_compare_by_value():
    assert run("SELECT * FROM Customer WHERE ParentRef = '1'") == ["3"]
    assert run("SELECT * FROM Customer WHERE ParentRef = 1") == ["3"]
    bills = [{"Id": "1", "VendorRef": {"value": "56", "name": "Bob"}},
             {"Id": "2", "VendorRef": {"value": "57"}}]
    assert run("SELECT * FROM Bill WHERE VendorRef IN ('57', '58')", bills) == ["2"]


def test_conditions_are_joined_with_and():
    assert run("SELECT * FROM Customer WHERE Active = true AND DisplayName LIKE 'acme%' AND Balance > 0") == ["1"]


def test_field_names_match_case_insensitively():
    assert run("SELECT * FROM Customer WHERE displayname = 'acme supply'") == ["10"]


def test_filters_on_tells_whether_where_names_a_field():
    assert filters_on(parse("SELECT * FROM Customer WHERE active IN (true, false)"), "Active")
    assert not filters_on(parse("SELECT * FROM Customer WHERE DisplayName = 'Active'"), "Active")
    assert not filters_on(parse("SELECT * FROM Customer ORDERBY Active"), "Active")


# --------------------------------------------------------------------- ORDERBY and paging


def test_orderby_descending_and_multiple_keys():
    assert run("SELECT * FROM Customer ORDERBY DisplayName DESC") == ["2", "3", "10", "1"]
    assert run("SELECT * FROM Customer ORDERBY Active, DisplayName ASC") == ["3", "1", "10", "2"]
    assert run("SELECT * FROM Customer ORDERBY Active DESC, Id DESC") == ["10", "2", "1", "3"]


def test_orderby_sorts_numbers_numerically_and_puts_missing_last():
    assert run("SELECT * FROM Customer ORDERBY Id DESC") == ["10", "3", "2", "1"]
    assert run("SELECT * FROM Customer ORDERBY Balance") == ["2", "3", "1", "10"]
    assert run("SELECT * FROM Customer ORDERBY Balance DESC") == ["1", "3", "2", "10"]


def test_orderby_date_times_by_instant():
    assert run("SELECT * FROM Customer ORDERBY MetaData.LastUpdatedTime DESC") == ["3", "1", "2", "10"]


def test_without_orderby_rows_keep_their_order():
    assert run("SELECT * FROM Customer", list(reversed(CUSTOMERS))) == ["10", "3", "2", "1"]


def test_paging_default_is_first_100_rows():
    rows = [customer(i, f"C{i}") for i in range(1, 251)]
    assert ids(execute(parse("SELECT * FROM Customer"), rows)) == [str(i) for i in range(1, 101)]


def test_startposition_is_one_based():
    rows = [customer(i, f"C{i}") for i in range(1, 251)]
    page = execute(parse("SELECT * FROM Customer ORDERBY Id STARTPOSITION 101 MAXRESULTS 100"), rows)
    assert ids(page) == [str(i) for i in range(101, 201)]
    last = execute(parse("SELECT * FROM Customer STARTPOSITION 201 MAXRESULTS 100"), rows)
    assert len(last) == 50
    assert execute(parse("SELECT * FROM Customer STARTPOSITION 251"), rows) == []


def test_maxresults_up_to_1000():
    rows = [customer(i, f"C{i}") for i in range(1, 1201)]
    assert len(execute(parse("SELECT * FROM Customer MAXRESULTS 1000"), rows)) == 1000
    with pytest.raises(QueryError, match="1000"):
        parse("SELECT * FROM Customer MAXRESULTS 1001")


def test_count_ignores_order_and_paging():
    query = parse("SELECT COUNT(*) FROM Customer WHERE Active = true ORDERBY Id STARTPOSITION 3 MAXRESULTS 1")
    assert count(query, CUSTOMERS) == 3
    assert count(parse("select count ( * ) from Customer"), CUSTOMERS) == 4
    assert count(parse("SELECT COUNT(*) FROM Customer WHERE DisplayName = 'nobody'"), CUSTOMERS) == 0


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * FROM Customer WHERE Id = '1' OR Id = '2'", "do not support OR"),
        ("SELECT * FROM Customer WHERE DisplayName = 'O'Brien'", "unterminated string"),
        ("SELECT * FROM Customer WHERE DisplayName = 'Acme", "unterminated string"),
        (r"SELECT * FROM Customer WHERE DisplayName = 'Acme\'", "unterminated string"),
        ("SELECT * Customer", "expected FROM"),
        ("SELECT *", "expected FROM"),
        ("SELECT * FROM", "expected an entity name"),
        ("SELECT * FROM Customer WHERE", "expected a field name"),
        ("SELECT * FROM Customer WHERE Id", "expected an operator"),
        ("SELECT * FROM Customer WHERE Id =", "expected a value"),
        ("SELECT * FROM Customer extra", "unexpected 'extra'"),
        ("SELECT * FROM Customer MAXRESULTS 10 20", "unexpected '20'"),
        ("SELECT * FROM Customer;", "unexpected character ';'"),
        ("SELECT * FROM Customer c JOIN Invoice i", "unexpected 'c'"),
        ("SELECT * FROM Customer JOIN Invoice", "do not support JOIN"),
        ("SELECT * FROM Customer, Invoice", "one entity at a time"),
        ("SELECT * FROM Customer GROUP BY Active", "do not support GROUP BY"),
        ("SELECT * FROM Customer LIMIT 10", "STARTPOSITION n MAXRESULTS n"),
        ("SELECT * FROM Customer MAXRESULTS 10 STARTPOSITION 2", "STARTPOSITION must come before MAXRESULTS"),
        ("SELECT * FROM Customer ORDERBY Id WHERE Active = true", "WHERE must come before ORDERBY"),
        ("SELECT * FROM Customer MAXRESULTS 1 MAXRESULTS 2", "MAXRESULTS appears twice"),
        ("SELECT * FROM Customer MAXRESULTS 0", "between 1 and 1000"),
        ("SELECT * FROM Customer MAXRESULTS 2.5", "whole number"),
        ("SELECT * FROM Customer STARTPOSITION -1", "1 or more"),
        ("SELECT * FROM Customer MAXRESULTS 5000", "limit of 1000"),
        ("SELECT * FROM Customer WHERE Id != '1'", "'!=' is not supported"),
        ("SELECT * FROM Customer WHERE Active < true", "only be compared with = or IN"),
        ("SELECT * FROM Customer WHERE Balance LIKE 5", "LIKE needs a quoted pattern"),
        ('SELECT * FROM Customer WHERE DisplayName = "Acme"', "quote values with '"),
        ("SELECT * FROM Customer WHERE (Active = true)", "parentheses"),
        ("SELECT * FROM Customer WHERE Id IN ('1', '2'", "to close the IN list"),
        ("SELECT * FROM Customer WHERE Id IN '1'", "expected '(' after IN"),
        ("SELECT * FROM Customer WHERE Notes = None", "found 'None'"),
        ("SELECT * FROM Customer WHERE Notes IS NULL", "IS NULL"),
        ("SELECT * FROM Customer WHERE MetaData..CreateTime > '2026-01-01'", "empty part"),
        ("SELECT COUNT(Id) FROM Customer", "COUNT(*)"),
        ("SELECT COUNT(*), Id FROM Customer", "cannot be combined"),
        ("SELECT FROM Customer", "expected * , COUNT(*) or a field name"),
        ("DELETE FROM Customer", "expected SELECT"),
        ("", "query is empty"),
        ("   ", "query is empty"),
    ],
)
def test_bad_queries_raise_query_error_saying_what_and_where(text, expected):
    with pytest.raises(QueryError) as caught:
        parse(text)
    message = str(caught.value)
    assert message.startswith("Error parsing query: ")
    assert expected in message
    assert "at character" in message
    assert isinstance(caught.value.position, int) and 0 <= caught.value.position <= len(text)


def test_error_position_points_at_the_offending_token():
    text = "SELECT * FROM Customer WHERE Id = '1' OR Id = '2'"
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert text[caught.value.position:].startswith("OR")
    assert "(at character 39, near \"OR Id = '2'\")" in str(caught.value)


def test_query_error_is_a_value_error_and_non_text_is_refused():
    assert issubclass(QueryError, ValueError)
    with pytest.raises(QueryError, match="expected the query as text"):
        parse(b"SELECT * FROM Customer")
