"""The bill tab in Chromium after bills were paid in QuickBooks (python-quickbooks against the
sandbox, as a finance person pays them): the payment state and the balance as money in the
list, the payments (date, method, check number, amount) on the record's page and its JSON."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.console.conftest import ARTIFACTS, open_console
from tests.console.test_console_finance_browser import cell, row, staged
from tests.e2e.test_bill_payments_back import pay
from tests.e2e.test_timesheets_sync import qbo, sync


def test_the_bill_tab_shows_payments_made_in_quickbooks(console, console_res, browser):
    res = console_res
    sync(res)
    bills = staged(res, "vendor_bills")
    paid, partly = bills["B-000001"], bills["B-000002"]
    paid_total = qbo(res, "Bill", paid.qbo_id)["TotalAmt"]
    partly_total = qbo(res, "Bill", partly.qbo_id)["TotalAmt"]
    pay(res, paid.qbo_id, paid_total, check="1234", date="2026-11-20")
    pay(res, partly.qbo_id, 100.0, card="Company Visa", date="2026-11-22")
    sync(res)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context, page = open_console(browser, console)
    page.goto(f"{console.url}/e/vendor_bills?per_page=200")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the bill tab is {width[0]} px wide"
    expect(cell(page, paid.source_id, "Payment")).to_have_text("paid")
    expect(cell(page, paid.source_id, "Balance")).to_have_text("$0.00")
    expect(cell(page, partly.source_id, "Payment")).to_have_text("partially paid")
    expect(cell(page, partly.source_id, "Balance")).to_have_text(f"${partly_total - 100:,.2f}")
    expect(row(page, paid.source_id).locator(".status")).to_have_text("Synced")
    page.screenshot(path=str(ARTIFACTS / "bill-payments-list.png"))

    page.goto(f"{console.url}/records/{paid.id}/history")
    payments = page.locator("table.payments tbody tr")
    expect(payments).to_have_count(1)
    expect(payments.first).to_have_text(f"2026-11-20check1234${paid_total:,.2f}")
    expect(page.locator(".payments-state")).to_contain_text(f"Paid · balance $0.00 of ${paid_total:,.2f}")
    page.screenshot(path=str(ARTIFACTS / "bill-payments-record.png"))

    page.goto(f"{console.url}/records/{partly.id}/json")
    expect(page.locator(".payments-state")).to_contain_text(
        f"Partially paid · balance ${partly_total - 100:,.2f} of ${partly_total:,.2f}")
    expect(page.locator("table.payments tbody tr").first).to_contain_text("credit card")
    expect(page.locator("#json-payments")).to_contain_text('"state": "partially paid"')
    context.close()
