"""Labour cost rates and purchase orders, with python-quickbooks over HTTP: an employee's
CostRate and a TimeActivity's CostRate are kept; a PurchaseOrder is job-costed per line,
Open when new, and Closed once a bill line links it (Open again when the bill lets go)."""

from __future__ import annotations

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects import Account, Bill, Customer, Employee, Item, PurchaseOrder, TimeActivity, Vendor
from quickbooks.objects.base import LinkedTxn
from quickbooks.objects.detailline import (AccountBasedExpenseLine, AccountBasedExpenseLineDetail,
                                           ItemBasedExpenseLine, ItemBasedExpenseLineDetail)
from quickbooks.objects.trackingclass import Class

from tests.sandbox.objects import one, ref


def code_of(fn) -> int:
    with pytest.raises(QuickbooksException) as caught:
        fn()
    return caught.value.error_code


# --- labour cost ---------------------------------------------------------------------
def test_employee_cost_rate_and_time_activity_cost_rate_are_kept(qb):
    maria = one(Employee, qb, DisplayName="Maria Lopez")
    maria.CostRate, maria.BillRate = 42.5, 95
    maria = maria.save(qb=qb)
    assert (Employee.get(maria.Id, qb=qb).CostRate, maria.BillRate) == (42.5, 95)

    t = TimeActivity()
    t.NameOf, t.EmployeeRef = "Employee", ref(maria.Id)
    t.Hours, t.Minutes, t.CostRate = 7, 30, 42.5
    t.BillableStatus, t.HourlyRate = "Billable", 95
    t.CustomerRef = ref(one(Customer, qb, DisplayName="Pier 9 Renovation").Id)
    saved = t.save(qb=qb)
    assert (saved.CostRate, saved.HourlyRate, saved.BillableStatus) == (42.5, 95, "Billable")
    assert TimeActivity.get(saved.Id, qb=qb).CostRate == 42.5

    t.CostRate = -1
    assert code_of(lambda: t.save(qb=qb)) == 6000
    maria.CostRate = -3
    assert code_of(lambda: maria.save(qb=qb)) == 6000
    maria.CostRate = "abc"
    assert code_of(lambda: maria.save(qb=qb)) == 2010


# --- purchase orders -----------------------------------------------------------------
def purchase_order(qb, vendor="Ace Concrete Supply", doc_number="PO-1001") -> PurchaseOrder:
    po = PurchaseOrder()
    po.VendorRef = ref(one(Vendor, qb, DisplayName=vendor).Id)
    po.DocNumber = doc_number
    job = one(Customer, qb, DisplayName="Pier 9 Renovation").Id
    materials = ItemBasedExpenseLine()
    materials.Amount = 4200
    materials.ItemBasedExpenseLineDetail = ItemBasedExpenseLineDetail()
    materials.ItemBasedExpenseLineDetail.ItemRef = ref(one(Item, qb, Name="Rebar").Id)
    materials.ItemBasedExpenseLineDetail.CustomerRef = ref(job)
    materials.ItemBasedExpenseLineDetail.ClassRef = ref(one(Class, qb, Name="Commercial").Id)
    delivery = AccountBasedExpenseLine()
    delivery.Amount = 300
    delivery.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    delivery.AccountBasedExpenseLineDetail.AccountRef = ref(one(Account, qb, Name="Job Materials").Id)
    delivery.AccountBasedExpenseLineDetail.CustomerRef = ref(job)
    po.Line = [materials, delivery]
    return po


def bill_against(qb, po: PurchaseOrder, vendor="Ace Concrete Supply") -> Bill:
    bill = Bill()
    bill.VendorRef = ref(one(Vendor, qb, DisplayName=vendor).Id)
    line = AccountBasedExpenseLine()
    line.Amount = 4500
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = ref(one(Account, qb, Name="Job Materials").Id)
    link = LinkedTxn()
    link.TxnId, link.TxnType = po.Id, "PurchaseOrder"
    line.LinkedTxn = [link]
    bill.Line = [line]
    return bill


def test_purchase_order_is_job_costed_per_line_and_open(qb):
    po = purchase_order(qb).save(qb=qb)
    assert po.POStatus == "Open" and po.TotalAmt == 4500 and po.SyncToken == "0"
    detail = po.Line[0].ItemBasedExpenseLineDetail
    assert (detail.CustomerRef.name, detail.ClassRef.name, detail.ItemRef.name) == \
        ("Harbor View Properties LLC:Pier 9 Renovation", "Commercial", "Rebar")
    assert po.APAccountRef.name == "Accounts Payable (A/P)"
    assert [p.DocNumber for p in PurchaseOrder.where("POStatus = 'Open'", qb=qb)] == ["PO-1001"]

    bad = purchase_order(qb, doc_number="PO-1002")
    bad.POStatus = "Received"
    assert code_of(lambda: bad.save(qb=qb)) == 2010
    no_vendor = purchase_order(qb, doc_number="PO-1003")
    no_vendor.VendorRef = None
    assert code_of(lambda: no_vendor.save(qb=qb)) == 2020


def test_a_bill_linked_to_the_po_closes_it_and_deleting_the_bill_reopens_it(qb):
    po = purchase_order(qb).save(qb=qb)
    # Only the PO's own vendor can bill against it; a PO that does not exist is 2500.
    assert code_of(lambda: bill_against(qb, po, vendor="Pacific Lumber Co").save(qb=qb)) == 6000
    missing = bill_against(qb, po)
    missing.Line[0].LinkedTxn[0].TxnId = "999"
    assert code_of(lambda: missing.save(qb=qb)) == 2500

    bill = bill_against(qb, po).save(qb=qb)
    assert [(t.TxnId, t.TxnType) for t in bill.Line[0].LinkedTxn] == [(po.Id, "PurchaseOrder")]
    closed = PurchaseOrder.get(po.Id, qb=qb)
    assert closed.POStatus == "Closed" and closed.SyncToken == "1"
    assert [(t.TxnId, t.TxnType) for t in closed.LinkedTxn] == [(bill.Id, "Bill")]
    assert code_of(lambda: closed.delete(qb=qb)) == 6000      # linked: can't delete

    # A later update of the PO keeps its links (read-only) and its status.
    closed.Memo = "Rebar for level 2"
    assert closed.save(qb=qb).POStatus == "Closed"

    Bill.get(bill.Id, qb=qb).delete(qb=qb)
    reopened = PurchaseOrder.get(po.Id, qb=qb)
    assert reopened.POStatus == "Open" and not reopened.LinkedTxn
    reopened.delete(qb=qb)
    assert PurchaseOrder.count(qb=qb) == 0
