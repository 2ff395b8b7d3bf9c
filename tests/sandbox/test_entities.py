"""QBO's rules for each entity, driven with python-quickbooks objects over HTTP: the
exception class and error code a user of python-quickbooks would see."""

from __future__ import annotations

import pytest
from quickbooks.exceptions import (ObjectNotFoundException, QuickbooksException,
                                   UnsupportedException, ValidationException)
from quickbooks.objects import (Account, Bill, CompanyInfo, Customer, Employee, Item,
                                Preferences, TimeActivity, Vendor)
from quickbooks.objects.bill import Bill  # noqa: F811
from quickbooks.objects.detailline import (AccountBasedExpenseLine, AccountBasedExpenseLineDetail,
                                           ItemBasedExpenseLine, ItemBasedExpenseLineDetail)
from quickbooks.objects.trackingclass import Class

from tests.sandbox.objects import one, ref


def raises(exc_class, code, fn):
    with pytest.raises(exc_class) as caught:
        fn()
    assert type(caught.value) is exc_class
    assert caught.value.error_code == code, caught.value
    return caught.value


def new_customer(name, **fields) -> Customer:
    c = Customer()
    c.DisplayName = name
    for k, v in fields.items():
        setattr(c, k, v)
    return c


# --- seeded company ------------------------------------------------------------------
def test_demo_company_is_seeded_like_a_contractor(qb):
    assert CompanyInfo.get(qb.company_id, qb=qb).CompanyName
    names = {c.DisplayName for c in Customer.all(qb=qb, max_results=1000)}
    assert {"Harbor View Properties LLC", "Pier 9 Renovation", "Clinic Expansion"} <= names
    assert "Old Town Bakery" not in names                      # inactive: not listed by default
    assert one(Customer, qb, DisplayName="Old Town Bakery", Active=False).Active is False
    pier = one(Customer, qb, DisplayName="Pier 9 Renovation")
    assert pier.FullyQualifiedName == "Harbor View Properties LLC:Pier 9 Renovation"
    assert pier.Job and pier.BillWithParent and pier.Level == 1
    assert len(Vendor.all(qb=qb)) == 5 and len(Employee.all(qb=qb)) == 4
    assert one(Employee, qb, DisplayName="Maria Lopez").GivenName == "Maria"
    assert {i.Type for i in Item.all(qb=qb)} == {"Service", "NonInventory"}
    assert {c.Name for c in Class.all(qb=qb)} == {"Commercial", "Residential", "Public Works"}
    assert one(Account, qb, Name="Accounts Payable (A/P)").AccountType == "Accounts Payable"
    prefs = Preferences.get(qb=qb)
    assert {"Name": "ProjectsEnabled", "Value": "true"} in [vars(p) for p in prefs.OtherPrefs.NameValue]


# --- Customer and shared name rules ------------------------------------------------
def test_create_customer_returns_id_synctoken_metadata(qb):
    created = new_customer("Lakeshore Dental Studio").save(qb=qb)
    assert created.Id and created.SyncToken == "0"
    assert created.MetaData["CreateTime"] == created.MetaData["LastUpdatedTime"]
    assert created.FullyQualifiedName == "Lakeshore Dental Studio"
    assert Customer.get(created.Id, qb=qb).DisplayName == "Lakeshore Dental Studio"


def test_display_name_unique_across_people_case_insensitive_inactive_included(qb):
    for name in ("harbor view properties llc", "ACE CONCRETE SUPPLY", "maria lopez", "Old Town Bakery"):
        error = raises(QuickbooksException, 6240, lambda: new_customer(name).save(qb=qb))
        assert "Duplicate Name Exists" in error.message
    vendor = Vendor()
    vendor.DisplayName = "Cedar Ridge School District"
    raises(QuickbooksException, 6240, lambda: vendor.save(qb=qb))


