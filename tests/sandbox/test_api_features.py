"""Query endpoint, batch, CDC, requestid and GraphQL Projects, over HTTP."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import pytest
import requests
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import ValidationException
from quickbooks.objects import Bill, Customer, TimeActivity, Vendor

from conftest import fault_code, make_client


def customer(name: str) -> Customer:
    c = Customer()
    c.DisplayName = name
    return c


# --- query ---------------------------------------------------------------------------
def test_query_where_like_in_orderby_and_paging(qb):
    assert Customer.count(qb=qb) == 8
    assert Customer.count("Active IN (true, false)", qb=qb) == 9
    like = Customer.where("DisplayName LIKE 'North%'", qb=qb)
    assert [c.DisplayName for c in like] == ["Northgate Medical Group"]
    ordered = Customer.where("Job = false", order_by="DisplayName DESC", qb=qb)
    assert ordered[0].DisplayName == "Summit Hospitality Inc"
    page = Customer.where("", order_by="Id", start_position=3, max_results=2, qb=qb)
    assert [c.Id for c in page] == ["3", "4"]
    parent = Customer.filter(DisplayName="Northgate Medical Group", qb=qb)[0]
    assert [c.DisplayName for c in Customer.where(f"ParentRef = '{parent.Id}'", qb=qb)] == ["Clinic Expansion"]


def test_query_quotes_escaped_with_backslash(qb):
    customer("O'Brien Builders").save(qb=qb)
    found = Customer.filter(DisplayName="O'Brien Builders", qb=qb)   # sends O\'Brien
    assert [c.DisplayName for c in found] == ["O'Brien Builders"]


def test_query_by_last_updated_time(qb, admin):
    admin.advance_clock(120)
    created = customer("Fresh Customer LLC").save(qb=qb)
    since = created.MetaData["LastUpdatedTime"]
    assert [c.DisplayName for c in Customer.where(f"MetaData.LastUpdatedTime >= '{since}'", qb=qb)] \
        == ["Fresh Customer LLC"]


def test_query_errors(qb, raw):
    with pytest.raises(ValidationException) as bad:
        Customer.query("SELEKT * FROM Customer", qb=qb)
    assert bad.value.error_code == 4000
    with pytest.raises(ValidationException) as unknown:
        qb.query("SELECT * FROM Spaceship")
    assert unknown.value.error_code == 4001
    response = raw.get("/query", params={"query": "SELECT * FROM Vendor WHERE DisplayName = 'x' OR Id = '1'"})
    assert response.status_code == 400 and fault_code(response) == "4000"
    response = raw.get("/query", params={"query": "select count(*) from Vendor", "minorversion": 75})
    assert response.json()["QueryResponse"]["totalCount"] == 5


# --- batch ----------------------------------------------------------------------------
def test_batch_items_succeed_or_fault_on_their_own(qb, admin, info):
    results = batch_create([customer("Batch One"), customer("harbor view properties llc"),
                            customer("Batch Two")], qb=qb)
    assert sorted(c.DisplayName for c in results.successes) == ["Batch One", "Batch Two"]
    assert [f.Error[0].code for f in results.faults] == ["6240"]
    assert admin.counts(info["realm_id"])["writes"] == {"Customer": 2}


def test_batch_query_item_and_size_limit(raw):
    body = {"BatchItemRequest": [{"bId": "q1", "Query": "select * from Vendor maxresults 2"}]}
    answer = raw.post("/batch", json=body).json()["BatchItemResponse"][0]
    assert answer["bId"] == "q1" and len(answer["QueryResponse"]["Vendor"]) == 2
    too_many = {"BatchItemRequest": [{"bId": str(i), "operation": "create",
                                      "Customer": {"DisplayName": f"C{i}"}} for i in range(31)]}
    response = raw.post("/batch", json=too_many)
    assert response.status_code == 400 and fault_code(response) == "1040"
    assert raw.get("/query", params={"query": "select count(*) from Customer where DisplayName = 'C1'"}
                   ).json()["QueryResponse"]["totalCount"] == 0


# --- CDC ------------------------------------------------------------------------------
def test_cdc_reports_changes_and_deletions_but_not_time_activity(qb, admin):
    admin.advance_clock(600)   # the seeded objects are now older than `since`
    since = datetime.fromisoformat(customer("Probe Co").save(qb=qb).MetaData["CreateTime"])
    vendor = Vendor()
    vendor.DisplayName = "CDC Vendor"
    vendor = vendor.save(qb=qb)
    entry = TimeActivity()
    entry.NameOf = "Vendor"
    entry.VendorRef, entry.Hours = vendor.to_ref(), 2
    entry.save(qb=qb)
    bill = Bill.from_json(qb.create_object("Bill", json.dumps({
        "VendorRef": {"value": vendor.Id}, "Line": [{"Amount": 5, "DetailType": "AccountBasedExpenseLineDetail",
                                                    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "1"}}}]}))["Bill"])
    bill.delete(qb=qb)
    result = change_data_capture([Customer, Vendor, Bill, TimeActivity], since.replace(tzinfo=None), qb=qb)
    assert [c.DisplayName for c in result.Customer] == ["Probe Co"]
    assert [v.DisplayName for v in result.Vendor] == ["CDC Vendor"]
    assert [(b.Id, b.status) for b in result.Bill] == [(bill.Id, "Deleted")]
    assert not hasattr(result, "TimeActivity")


def test_cdc_looks_back_at_most_30_days(raw, admin):
    old = (datetime.now() - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%S-08:00")
    response = raw.get("/cdc", params={"entities": "Customer", "changedSince": old})
    assert response.status_code == 400 and fault_code(response) == "6000"


# --- requestid --------------------------------------------------------------------------
def test_requestid_replays_first_answer_without_writing(qb, admin, info):
    rid = str(uuid.uuid4())
    first = customer("Idempotent LLC").save(qb=qb, request_id=rid)
    again = customer("Idempotent LLC").save(qb=qb, request_id=rid)
    assert again.Id == first.Id
    assert Customer.count("DisplayName = 'Idempotent LLC'", qb=qb) == 1
    assert admin.counts(info["realm_id"])["writes"] == {"Customer": 1}
    assert [r["replayed"] for r in admin.requests(info["realm_id"]) if r["method"] == "POST"
            and "requestid" in r["query"]] == [False, True]


def test_forgotten_requestid_is_new_work(qb, admin, info):
    """QBO remembers request ids for a while only: after the admin call forgets them, the
    same id writes again (what a run days later, with a lost staging database, meets)."""
    rid = str(uuid.uuid4())
    customer("Forgetful LLC").save(qb=qb, request_id=rid)
    assert admin.forget_requests(info["realm_id"]) >= 1
    customer("Forgetful Two LLC").save(qb=qb, request_id=rid)
    assert Customer.count("DisplayName = 'Forgetful Two LLC'", qb=qb) == 1
    assert admin.forget_requests(info["realm_id"]) == 1


def test_requestid_over_50_characters_is_refused(qb):
    with pytest.raises(ValidationException) as refused:
        customer("Long Request Id").save(qb=qb, request_id="r" * 51)
    assert refused.value.error_code == 2050


# --- GraphQL Projects ---------------------------------------------------------------------
CREATE = ("mutation projectManagementCreateProject($input: ProjectManagement_CreateProjectInput!) "
          "{ projectManagementCreateProject(input: $input) { id name status customer { id } } }")
UPDATE = ("mutation projectManagementUpdateProject($input: ProjectManagement_UpdateProjectInput!) "
          "{ projectManagementUpdateProject(input: $input) { id name status } }")


def graphql(info, token, query, variables):
    return requests.post(f"{info['base_url']}/graphql", json={"query": query, "variables": variables},
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_project_create_and_update(qb, admin, info):
    token = admin.issue_tokens(info["realm_id"])["access_token"]
    parent = Customer.filter(DisplayName="Cedar Ridge School District", qb=qb)[0]
    answer = graphql(info, token, CREATE, {"input": {"name": "Gym Roof 2025", "description": "Reroof",
                                                     "customer": {"id": parent.Id}, "dueDate": "2025-09-01"}})
    project = answer.json()["data"]["projectManagementCreateProject"]
    assert project["name"] == "Gym Roof 2025" and project["customer"] == {"id": parent.Id}
    record = Customer.get(project["id"], qb=qb)
    assert record.IsProject and record.Job and record.ParentRef.value == parent.Id
    assert record.FullyQualifiedName == "Cedar Ridge School District:Gym Roof 2025"
    updated = graphql(info, token, UPDATE, {"input": {"id": project["id"], "name": "Gym Roof",
                                                      "status": "COMPLETED"}}).json()
    assert updated["data"]["projectManagementUpdateProject"]["status"] == "COMPLETED"
    record = Customer.get(project["id"], qb=qb)
    assert record.DisplayName == "Gym Roof" and record.SyncToken == "1"
    record.Notes = "sparse via REST"   # a project can still be updated through REST
    record.sparse = True
    assert record.save(qb=qb).Notes == "sparse via REST"
    missing = graphql(info, token, CREATE, {"input": {"name": "No Customer"}}).json()
    assert missing["data"] is None and missing["errors"][0]["extensions"]["code"] == "2020"


def test_projects_list_and_the_partner_tier_refusal(admin, info):
    listing = "query { projectManagementProjects(first: $first) { edges { node { id name } } } }"
    realm = admin.create_realm(projects_enabled=True, seed=True)
    token = admin.issue_tokens(realm)["access_token"]
    qb = make_client(info, admin, realm)
    parent = Customer.filter(DisplayName="Cedar Ridge School District", qb=qb)[0]
    made = graphql(info, token, CREATE, {"input": {"name": "Listed", "customer": {"id": parent.Id}}}).json()
    answer = graphql(info, token, listing, {"first": 5}).json()
    assert [e["node"]["name"] for e in answer["data"]["projectManagementProjects"]["edges"]] == ["Listed"]
    assert made["data"]["projectManagementCreateProject"]["id"]

    for refused_by in ("tier", "scope"):
        realm = admin.create_realm(projects_enabled=True, seed=True, projects_api=refused_by)
        token = admin.issue_tokens(realm)["access_token"]
        for query, variables in ((listing, {"first": 1}), (CREATE, {"input": {"name": "X", "customer": {"id": "1"}}})):
            refused = graphql(info, token, query, variables)
            assert refused.status_code == 403
            assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert Customer.count("IsProject = true", qb=make_client(info, admin, realm)) in (0, None)


def test_project_refused_when_projects_are_off(admin, info):
    realm = admin.create_realm(projects_enabled=False, seed=True)
    token = admin.issue_tokens(realm)["access_token"]
    answer = graphql(info, token, CREATE, {"input": {"name": "X", "customer": {"id": "1"}}}).json()
    assert answer["data"] is None
    assert "not enabled" in answer["errors"][0]["message"]
    qb = make_client(info, admin, realm)
    assert Customer.count("IsProject = true", qb=qb) in (0, None)
