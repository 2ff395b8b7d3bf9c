"""Pure rules: the name-cleaning rule and QBO faults in plain words."""

from __future__ import annotations

import pytest

from qbo_sync.entities.names import clean_name
from qbo_sync.qbo import faults


@pytest.mark.parametrize("raw, clean", [
    ("Summit Hotel: Phase 2", "Summit Hotel - Phase 2"),
    ("A:B", "A - B"),
    ("Tab\there", "Tab here"),
    ("Two\nlines\r\n", "Two lines"),
    ("  spaced   out ", "spaced out"),
    ("O'Brien & Sons", "O'Brien & Sons"),
])
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


def test_fault_classification():
    dup = faults.from_fault_json({"Error": [{"Message": "Duplicate Name Exists Error", "code": "6240",
                                             "Detail": "The name supplied already exists."}]})
    assert dup.plain.startswith("QuickBooks already has a customer, vendor or employee") and not dup.retryable
    stale = faults.classify("5010", "Stale object", "")
    assert "changed this record in QuickBooks" in stale.plain and not stale.retryable
    throttle = faults.classify("3001", "ThrottleExceeded", "", http_status=429)
    assert throttle.retryable
    unknown = faults.classify("9999", "Odd", "Something odd happened")
    assert unknown.plain == "QuickBooks refused it: Something odd happened" and not unknown.retryable
    assert faults.classify("", "", "", http_status=503).retryable


def test_exceptions_from_python_quickbooks():
    from quickbooks.exceptions import QuickbooksException, ValidationException

    xml_throttle = QuickbooksException("Error reading json response: <IntuitResponse>"
                                       "message=ThrottleExceeded; errorCode=003001; statusCode=429", 10000)
    assert faults.from_exception(xml_throttle).retryable
    html_503 = QuickbooksException("Error returned with status code '503': <html>", 10000)
    assert faults.from_exception(html_503).retryable
    invalid_ref = ValidationException("Invalid Reference Id", 2500, "Invalid Reference Id : Customer 99")
    fault = faults.from_exception(invalid_ref)
    assert fault.plain == "It refers to a QuickBooks record that does not exist: Invalid Reference Id : Customer 99"
