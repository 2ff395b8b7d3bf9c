"""Intuit's two webhook payloads become the same changes; the signature covers the exact body."""

from __future__ import annotations

import json

import pytest

from qbo_sync.qbo.webhooks import BadNotification, Change, parse, signature, verified
from qbo_sync.sandbox.webhooks import payload, sign

CHANGES = [{"entity": "Customer", "id": "12", "operation": "Update", "time": "2026-11-30T21:02:50.120-08:00"},
           {"entity": "TimeActivity", "id": "7", "operation": "Delete", "time": "2026-11-30T21:02:51-08:00"}]


@pytest.mark.parametrize("fmt", ["legacy", "cloudevents"])
def test_both_formats_give_the_same_changes(fmt):
    found = parse(json.dumps(payload("9130", fmt, CHANGES)).encode())
    assert [(c.realm_id, c.qbo_entity, c.qbo_id, c.operation) for c in found] == [
        ("9130", "Customer", "12", "Update"), ("9130", "TimeActivity", "7", "Delete")]
    assert all(isinstance(c, Change) and c.changed_at.tzinfo is not None for c in found)


def test_intuits_documented_shapes():
    legacy = {"eventNotifications": [{"realmId": "1185883450", "dataChangeEvent": {"entities": [
        {"name": "Customer", "id": "1", "operation": "Create", "lastUpdated": "2015-10-05T14:42:19-0700"}]}}]}
    assert parse(json.dumps(legacy).encode())[0].changed_at.utcoffset().total_seconds() == -7 * 3600
    event = {"specversion": "1.0", "id": "88cd52b7", "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
             "type": "qbo.vendor.merged.v1", "datacontenttype": "application/json",
             "time": "2025-09-10T21:31:25.179Z", "intuitentityid": "1234", "intuitaccountid": "310687"}
    change = parse(json.dumps(event).encode())[0]     # one event, not in a list
    assert (change.qbo_entity, change.operation, change.realm_id) == ("Vendor", "Merge", "310687")


@pytest.mark.parametrize("body", [b"not json", b"{}", b'[{"specversion": "1.0", "type": "qbo.customer.updated.v1"}]',
                                  b'{"eventNotifications": [{"dataChangeEvent": {"entities": [{"id": "1"}]}}]}'])
def test_anything_else_is_a_bad_notification(body):
    with pytest.raises(BadNotification):
        parse(body)


def test_the_signature_is_intuits_hmac_of_the_exact_body():
    body = json.dumps(payload("9130", "legacy", CHANGES)).encode()
    assert signature(body, "token") == sign(body, "token")
    assert verified(body, sign(body, "token"), "token")
    assert not verified(body + b"\n", sign(body, "token"), "token")
    assert not verified(body, sign(body, "token"), "another token")
    assert not verified(body, "", "token") and not verified(body, sign(body, ""), "")
