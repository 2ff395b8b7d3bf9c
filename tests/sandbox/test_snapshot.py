"""A realm created from a snapshot of another company's lists (issue 17's rehearsal copy):
the snapshot is read from one realm over HTTP, as qbo-sync would read the user's company,
and posted to the admin surface; the copy then answers like the original, and
python-quickbooks' writes meet the same refusals (610, 6240, 5010) without touching it."""

from __future__ import annotations

import pytest
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException
from quickbooks.objects import (Account, Bill, Customer, Employee, Item, Preferences,
                                TimeActivity, Vendor)
from quickbooks.objects.department import Department
from quickbooks.objects.detailline import AccountBasedExpenseLine, AccountBasedExpenseLineDetail
from quickbooks.objects.term import Term

from tests.sandbox.objects import one, ref

from conftest import Raw, make_client
from qbo_sync.sandbox.admin_client import SandboxAdminError

LISTS = ("Account", "Class", "Department", "Term", "Item", "Customer", "Vendor", "Employee")


def read_snapshot(raw: Raw, realm: str) -> dict:
    """What a rehearsal copies: QBO's JSON of every list, inactive objects included."""
    snap = {"CompanyInfo": raw.get(f"/companyinfo/{realm}").json()["CompanyInfo"],
            "Preferences": raw.get("/preferences").json()["Preferences"]}
    for entity in LISTS:
        query = f"SELECT * FROM {entity} WHERE Active IN (true, false) MAXRESULTS 1000"
        snap[entity] = raw.get("/query", params={"query": query}).json()["QueryResponse"].get(entity, [])
    return snap


def summary(snap: dict) -> dict:
    keep = ("Id", "SyncToken", "Active", "FullyQualifiedName", "DisplayName", "Name", "Job",
            "Level", "ParentRef", "CostRate", "Type")
    return {entity: sorted(({k: doc.get(k) for k in keep} for doc in snap[entity]),
                           key=lambda d: int(d["Id"])) for entity in LISTS}


@pytest.fixture
def real(info, admin):
    """A company playing the user's own: existing lists, an inactive service item, an
    inactive customer (seeded), a location, terms, edited objects (SyncToken above 0)."""
    realm = admin.create_realm(company_name="Granite Peak Contracting")
    qb = make_client(info, admin, realm)
    carpentry = one(Item, qb, Name="Carpentry")
    carpentry.Active = False
    carpentry.save(qb=qb)
    harbor = one(Customer, qb, DisplayName="Harbor View Properties LLC")
    harbor.Notes = "Key account"
    harbor.save(qb=qb)
    maria = one(Employee, qb, DisplayName="Maria Lopez")
    maria.CostRate = 38
    maria.save(qb=qb)
    west = Department()
    west.Name = "West Region"
    west.save(qb=qb)
    net30 = Term()
    net30.Name, net30.DueDays = "Net 30", 30
    net30.save(qb=qb)
    prefs = Preferences.get(qb=qb)
    prefs.AccountingInfoPrefs.TrackDepartments = True
    prefs.save(qb=qb)
    raw = Raw(info, admin.issue_tokens(realm)["access_token"], realm)
    return realm, qb, raw


def test_copy_keeps_ids_names_flags_hierarchy_and_sync_tokens(info, admin, real):
    realm, qb, raw = real
    snap = read_snapshot(raw, realm)
    copy = admin.create_realm_from_snapshot(snap)
    assert copy != realm and copy in admin._call("GET", "/realms")["realms"]
    copy_raw = Raw(info, admin.issue_tokens(copy)["access_token"], copy)
    copied = read_snapshot(copy_raw, copy)

    assert summary(copied) == summary(snap)
    assert copied["CompanyInfo"]["CompanyName"] == "Granite Peak Contracting"
    assert copied["Preferences"]["AccountingInfoPrefs"] == snap["Preferences"]["AccountingInfoPrefs"]
    pier = next(c for c in copied["Customer"] if c["DisplayName"] == "Pier 9 Renovation")
    assert pier["FullyQualifiedName"] == "Harbor View Properties LLC:Pier 9 Renovation"
    assert next(c for c in copied["Customer"] if c["DisplayName"] == "Harbor View Properties LLC")["SyncToken"] == "1"