def test_names_refuse_colon_tab_newline_and_overlong(qb):
    for bad in ("A:B", "Tab\there", "New\nline"):
        raises(QuickbooksException, 6000, lambda: new_customer(bad).save(qb=qb))
    raises(ValidationException, 2050, lambda: new_customer("x" * 501).save(qb=qb))
    raises(ValidationException, 2020, lambda: Customer().save(qb=qb))


def test_display_name_built_from_name_parts(qb):
    c = Customer()
    c.GivenName, c.FamilyName = "Nora", "Ortiz"
    assert c.save(qb=qb).DisplayName == "Nora Ortiz"


def test_sub_customer_needs_parent_and_gets_qualified_name(qb):
    parent = one(Customer, qb, DisplayName="Summit Hospitality Inc")
    job = new_customer("Lobby Refit", Job=True, BillWithParent=True, ParentRef=parent.to_ref()).save(qb=qb)
    assert job.FullyQualifiedName == "Summit Hospitality Inc:Lobby Refit" and job.Level == 1
    raises(ValidationException, 2020, lambda: new_customer("Orphan Job", Job=True).save(qb=qb))
    raises(ValidationException, 2500,
           lambda: new_customer("Ghost Job", Job=True, ParentRef=ref(99999)).save(qb=qb))
    bakery = one(Customer, qb, DisplayName="Old Town Bakery", Active=False)
    raises(ObjectNotFoundException, 610,
           lambda: new_customer("Bakery Job", Job=True, ParentRef=bakery.to_ref()).save(qb=qb))


def test_renaming_parent_renames_children(qb):
    parent = one(Customer, qb, DisplayName="Harbor View Properties LLC")
    parent.DisplayName = "Harbor View Holdings"
    parent.save(qb=qb)
    assert one(Customer, qb, DisplayName="Pier 9 Renovation").FullyQualifiedName == \
        "Harbor View Holdings:Pier 9 Renovation"


def test_sparse_and_full_update_and_stale_synctoken(qb):
    c = new_customer("Update Me Inc", Notes="first").save(qb=qb)
    sparse = Customer()
    sparse.Id, sparse.SyncToken, sparse.sparse, sparse.Notes = c.Id, c.SyncToken, True, "second"
    json = sparse.to_json()
    updated = Customer.from_json(qb.update_object("Customer", json)["Customer"])
    assert updated.SyncToken == "1" and updated.Notes == "second" and updated.DisplayName == "Update Me Inc"
    raises(QuickbooksException, 5010, lambda: qb.update_object("Customer", json))   # SyncToken 0 again
    updated.CompanyName = "Update Me Incorporated"
    full = updated.save(qb=qb)
    assert full.SyncToken == "2" and full.CompanyName == "Update Me Incorporated"
    assert full.MetaData["LastUpdatedTime"] >= full.MetaData["CreateTime"]


def test_is_project_is_read_only_in_rest(qb):
    c = new_customer("Not A Project", IsProject=True).save(qb=qb)
    assert c.IsProject is False


def test_name_lists_cannot_be_deleted_only_made_inactive(qb):
    c = new_customer("Short Lived LLC").save(qb=qb)
    body = '{"Id": "%s", "SyncToken": "0"}' % c.Id   # python-quickbooks has no Customer.delete
    raises(UnsupportedException, 500, lambda: qb.delete_object("Customer", body))
    c.Active = False
    assert c.save(qb=qb).Active is False
    raises(QuickbooksException, 6240, lambda: new_customer("short lived llc").save(qb=qb))


def test_reading_a_missing_object_is_object_not_found(qb):
    raises(ObjectNotFoundException, 610, lambda: Customer.get(424242, qb=qb))


