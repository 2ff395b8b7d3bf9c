"""BillPayment, driven with python-quickbooks over HTTP: a payment by check or credit card
lowers the bills' Balance, can't overpay, and a delete or void opens the bill again;
query and CDC see the payment and the bill it changed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects import Account, Bill, BillPayment, Vendor
from quickbooks.objects.base import LinkedTxn
from quickbooks.objects.billpayment import BillPaymentCreditCard, BillPaymentLine, CheckPayment
from quickbooks.objects.detailline import AccountBasedExpenseLine, AccountBasedExpenseLineDetail

from tests.sandbox.objects import one, ref


def make_bill(qb, vendor_name: str, amount: float, doc_number: str) -> Bill:
    bill = Bill()
    bill.VendorRef = ref(one(Vendor, qb, DisplayName=vendor_name).Id)
    bill.DocNumber = doc_number
    line = AccountBasedExpenseLine()
    line.Amount = amount
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = ref(one(Account, qb, Name="Job Materials").Id)
    bill.Line = [line]
    return bill.save(qb=qb)


def payment(qb, vendor_name: str, pays: list[tuple[Bill, float]], *, check_number="1042",
            total: float | None = None) -> BillPayment:
    pay = BillPayment()
    pay.VendorRef = ref(one(Vendor, qb, DisplayName=vendor_name).Id)
    pay.PayType = "Check"
    pay.DocNumber = check_number
    pay.CheckPayment = CheckPayment()
    pay.CheckPayment.BankAccountRef = ref(one(Account, qb, Name="Checking").Id)
    pay.Line = []
    for bill, amount in pays:
        line = BillPaymentLine()
        line.Amount = amount
        link = LinkedTxn()
        link.TxnId, link.TxnType = bill.Id, "Bill"
        line.LinkedTxn = [link]
        pay.Line.append(line)
    pay.TotalAmt = sum(a for _, a in pays) if total is None else total
    return pay


def code_of(fn) -> int:
    with pytest.raises(QuickbooksException) as caught:
        fn()
    return caught.value.error_code


def test_check_payment_lowers_balances_and_links_the_bills(qb):
    first = make_bill(qb, "Ace Concrete Supply", 1200.00, "ACE-1")
    second = make_bill(qb, "Ace Concrete Supply", 300.00, "ACE-2")
    assert Bill.get(first.Id, qb=qb).Balance == 1200.00

    paid = payment(qb, "Ace Concrete Supply", [(first, 500.00), (second, 300.00)]).save(qb=qb)
    assert paid.Id and paid.SyncToken == "0" and paid.TotalAmt == 800.00
    assert paid.PayType == "Check" and paid.DocNumber == "1042"
    assert paid.APAccountRef.name == "Accounts Payable (A/P)"

    first_now, second_now = Bill.get(first.Id, qb=qb), Bill.get(second.Id, qb=qb)
    assert (first_now.Balance, second_now.Balance) == (700.00, 0)
    assert first_now.SyncToken == "1"                 # QBO changed the bill: a new version
    assert [(t.TxnId, t.TxnType) for t in first_now.LinkedTxn] == [(paid.Id, "BillPayment")]

    # The rest of the first bill, by credit card.
    card = Account()
    card.Name, card.AccountType = "Company Visa", "Credit Card"
    card = card.save(qb=qb)
    rest = payment(qb, "Ace Concrete Supply", [(first, 700.00)])
    rest.PayType, rest.CheckPayment = "CreditCard", None
    rest.CreditCardPayment = BillPaymentCreditCard()
    rest.CreditCardPayment.CCAccountRef = ref(card.Id)
    rest = rest.save(qb=qb)
    assert rest.CreditCardPayment.CCAccountRef.name == "Company Visa"
    assert Bill.get(first.Id, qb=qb).Balance == 0
    assert {t.TxnId for t in Bill.get(first.Id, qb=qb).LinkedTxn} == {paid.Id, rest.Id}


def test_cannot_overpay_nor_pay_another_vendors_bill(qb):
    bill = make_bill(qb, "Pacific Lumber Co", 250.00, "PL-77")
    assert code_of(lambda: payment(qb, "Pacific Lumber Co", [(bill, 250.01)]).save(qb=qb)) == 6000
    payment(qb, "Pacific Lumber Co", [(bill, 200.00)]).save(qb=qb)
    with pytest.raises(QuickbooksException) as over:
        payment(qb, "Pacific Lumber Co", [(bill, 60.00)]).save(qb=qb)
    assert over.value.error_code == 6000 and "open balance of 50.00" in over.value.detail
    assert code_of(lambda: payment(qb, "Ace Concrete Supply", [(bill, 10.00)]).save(qb=qb)) == 6000
    # lines may not add up to more than the payment's total
    assert code_of(lambda: payment(qb, "Pacific Lumber Co", [(bill, 50.00)], total=40).save(qb=qb)) == 6000
    assert Bill.get(bill.Id, qb=qb).Balance == 50.00


def test_bad_pay_type_and_accounts_are_refused(qb):
    bill = make_bill(qb, "Pacific Lumber Co", 80.00, "PL-78")
    no_type = payment(qb, "Pacific Lumber Co", [(bill, 80.00)])
    no_type.PayType = ""
    assert code_of(lambda: no_type.save(qb=qb)) == 2020
    wrong_account = payment(qb, "Pacific Lumber Co", [(bill, 80.00)])
    wrong_account.CheckPayment.BankAccountRef = ref(one(Account, qb, Name="Fuel").Id)
    assert code_of(lambda: wrong_account.save(qb=qb)) == 6000
    missing_bill = payment(qb, "Pacific Lumber Co", [(bill, 80.00)])
    missing_bill.Line[0].LinkedTxn[0].TxnId = "9999"
    assert code_of(lambda: missing_bill.save(qb=qb)) == 2500
    assert Bill.get(bill.Id, qb=qb).Balance == 80.00


def test_update_delete_and_void_give_the_balance_back(qb):
    bill = make_bill(qb, "Metro Equipment Rentals", 900.00, "MER-5")
    paid = payment(qb, "Metro Equipment Rentals", [(bill, 900.00)]).save(qb=qb)
    assert Bill.get(bill.Id, qb=qb).Balance == 0

    paid.Line[0].Amount = paid.TotalAmt = 400.00     # a full update, re-applied
    paid = paid.save(qb=qb)
    assert paid.SyncToken == "1" and Bill.get(bill.Id, qb=qb).Balance == 500.00

    # A paid bill can't be deleted, nor made smaller than what was paid on it.
    current = Bill.get(bill.Id, qb=qb)
    assert code_of(lambda: current.delete(qb=qb)) == 6000
    current.Line[0].Amount = 300.00
    assert code_of(lambda: current.save(qb=qb)) == 6000

    paid.void(qb=qb)
    voided = BillPayment.get(paid.Id, qb=qb)
    assert voided.TotalAmt == 0 and voided.PrivateNote == "Voided" and voided.SyncToken == "2"
    reopened = Bill.get(bill.Id, qb=qb)
    assert reopened.Balance == 900.00 and not reopened.LinkedTxn

    again = payment(qb, "Metro Equipment Rentals", [(bill, 900.00)], check_number="1043").save(qb=qb)
    assert Bill.get(bill.Id, qb=qb).Balance == 0
    again.delete(qb=qb)
    assert Bill.get(bill.Id, qb=qb).Balance == 900.00
    with pytest.raises(QuickbooksException) as gone:
        BillPayment.get(again.Id, qb=qb)
    assert gone.value.error_code == 610


def test_query_and_cdc_cover_payments_and_the_bills_they_change(qb, admin):
    bill = make_bill(qb, "Bright Electric Wholesale", 640.00, "BEW-9")
    admin.advance_clock(120)
    since = datetime.fromisoformat(Bill.get(bill.Id, qb=qb).MetaData["LastUpdatedTime"]) + timedelta(seconds=60)
    admin.advance_clock(120)
    paid = payment(qb, "Bright Electric Wholesale", [(bill, 640.00)], check_number="2001").save(qb=qb)

    found = BillPayment.where(f"VendorRef = '{paid.VendorRef.value}'", qb=qb)
    assert [(p.Id, p.DocNumber, p.TotalAmt) for p in found] == [(paid.Id, "2001", 640.00)]
    assert BillPayment.count(qb=qb) == 1

    changed = change_data_capture([BillPayment, Bill], since, qb=qb)
    assert [p.Id for p in changed.BillPayment] == [paid.Id]
    assert [(b.Id, b.Balance) for b in changed.Bill] == [(bill.Id, 0)]

    paid.delete(qb=qb)
    deleted = change_data_capture([BillPayment], since, qb=qb)
    assert [(p.Id, p.status) for p in deleted.BillPayment] == [(paid.Id, "Deleted")]
