"""Property tests of the sandbox's HTTP surface that the product relies on: whatever the query
string or JSON body, the answer is QBO-shaped (a Fault with an error code, or the entity), and
never the catch-all "unexpected error" that stands for a stack trace in the sandbox."""

from __future__ import annotations

import json
import logging

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from qbo_sync.sandbox.admin_client import SandboxAdmin
from qbo_sync.sandbox.server import SandboxServer
from tests.fuzz.strategies import TEXT_CHARS

# A request costs milliseconds: many more examples than the import suites.
EXAMPLES = settings().max_examples * 15
ENTITIES = ["Customer", "Vendor", "Employee", "Item", "Account", "Class", "TimeActivity", "Bill", "customer",
            "bill", "timeactivity", "NoSuchThing", "CompanyInfo", "Preferences"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(TEXT_CHARS, max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(TEXT_CHARS, max_size=12), inner, max_size=4),
    max_leaves=12)


def entity_bodies():
    """Bodies shaped like the product's writes, with any value in any field."""
    fields = st.sampled_from(["DisplayName", "Name", "Id", "SyncToken", "sparse", "Active", "ParentRef", "Job",
                              "TxnDate", "Hours", "Minutes", "NameOf", "EmployeeRef", "CustomerRef", "ItemRef",
                              "VendorRef", "Line", "Amount", "DetailType", "DocNumber", "GivenName"])
    return st.dictionaries(fields | st.text(TEXT_CHARS, max_size=8), json_values, max_size=6) | json_values


class Api:
    def __init__(self, server: SandboxServer):
        info = server.info
        admin = SandboxAdmin(info["base_url"])
        self.realm = admin.create_realm(projects_enabled=True, seed=True)
        token = admin.issue_tokens(self.realm)["access_token"]
        self.base = f"{info['api_url_v3']}/company/{self.realm}"
        self.graphql = info["base_url"].rstrip("/") + "/graphql"
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def check(self, response: requests.Response) -> dict:
        assert "Traceback" not in response.text
        body = response.json()
        if response.status_code >= 400 or "Fault" in body:
            fault = body["Fault"]
            errors = fault["Error"]
            assert errors and all(e.get("code") and e.get("Message") for e in errors), body
            assert not any("unexpected error" in (e.get("Detail") or "") + e["Message"] for e in errors), body
            assert response.status_code != 500 or errors[0]["code"] != "10000", body
        return body


@pytest.fixture(scope="module")
def server():
    logging.getLogger("qbo_sync.sandbox").setLevel(logging.CRITICAL)
    with SandboxServer() as running:
        yield running


@pytest.fixture
def api(server):
    """A company of its own per test: QBO's 500 requests a minute are per company."""
    return Api(server)


query_words = st.sampled_from(["SELECT", "*", "FROM", "Customer", "Vendor", "WHERE", "Id", "=", "IN", "(", ")",
                               "'a'", "'", "DisplayName", "LIKE", "'%x%'", "ORDER BY", "STARTPOSITION",
                               "MAXRESULTS", "COUNT(*)", "1", "-1", "99999999999999999999", ",", "AND", "OR",
                               "Metadata.LastUpdatedTime", ">", "'2026-01-01'", "\\'", "\x00", "🚧"])
queries = st.lists(query_words, max_size=12).map(" ".join) | st.text(TEXT_CHARS, max_size=60)


@settings(max_examples=EXAMPLES)
@given(query=queries)
def test_query_strings(api, query):
    api.check(api.http.get(api.base + "/query", params={"query": query, "minorversion": "75"}, timeout=10))


@settings(max_examples=EXAMPLES)
@given(entity=st.sampled_from(ENTITIES), body=entity_bodies(),
       operation=st.none() | st.sampled_from(["update", "delete", "void", "x"]) | st.text(TEXT_CHARS, max_size=5),
       requestid=st.none() | st.text(TEXT_CHARS, max_size=60))
def test_entity_writes(api, entity, body, operation, requestid):
    params = {k: v for k, v in (("operation", operation), ("requestid", requestid)) if v is not None}
    api.check(api.http.post(f"{api.base}/{entity.lower()}", data=json.dumps(body), params=params,
                            headers={"Content-Type": "application/json"}, timeout=10))


@settings(max_examples=EXAMPLES)
@given(items=st.lists(st.fixed_dictionaries({"bId": json_values, "operation": json_values},
                                             optional={"Customer": entity_bodies(), "Query": json_values,
                                                       "TimeActivity": entity_bodies(),
                                                       "Bill": entity_bodies()}), max_size=5) | json_values)
def test_batches(api, items):
    body = {"BatchItemRequest": items} if isinstance(items, list) else items
    api.check(api.http.post(api.base + "/batch", data=json.dumps(body),
                            headers={"Content-Type": "application/json"}, timeout=10))


@settings(max_examples=EXAMPLES)
@given(entities=st.none() | st.text(TEXT_CHARS, max_size=30), since=st.none() | st.text(TEXT_CHARS, max_size=30),
       entity=st.sampled_from(ENTITIES), obj_id=st.text(TEXT_CHARS, min_size=1, max_size=20))
def test_reads_and_change_data_capture(api, entities, since, entity, obj_id):
    params = {k: v for k, v in (("entities", entities), ("changedSince", since)) if v is not None}
    api.check(api.http.get(api.base + "/cdc", params=params, timeout=10))
    api.check(api.http.get(f"{api.base}/{entity.lower()}/{requests.utils.quote(obj_id, safe='')}", timeout=10))


@settings(max_examples=EXAMPLES)
@given(payload=st.fixed_dictionaries({"query": st.text(TEXT_CHARS, max_size=80) | json_values},
                                     optional={"variables": json_values}) | json_values)
def test_graphql_bodies(api, payload):
    response = api.http.post(api.graphql, data=json.dumps(payload), headers={"Content-Type": "application/json"},
                             timeout=10)
    if "Fault" in response.json():   # the gate's own faults (throttling) come before GraphQL
        api.check(response)
        return
    assert response.status_code != 500 and "Traceback" not in response.text
    body = response.json()
    assert "data" in body or "errors" in body, body
