"""Webhooks end to end: the sandbox sends QuickBooks' change notifications, bundled and
signed as Intuit does, to the receiver the user runs (`qbo-sync webhooks`, or the console),
and a record whose object was changed or deleted in QuickBooks becomes Needs Action within
a minute, without a CDC call. Both payload formats; a bad signature stores nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import func, select

from qbo_sync.db.models import QboChange
from qbo_sync.pipeline import notified
from qbo_sync.qbo.webhooks import signature
from tests.e2e.test_timesheets_sync import qbo, record, rows, sync, write

CLI = str(Path(sys.executable).with_name("qbo-sync"))
TOKEN = "verifier-token-for-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(config: str, *verb: str):
    """`qbo-sync VERB --port P` in its own process, as a user starts it; yields its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    env["QBO_SYNC_QBO__WEBHOOK_VERIFIER_TOKEN"] = TOKEN
    server = subprocess.Popen([CLI, "--config", config, *verb, "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(url + "/", timeout=1)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.communicate()[1][-3000:]
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
        assert "Traceback" not in err, err[-3000:]


def wait_for(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not within {seconds:.0f} s")


def stored(res) -> int:
    with res.db.session() as session:
        return session.scalar(select(func.count()).select_from(QboChange))


def cdc_calls(admin, realm) -> int:
    return sum(r["path"].endswith("/cdc") for r in admin.requests(realm, limit=5000))


def test_a_vendor_edited_in_quickbooks_is_flagged_through_a_legacy_webhook(make_resources, config_for, admin, realm):
    res = make_resources()
    config = config_for(res)
    with serving(config, "webhooks") as url:
        admin.webhooks(realm, url + "/webhooks/intuit", "legacy", TOKEN, bundle_seconds=0.5)
        sync(res, ["vendors"])
        synced = [r for r in rows(res, "vendors").values() if r["status"] == "Synced"]
        assert len(synced) > 3
        # The sync's own creates are announced too; once they are checked nothing is flagged.
        wait_for(lambda: stored(res) >= len(synced) and notified.pending(res.db, realm) == 0)
        assert all(r["status"] == "Synced" for r in rows(res, "vendors").values() if r["qbo_id"])
        cdc_before = cdc_calls(admin, realm)

        target = synced[0]
        obj = qbo(res, "Vendor", target["qbo_id"])
        write(res, "Vendor", {"Id": obj["Id"], "SyncToken": obj["SyncToken"], "sparse": True,
                              "CompanyName": "Changed by hand in QuickBooks"})
        flagged = wait_for(lambda: (r := rows(res, "vendors")[target["source_id"]])["status"] == "Needs Action" and r)
        assert any("Changed in QuickBooks after it was synced" in reason for reason in flagged["reasons"])
        assert [r["source_id"] for r in rows(res, "vendors").values() if r["status"] == "Needs Action"] \
            == [target["source_id"]]
        assert cdc_calls(admin, realm) == cdc_before, "a webhook change is read by id, not through CDC"
        deliveries = admin.webhook_deliveries(realm)
        assert deliveries and {d["status"] for d in deliveries} == {200}


def test_a_time_activity_deleted_in_quickbooks_is_flagged_through_a_cloudevents_webhook_to_the_console(
        make_resources, config_for, admin, realm):
    """CDC does not cover TimeActivity: the webhook is how such a deletion is seen at once."""
    from qbo_sync.console.auth import hash_password

    res = make_resources(console={"users": [{"username": "finance", "role": "admin",
                                             "password_hash": hash_password("a long password")}]})
    config = config_for(res)
    sync(res)
    week = next(r for r in rows(res, "timesheets").values() if r["status"] == "Synced")
    day, obj = next((k, v) for k, v in record(res, "timesheets", week["source_id"]).qbo_objects.items()
                    if isinstance(v, dict) and "hash" in v)
    with serving(config, "console") as url:
        admin.webhooks(realm, url + "/webhooks/intuit", "cloudevents", TOKEN, bundle_seconds=0.5)
        cdc_before = cdc_calls(admin, realm)
        current = qbo(res, "TimeActivity", obj["id"])
        write(res, "TimeActivity", {"Id": current["Id"], "SyncToken": current["SyncToken"]}, operation="delete")
        flagged = wait_for(lambda: (r := rows(res, "timesheets")[week["source_id"]])["status"] == "Needs Action" and r)
        assert any("deleted in QuickBooks" in reason for reason in flagged["reasons"])
        assert cdc_calls(admin, realm) == cdc_before
        assert admin.webhook_deliveries(realm)[-1]["format"] == "cloudevents"


def test_a_bad_signature_gets_401_and_stores_nothing(make_resources, config_for, realm):
    res = make_resources()
    config = config_for(res)
    body = json.dumps({"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": [
        {"name": "Vendor", "id": "1", "operation": "Update", "lastUpdated": "2026-01-01T00:00:00Z"}]}}]}).encode()
    with serving(config, "webhooks") as url:
        endpoint = url + "/webhooks/intuit"
        for sig in (signature(body, "another app's token"), "", "not base64 at all"):
            answer = requests.post(endpoint, data=body, headers={"intuit-signature": sig,
                                                                 "Content-Type": "application/json"})
            assert answer.status_code == 401
        answer = requests.post(endpoint, data=body + b" ", headers={"intuit-signature": signature(body, TOKEN)})
        assert answer.status_code == 401, "the signature covers the exact bytes"
        assert stored(res) == 0
        answer = requests.post(endpoint, data=b"{}", headers={"intuit-signature": signature(b"{}", TOKEN)})
        assert answer.status_code == 400 and "not a QuickBooks notification" in answer.json()["error"]
        answer = requests.post(endpoint, data=body, headers={"intuit-signature": signature(body, TOKEN)})
        assert answer.status_code == 200 and answer.json() == {"stored": 1}
        assert stored(res) == 1