# --- Item, Account, Class ------------------------------------------------------------
def test_item_rules(qb):
    income = one(Account, qb, Name="Construction Income")
    item = Item()
    item.Name, item.Type, item.IncomeAccountRef = "Concrete Finishing", "Service", income.to_ref()
    created = item.save(qb=qb)
    assert created.FullyQualifiedName == "Concrete Finishing" and created.Type == "Service"
    dup = Item()
    dup.Name, dup.Type, dup.IncomeAccountRef = "concrete finishing", "Service", income.to_ref()
    raises(QuickbooksException, 6240, lambda: dup.save(qb=qb))
    no_account = Item()
    no_account.Name, no_account.Type = "Drywall Labor", "Service"
    raises(ValidationException, 2020, lambda: no_account.save(qb=qb))
    no_type = Item()
    no_type.Name = "Mystery"
    raises(ValidationException, 2020, lambda: no_type.save(qb=qb))


def test_account_rules(qb):
    a = Account()
    a.Name = "Permits"
    raises(QuickbooksException, 6010, lambda: a.save(qb=qb))
    a.AccountType = "Expense"
    assert a.save(qb=qb).Classification == "Expense"
    b = Account()
    b.Name, b.AccountSubType = 'Bad "quoted" name', "Auto"
    raises(QuickbooksException, 6000, lambda: b.save(qb=qb))
    c = Account()
    c.Name = "x" * 101
    c.AccountType = "Expense"
    raises(ValidationException, 2050, lambda: c.save(qb=qb))


def test_class_rules(qb):
    parent = one(Class, qb, Name="Commercial")
    sub = Class()
    sub.Name, sub.SubClass, sub.ParentRef = "Retail", True, parent.to_ref()
    assert sub.save(qb=qb).FullyQualifiedName == "Commercial:Retail"
    orphan = Class()
    orphan.Name, orphan.SubClass = "Orphan", True
    raises(ValidationException, 2020, lambda: orphan.save(qb=qb))


# --- TimeActivity ------------------------------------------------------------------
def time_entry(qb, **fields) -> TimeActivity:
    t = TimeActivity()
    t.NameOf = "Employee"
    t.EmployeeRef = one(Employee, qb, DisplayName="Maria Lopez").to_ref()
    t.Hours, t.Minutes = 8, 0
    for k, v in fields.items():
        setattr(t, k, v)
    return t


def test_time_activity_created_with_defaults(qb):
    saved = time_entry(qb, ItemRef=one(Item, qb, Name="Carpentry").to_ref()).save(qb=qb)
    assert saved.Hours == 8 and saved.TxnDate and saved.BillableStatus == "NotBillable"
    assert saved.EmployeeRef.name == "Maria Lopez"


def test_time_activity_rules(qb):
    customer = one(Customer, qb, DisplayName="Cedar Ridge School District")
    vendor = one(Vendor, qb, DisplayName="Ace Concrete Supply")
    raises(ValidationException, 2020, lambda: time_entry(qb, NameOf="").save(qb=qb))
    raises(ValidationException, 2020, lambda: time_entry(qb, NameOf="Vendor").save(qb=qb))
    raises(ValidationException, 2500, lambda: time_entry(qb, EmployeeRef=ref(9999)).save(qb=qb))
    raises(ValidationException, 2020, lambda: time_entry(qb, Hours=None, Minutes=None).save(qb=qb))
    raises(ValidationException, 2020,
           lambda: time_entry(qb, BillableStatus="Billable", CustomerRef=customer.to_ref()).save(qb=qb))
    raises(ValidationException, 2020,
           lambda: time_entry(qb, BillableStatus="Billable", HourlyRate=95).save(qb=qb))
    raises(QuickbooksException, 6000,
           lambda: time_entry(qb, ItemRef=one(Item, qb, Name="Rebar").to_ref()).save(qb=qb))
    raises(QuickbooksException, 6000, lambda: time_entry(qb, BreakHours=1).save(qb=qb))
    billable = time_entry(qb, BillableStatus="Billable", HourlyRate=95, CustomerRef=customer.to_ref())
    assert billable.save(qb=qb).HourlyRate == 95
    by_vendor = time_entry(qb, NameOf="Vendor", VendorRef=vendor.to_ref(), EmployeeRef=None)
    assert by_vendor.save(qb=qb).VendorRef.value == vendor.Id
    clocked = time_entry(qb, Hours=None, Minutes=None, StartTime="2025-03-03T07:00:00-08:00",
                         EndTime="2025-03-03T15:30:00-08:00", BreakHours=0, BreakMinutes=30)
    saved = clocked.save(qb=qb)
    assert (saved.Hours, saved.Minutes) == (8, 0)


