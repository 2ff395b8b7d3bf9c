"""The console's Rehearse button in Chromium: the selected records synced to a copy of the
company, then the rehearsal report, with QuickBooks' refusal and its reason; the real
company (the sandbox realm behind the console, reached over HTTP) receives no write."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.console.conftest import ARTIFACTS
from tests.console.test_console_browser import VENDOR_NAME, add_projects, row


def test_rehearse_shows_what_quickbooks_would_refuse(prefect, console, signed_in, source, admin, realm):
    add_projects(source, ("P-00014", VENDOR_NAME))    # a vendor has this name: QuickBooks refuses it
    page = signed_in("ada")
    page.click("#import-menu summary")
    page.click("button[data-import=new]")
    expect(page.locator("#records tbody tr[data-id]")).to_have_count(13, timeout=60_000)
    expect(page.locator("#rehearse")).to_be_disabled()
    writes = admin.counts(realm)["writes"]

    row(page, "P-00010").locator(".serial-btn").click()
    row(page, "P-00014").locator(".serial-btn").click(modifiers=["ControlOrMeta"])
    expect(page.locator("#rehearse")).to_be_enabled()
    page.click("#rehearse")
    expect(page.locator("#job")).to_be_visible()
    page.wait_for_url("**/reports/rehearsals/rehearsal-*.html", timeout=120_000)

    body = page.locator("body")
    expect(body).to_contain_text("QuickBooks and your staging database were not changed.")
    expect(body).to_contain_text("1 record(s) would be refused by QuickBooks.")
    table = page.locator("section", has_text="What QuickBooks did with each record").locator("table")
    expect(table.locator("tr", has_text="P-00010")).to_contain_text("created")
    refused = table.locator("tr", has_text="P-00014")
    expect(refused).to_contain_text("refused")
    expect(refused).to_contain_text(re.compile("already has a (vendor|customer, vendor or employee)"))
    page.screenshot(path=str(ARTIFACTS / "rehearsal-report.png"), full_page=True)

    assert admin.counts(realm)["writes"] == writes
    page.go_back()
    expect(row(page, "P-00010").locator(".status")).to_have_text("Needs Sync")   # the real record untouched