def test_writes_on_the_copy_meet_the_companys_refusals_and_leave_it_alone(info, admin, real):
    realm, qb, raw = real
    writes_before = admin.counts(realm)["writes"]
    copy = admin.create_realm_from_snapshot(read_snapshot(raw, realm))
    qb_copy = make_client(info, admin, copy)

    # The shared name space: a vendor named like a customer, an employee like a vendor.
    clash = Vendor()
    clash.DisplayName = "Harbor View Properties LLC"
    with pytest.raises(QuickbooksException) as duplicate:
        clash.save(qb=qb_copy)
    assert duplicate.value.error_code == 6240
    person = Employee()
    person.DisplayName = "ace concrete supply"
    with pytest.raises(QuickbooksException) as duplicate:
        person.save(qb=qb_copy)
    assert duplicate.value.error_code == 6240

    # Inactive references: the item made inactive, the seeded inactive customer.
    carpentry = one(Item, qb_copy, Name="Carpentry", Active=False)
    time = TimeActivity()
    time.NameOf, time.EmployeeRef = "Employee", ref(one(Employee, qb_copy, DisplayName="Maria Lopez").Id)
    time.Hours, time.Minutes, time.ItemRef = 4, 0, ref(carpentry.Id)
    with pytest.raises(ObjectNotFoundException) as inactive:
        time.save(qb=qb_copy)
    assert inactive.value.error_code == 610
    bakery = one(Customer, qb_copy, DisplayName="Old Town Bakery", Active=False)
    bill = Bill()
    bill.VendorRef = ref(one(Vendor, qb_copy, DisplayName="Pacific Lumber Co").Id)
    line = AccountBasedExpenseLine()
    line.Amount = 75
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = ref(one(Account, qb_copy, Name="Job Materials").Id)
    line.AccountBasedExpenseLineDetail.CustomerRef = ref(bakery.Id)
    bill.Line = [line]
    with pytest.raises(ObjectNotFoundException):
        bill.save(qb=qb_copy)

    # What the company allows works: its location on a bill, updates with the copied
    # SyncToken (a stale one is 5010), a new job under a copied customer.
    line.AccountBasedExpenseLineDetail.CustomerRef = None
    bill.DepartmentRef = ref(one(Department, qb_copy, Name="West Region").Id)
    assert bill.save(qb=qb_copy).DepartmentRef.name == "West Region"
    harbor = one(Customer, qb_copy, DisplayName="Harbor View Properties LLC")
    stale = one(Customer, qb_copy, DisplayName="Harbor View Properties LLC")
    harbor.Notes = "Rehearsal edit"
    assert harbor.save(qb=qb_copy).SyncToken == "2"
    stale.Notes = "Older edit"
    with pytest.raises(QuickbooksException) as old:
        stale.save(qb=qb_copy)
    assert old.value.error_code == 5010
    job = Customer()
    job.DisplayName, job.Job, job.ParentRef = "Dock 4 Retrofit", True, ref(harbor.Id)
    job = job.save(qb=qb_copy)
    assert job.FullyQualifiedName == "Harbor View Properties LLC:Dock 4 Retrofit"

    # New Ids come after every copied Id, of any list.
    copied_ids = {int(doc["Id"]) for entity in LISTS
                  for doc in read_snapshot(Raw(info, admin.issue_tokens(copy)["access_token"], copy),
                                           copy)[entity] if doc["Id"] != job.Id}
    assert int(job.Id) > max(copied_ids)

    assert admin.counts(realm)["writes"] == writes_before      # the real company: no write
    assert one(Customer, qb, DisplayName="Harbor View Properties LLC").SyncToken == "1"


@pytest.mark.parametrize("change, message", [
    (lambda s: s["Vendor"].append({"Id": "900", "DisplayName": "Harbor View Properties LLC"}),
     "share the name 'Harbor View Properties LLC'"),
    (lambda s: s["Customer"].append({"Id": "901", "DisplayName": "Orphan Job", "Job": True,
                                      "ParentRef": {"value": "777"}}),
     "parent 777 is not in the snapshot"),
    (lambda s: s["Item"].append({"Id": "x1", "Name": "Odd"}), "is not a QBO Id"),
    (lambda s: s.update(Invoice=[]), "unknown key(s) Invoice"),
])
def test_a_snapshot_that_cannot_be_a_company_is_refused_whole(admin, raw, info, change, message):
    snap = read_snapshot(raw, info["realm_id"])
    change(snap)
    realms_before = admin._call("GET", "/realms")["realms"]
    with pytest.raises(SandboxAdminError) as refused:
        admin.create_realm_from_snapshot(snap)
    assert "400" in str(refused.value) and message in str(refused.value)
    assert admin._call("GET", "/realms")["realms"] == realms_before