def test_time_activity_delete_needs_current_synctoken(qb):
    saved = time_entry(qb).save(qb=qb)
    stale = TimeActivity.get(saved.Id, qb=qb)
    stale.SyncToken = "7"
    raises(QuickbooksException, 5010, lambda: stale.delete(qb=qb))
    answer = TimeActivity.get(saved.Id, qb=qb).delete(qb=qb)
    assert answer["TimeActivity"]["status"] == "Deleted"
    raises(ObjectNotFoundException, 610, lambda: TimeActivity.get(saved.Id, qb=qb))


# --- Bill --------------------------------------------------------------------------
def account_line(qb, amount, account="Job Materials") -> AccountBasedExpenseLine:
    line = AccountBasedExpenseLine()
    line.Amount = amount
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = one(Account, qb, Name=account).to_ref()
    return line


def new_bill(qb, *lines, **fields) -> Bill:
    bill = Bill()
    bill.VendorRef = one(Vendor, qb, DisplayName="Pacific Lumber Co").to_ref()
    bill.Line = list(lines)
    for k, v in fields.items():
        setattr(bill, k, v)
    return bill


def test_bill_created_with_total_and_ap_account(qb):
    item_line = ItemBasedExpenseLine()
    item_line.Amount = 250
    item_line.ItemBasedExpenseLineDetail = ItemBasedExpenseLineDetail()
    item_line.ItemBasedExpenseLineDetail.ItemRef = one(Item, qb, Name="Rebar").to_ref()
    saved = new_bill(qb, account_line(qb, 1200.5), item_line, DocNumber="INV-2025-0042").save(qb=qb)
    assert saved.TotalAmt == 1450.5 and saved.DocNumber == "INV-2025-0042"
    assert saved.APAccountRef.name == "Accounts Payable (A/P)"
    assert [line.Id for line in saved.Line] == ["1", "2"]


def test_bill_rules(qb):
    raises(ValidationException, 2020, lambda: new_bill(qb).save(qb=qb))
    raises(ValidationException, 2020, lambda: new_bill(qb, account_line(qb, 10), VendorRef=None).save(qb=qb))
    raises(ValidationException, 2050,
           lambda: new_bill(qb, account_line(qb, 10), DocNumber="X" * 22).save(qb=qb))
    bad_account = account_line(qb, 10)
    bad_account.AccountBasedExpenseLineDetail.AccountRef = ref(98765)
    raises(ValidationException, 2500, lambda: new_bill(qb, bad_account).save(qb=qb))
    raises(QuickbooksException, 6000, lambda: new_bill(qb, account_line(qb, -5)).save(qb=qb))
    no_amount = account_line(qb, None)
    raises(ValidationException, 2020, lambda: new_bill(qb, no_amount).save(qb=qb))


def test_bill_delete(qb):
    saved = new_bill(qb, account_line(qb, 99)).save(qb=qb)
    assert saved.delete(qb=qb)["Bill"]["status"] == "Deleted"


def test_preferences_update_turns_projects_off(qb):
    prefs = Preferences.get(qb=qb)
    body = {"SyncToken": prefs.SyncToken,
            "OtherPrefs": {"NameValue": [{"Name": "ProjectsEnabled", "Value": "false"}]}}
    import json
    answer = qb.update_object("Preferences", json.dumps(body))
    assert answer["Preferences"]["OtherPrefs"]["NameValue"][0]["Value"] == "false"
