"""Throttling, fault injection and bad requests: QBO-shaped answers, never a trace or a hang."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from quickbooks.exceptions import QuickbooksException, SevereException, ValidationException
from quickbooks.objects import Customer, Vendor

from conftest import Raw, fault_code, make_client
from qbo_sync.sandbox.server import SandboxServer


def test_throttle_per_minute_gives_429_3001_then_recovers(qb, admin, info):
    admin.settings(requests_per_minute=5)
    for _ in range(5):
        Vendor.count(qb=qb)
    with pytest.raises(ValidationException) as throttled:
        Vendor.count(qb=qb)
    assert throttled.value.error_code == 3001 and "ThrottleExceeded" in throttled.value.message
    assert admin.requests(info["realm_id"])[-1]["status"] == 429
    other = make_client(info, admin, admin.create_realm(seed=False))
    assert Vendor.count(qb=other) == 0            # limits are per realm
    admin.advance_clock(61)
    assert Vendor.count(qb=qb) == 5


def test_throttle_time_scale_compresses_the_minute(raw, admin):
    admin.settings(requests_per_minute=3, time_scale=60)   # one QBO minute = one second
    statuses = [raw.get("/companyinfo/x").status_code for _ in range(4)]
    assert statuses[-1] == 429
    admin.advance_clock(1.01)
    assert raw.get("/preferences").status_code == 200


def test_throttle_xml_body_becomes_a_severe_error_in_python_quickbooks(qb, admin):
    admin.settings(requests_per_minute=1, throttle_body="xml")
    Vendor.count(qb=qb)
    with pytest.raises(QuickbooksException) as throttled:
        Vendor.count(qb=qb)
    assert throttled.value.error_code == 10000 and "<Error code=\"3001\">" in throttled.value.message


def test_batch_requests_per_minute(raw, admin):
    admin.settings(batch_requests_per_minute=2)
    body = {"BatchItemRequest": [{"bId": "1", "Query": "select count(*) from Vendor"}]}
    assert [raw.post("/batch", json=body).status_code for _ in range(3)] == [200, 200, 429]
    assert raw.get("/preferences").status_code == 200    # plain requests still pass


def test_concurrent_requests_limit_holds_across_threads(info, admin):
    admin.settings(concurrent_requests=10, slow_rate=1.0, slow_seconds=0.5)
    token = admin.issue_tokens(info["realm_id"])["access_token"]

    def call(_):
        return Raw(info, token, info["realm_id"]).get("/preferences").status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(call, range(16)))
    assert statuses.count(200) == 10 and statuses.count(429) == 6


def test_throttle_off_lets_everything_through(raw, admin):
    admin.settings(throttle_enabled=False, requests_per_minute=1)
    assert {raw.get("/preferences").status_code for _ in range(5)} == {200}


def test_injected_server_errors(qb, admin):
    admin.settings(fault_rate=1.0, fault_seed=3)
    seen = set()
    for _ in range(12):
        with pytest.raises(QuickbooksException) as failed:
            Vendor.count(qb=qb)
        seen.add(type(failed.value))
    assert seen == {SevereException, QuickbooksException}    # 500 JSON fault / 503 HTML page
    admin.settings(fault_rate=0.0)
    assert Vendor.count(qb=qb) == 5


def test_write_applied_but_connection_dropped(qb, admin):
    admin.settings(drop_after_write_rate=1.0)
    rid = str(uuid.uuid4())
    c = Customer()
    c.DisplayName = "Dropped Answer LLC"
    with pytest.raises(requests.exceptions.ConnectionError):
        c.save(qb=qb, request_id=rid)
    admin.settings(drop_after_write_rate=0.0)
    assert Customer.count("DisplayName = 'Dropped Answer LLC'", qb=qb) == 1   # it was written
    retried = c.save(qb=qb, request_id=rid)       # the safe retry: same requestid
    assert retried.DisplayName == "Dropped Answer LLC"
    assert Customer.count("DisplayName = 'Dropped Answer LLC'", qb=qb) == 1
    c.Id = None
    with pytest.raises(QuickbooksException) as naive:   # the naive retry: no requestid
        c.save(qb=qb)
    assert naive.value.error_code == 6240


def test_admin_refuses_unknown_settings(admin):
    with pytest.raises(Exception, match="unknown setting"):
        admin.settings(no_such_knob=1)


# --- bad requests --------------------------------------------------------------------
def test_bad_requests_get_qbo_faults(raw, info, admin):
    cases = [
        (raw.post("/customer", data=b'{"DisplayName": ', headers={"Content-Type": "application/json"}), 400, "2010"),
        (raw.post("/customer", data=b"", headers={"Content-Type": "application/json"}), 400, "2010"),
        (raw.post("/customer", json=["not", "an", "object"]), 400, "2010"),
        (raw.get("/spaceship/1"), 400, "500"),
        (raw.post("/spaceship", json={}), 400, "500"),
        (raw.get("/query", params={"query": "SELECT * FROM"}), 400, "4000"),
        (raw.post("/customer", data=b"x" * (4 * 1024 * 1024 + 1)), 413, "2010"),
        (raw.get("/customer/1", params={"minorversion": "abc"}), 200, None),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        if code:
            assert response.json()["Fault"]["Error"][0]["code"] == code
            assert "Traceback" not in response.text
    wrong_realm = requests.get(f"{info['api_url_v3']}/company/123456/customer/1",
                               headers=raw.http.headers, timeout=10)
    assert wrong_realm.status_code == 403 and fault_code(wrong_realm) == "3100"
    nowhere = requests.get(f"{info['api_url_v3']}/nowhere", headers=raw.http.headers, timeout=10)
    assert nowhere.status_code == 400 and fault_code(nowhere) == "500"


def test_counts_and_request_log(qb, admin, info):
    Customer.get(1, qb=qb)
    Customer.count(qb=qb)
    c = Customer()
    c.DisplayName = "Counted Co"
    c.save(qb=qb)
    counts = admin.counts(info["realm_id"])
    assert counts == {"reads": {"Customer": 2}, "writes": {"Customer": 1}}
    log = admin.requests(info["realm_id"], limit=3)
    assert [(r["method"], r["entity"], r["status"]) for r in log] == [
        ("GET", "Customer", 200), ("POST", "Customer", 200), ("POST", "Customer", 200)]
    assert all("Bearer" not in json.dumps(r) for r in log)


# --- start, stop, persistence -------------------------------------------------------------
def test_state_survives_a_restart_with_a_file(tmp_path):
    db = tmp_path / "sandbox.db"
    with SandboxServer(db_path=db) as first:
        info = first.info
        from qbo_sync.sandbox.admin_client import SandboxAdmin
        qb = make_client(info, SandboxAdmin(info["base_url"]))
        c = Customer()
        c.DisplayName = "Persistent Co"
        created = c.save(qb=qb)
        refresh = SandboxAdmin(info["base_url"]).issue_tokens(info["realm_id"])["refresh_token"]
    with SandboxServer(db_path=db) as second:
        again = second.info
        assert {k: again[k] for k in ("realm_id", "client_id", "client_secret")} == \
               {k: info[k] for k in ("realm_id", "client_id", "client_secret")}
        qb = make_client(again, SandboxAdmin(again["base_url"]))
        assert Customer.get(created.Id, qb=qb).DisplayName == "Persistent Co"
        token = requests.post(f"{again['base_url']}/oauth2/v1/tokens/bearer",
                              data={"grant_type": "refresh_token", "refresh_token": refresh},
                              auth=(again["client_id"], again["client_secret"]), timeout=10)
        assert token.status_code == 200


def test_cli_prints_json_info_first(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "qbo_sync.sandbox.serve", "--port", "0",
                             "--db", ":memory:", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        assert set(info) == {"base_url", "api_url_v3", "discovery_url", "realm_id", "client_id",
                             "client_secret", "redirect_uri"}
        discovery = requests.get(info["discovery_url"], timeout=10).json()
        assert discovery["token_endpoint"].startswith(info["base_url"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert info["client_secret"] not in proc.stderr.read()


def test_cli_reports_a_port_in_use_clearly(server):
    port = server.info["base_url"].rsplit(":", 1)[1]
    done = subprocess.run([sys.executable, "-m", "qbo_sync.sandbox.serve", "--port", port,
                           "--db", ":memory:"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "cannot listen" in done.stderr and "Traceback" not in done.stderr