def test_changes_received_while_no_server_reconciles_are_checked_at_the_next_run(make_resources, admin, realm):
    """A change stored by the receiver flags its record at the next sync's map stage, by id."""
    from qbo_sync.qbo.webhooks import parse
    from qbo_sync.sandbox.webhooks import payload

    res = make_resources()
    sync(res, ["vendors"])
    target = next(r for r in rows(res, "vendors").values() if r["status"] == "Synced")
    time.sleep(1.1)    # QBO stamps whole seconds: the edit is stamped after the sync's own write
    obj = qbo(res, "Vendor", target["qbo_id"])
    write(res, "Vendor", {"Id": obj["Id"], "SyncToken": obj["SyncToken"], "sparse": True, "Notes": "by hand"})
    cdc_before = cdc_calls(admin, realm)
    sync(res, ["vendors"])
    refresh_cdc = cdc_calls(admin, realm) - cdc_before   # the reference lists' own refresh (qbo/references.py)
    assert rows(res, "vendors")[target["source_id"]]["status"] == "Synced", "unannounced, a run does not see it"

    # What the receiver stores from the sandbox's notification of that edit.
    body = payload(realm, "cloudevents", [{"entity": "Vendor", "id": obj["Id"], "operation": "Update",
                                          "time": qbo(res, "Vendor", obj["Id"])["MetaData"]["LastUpdatedTime"]}])
    assert notified.store(res.db, realm, parse(json.dumps(body).encode())) == 1
    cdc_before = cdc_calls(admin, realm)
    sync(res, ["vendors"])
    flagged = rows(res, "vendors")[target["source_id"]]
    assert flagged["status"] == "Needs Action"
    assert any("Changed in QuickBooks after it was synced" in reason for reason in flagged["reasons"])
    assert cdc_calls(admin, realm) - cdc_before == refresh_cdc   # the webhook's object: read by id, no CDC
    assert notified.pending(res.db, realm) == 0
