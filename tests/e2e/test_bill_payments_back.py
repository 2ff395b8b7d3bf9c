"""Bill payments made in QuickBooks come back: a bill paid by check or credit card shows paid
(or partially paid, with its balance) after the next run, in `status`, the run report and
the console; a paid bill changed in the source is Needs Action and QBO's bill is untouched.
Payments are made through python-quickbooks against the sandbox over HTTP, as a finance
person pays a bill in QuickBooks. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

from quickbooks.objects import Account, BillPayment
from quickbooks.objects.base import LinkedTxn, Ref
from quickbooks.objects.billpayment import BillPaymentCreditCard, BillPaymentLine, CheckPayment

from qbo_sync import entities as registry
from qbo_sync.cli import main
from qbo_sync.ops.report_files import to_csv, to_html
from qbo_sync.pipeline.report import build_report, to_markdown
from tests.e2e.test_timesheets_sync import qbo, record, rows, sync


def ref(value: str) -> Ref:
    found = Ref()
    found.value = value
    return found


def pay(res, bill_qbo_id: str, amount: float, *, check: str | None = None, card: str | None = None,
        date: str = "2026-11-20") -> BillPayment:
    """A bill payment entered in QuickBooks: by check (its number) or on a credit card."""
    qb = res.qbo.client()
    bill = qbo(res, "Bill", bill_qbo_id)
    payment = BillPayment()
    payment.VendorRef = ref(bill["VendorRef"]["value"])
    payment.TxnDate = date
    if check is not None:
        payment.PayType, payment.DocNumber = "Check", check
        payment.CheckPayment = CheckPayment()
        payment.CheckPayment.BankAccountRef = ref(Account.filter(Name="Checking", qb=qb)[0].Id)
    else:
        found = Account.filter(Name=card, qb=qb)
        if not found:
            account = Account()
            account.Name, account.AccountType = card, "Credit Card"
            found = [account.save(qb=qb)]
        payment.PayType, payment.CheckPayment = "CreditCard", None
        payment.CreditCardPayment = BillPaymentCreditCard()
        payment.CreditCardPayment.CCAccountRef = ref(found[0].Id)
    line = BillPaymentLine()
    line.Amount = amount
    link = LinkedTxn()
    link.TxnId, link.TxnType = bill_qbo_id, "Bill"
    line.LinkedTxn = [link]
    payment.Line = [line]
    payment.TotalAmt = amount
    return payment.save(qb=qb)


def test_paid_and_partly_paid_bills_show_after_the_next_run(res, config_for, capsys):
    sync(res)
    bills = rows(res, "vendor_bills")
    paid, partly, untouched = (bills[s] for s in ("B-000001", "B-000002", "B-000004"))
    paid_total = qbo(res, "Bill", paid["qbo_id"])["TotalAmt"]
    partly_total = qbo(res, "Bill", partly["qbo_id"])["TotalAmt"]
    pay(res, paid["qbo_id"], paid_total, check="1234", date="2026-11-20")
    pay(res, partly["qbo_id"], 100.0, card="Company Visa", date="2026-11-22")

    sync(res)   # the next run, nothing changed in the source
    after = rows(res, "vendor_bills")
    for bill in (paid, partly, untouched):    # a payment is not an edit: nothing to review
        assert after[bill["source_id"]]["status"] == "Synced", after[bill["source_id"]]["reasons"]
    state = record(res, "vendor_bills", "B-000001").qbo_objects["payments"]
    assert state["state"] == "paid" and state["balance"] == 0
    assert state["payments"] == [{"id": state["payments"][0]["id"], "date": "2026-11-20", "method": "check",
                                  "reference": "1234", "amount": paid_total}]
    part = record(res, "vendor_bills", "B-000002").qbo_objects["payments"]
    assert part["state"] == "partially paid" and part["balance"] == round(partly_total - 100.0, 2)
    assert [(p["method"], p["amount"]) for p in part["payments"]] == [("credit card", 100.0)]
    assert record(res, "vendor_bills", "B-000004").qbo_objects["payments"]["state"] == "open"

    # status: a line for the bills with what is paid and open.
    assert main(["--config", config_for(res), "status", "--entity", "vendor_bills"]) == 0
    out = capsys.readouterr().out
    synced = [record(res, "vendor_bills", b["source_id"]) for b in after.values() if b["qbo_id"]]
    open_money = sum(b.qbo_objects["payments"]["balance"] for b in synced)
    assert (f"Vendor bills in QuickBooks: 1 paid, 1 partially paid, {len(synced) - 2} open; "
            f"${paid_total + 100:,.2f} paid, ${open_money:,.2f} open") in out

    # The run report: paid and open per vendor, in all three renderings.
    report = build_report(res.db, registry.resolve(None))
    vendor = record(res, "vendor_bills", "B-000001").data["vendor_id"]
    row = next(r for r in report["payments"][0]["rows"] if r["payee"] == vendor)
    assert row["paid"] >= 1 and row["paid_amount"] >= paid_total
    markdown = to_markdown(report)
    assert "## Vendor bills paid and open, per vendor" in markdown
    assert f"| {row['name']} | {vendor} | {row['paid']} | {row['partly_paid']} | {row['open']} | " \
           f"{row['paid_amount']:,.2f} | {row['open_balance']:,.2f} |" in markdown
    assert "<h2>Vendor bills paid and open, per vendor</h2>" in to_html(report)
    shown = {r["measure"]: float(r["value"]) for r in csv.DictReader(io.StringIO(to_csv(report)))
             if r["section"] == "vendor bills per vendor" and r["source_id"] == vendor}
    assert shown["paid_amount"] == row["paid_amount"] and shown["open_balance"] == row["open_balance"]


def test_a_paid_bill_changed_in_the_source_is_needs_action_and_quickbooks_keeps_it(res, source):
    sync(res)
    bill = rows(res, "vendor_bills")["B-000001"]
    memo = record(res, "vendor_bills", "B-000001").data.get("memo", "")
    total = qbo(res, "Bill", bill["qbo_id"])["TotalAmt"]
    pay(res, bill["qbo_id"], total, check="1234", date="2026-11-20")
    in_qbo = qbo(res, "Bill", bill["qbo_id"])

    source.edit("vendor_bills", "bill_id", "B-000001", memo="re-coded after payment")
    pushes = sync(res)
    assert not [p for p in pushes if p.entity == "vendor_bills" and p.updated]
    after = rows(res, "vendor_bills")["B-000001"]
    assert after["status"] == "Needs Action"
    assert after["reasons"] == [
        "Paid in QuickBooks on 2026-11-20 (check 1234): changing it there would unbalance the payment, so "
        "the change in the source is not sent. Undo the change in the source, or void the payment in "
        "QuickBooks and run the sync again to send it."]
    assert qbo(res, "Bill", bill["qbo_id"]) == in_qbo

    # The office undoes the change in the source: the bill is in step again, nothing written.
    source.edit("vendor_bills", "bill_id", "B-000001", memo=memo)
    sync(res)
    assert rows(res, "vendor_bills")["B-000001"]["status"] == "Synced"
    assert qbo(res, "Bill", bill["qbo_id"]) == in_qbo


def test_payments_are_read_by_id_the_first_time_then_by_one_cdc_request(res):
    from qbo_sync.pipeline import payments

    bills = [registry.get("vendor_bills")]
    sync(res)
    synced = [b for b in rows(res, "vendor_bills").values() if b["qbo_id"]]
    before = res.reader.stats["reads"]
    first = payments.refresh(res.db, res.reader, bills)[0]
    assert first.read == len(synced) and first.states == {"open": len(synced)}
    assert res.reader.stats["reads"] - before == 1                # the bills by id (30 to a query)

    bill = synced[0]
    pay(res, bill["qbo_id"], 50.0, check="2001")
    before = res.reader.stats["reads"]
    again = payments.refresh(res.db, res.reader, bills)[0]
    assert res.reader.stats["reads"] - before == 1                # one CDC: the bill and its payment
    assert again.states == {"open": len(synced) - 1, "partially paid": 1}
    state = record(res, "vendor_bills", bill["source_id"]).qbo_objects["payments"]
    assert [(p["method"], p["reference"], p["amount"]) for p in state["payments"]] == [("check", "2001", 50.0)]
