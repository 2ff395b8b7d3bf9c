"""The staging console in Chromium, end to end: the CSV source → the console → the local
QBO sandbox over real HTTP, with Prefect flow runs for Sync to QBO and retry.

One scenario per test function keeps the set-up (sandbox company, Prefect) paid once.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.console.conftest import ARTIFACTS

SCRIPT_NAME = "<script>window.__owned = 1</script> Yard"
VENDOR_NAME = "Ace Concrete Supply"   # a QBO vendor has this name: QBO refuses a customer of it


def add_projects(source, *rows: tuple[str, str]) -> None:
    frame = source.frame("projects")
    extra = pd.concat([frame.iloc[[0]]] * len(rows), ignore_index=True)
    for i, (project_id, name) in enumerate(rows):
        extra.loc[i, "project_id"], extra.loc[i, "name"] = project_id, name
    source.save("projects", pd.concat([frame, extra], ignore_index=True))


def row(page, source_id: str):
    return page.locator(f'#records tbody tr[data-source-id="{source_id}"]')


def flash(page):
    return page.locator("#flash")


def test_finance_user_imports_links_syncs_retries_and_reviews(prefect, console, signed_in, source, realm):
    add_projects(source, ("P-00013", SCRIPT_NAME), ("P-00014", VENDOR_NAME))
    page = signed_in("ada")
    expect(page.locator("#records tbody")).to_contain_text("No projects staged yet")

    # Import New Items: every project staged and checked.
    page.click("#import-menu summary")
    page.click("button[data-import=new]")
    expect(flash(page)).to_contain_text("Import New Items: Projects: Imported projects: read 14, 14 new",
                                        timeout=60_000)
    expect(page.locator("#records tbody tr[data-id]")).to_have_count(14)
    headers = page.locator("#records thead th").all_inner_texts()
    assert headers[:3] == ["#", "QBO Customer", "Name"]
    assert headers[3:5] == ["Number", "Client"]
    assert {"Project status", "Start date", "End date"} <= set(headers)
    assert headers[-3:] == ["Status", "Synced", "Actions"]

    # A name with markup is shown as text and nothing in it runs.
    expect(row(page, "P-00013").locator("td.col-name")).to_have_text(SCRIPT_NAME)
    assert page.evaluate("window.__owned") is None

    # Needs Action explains itself on hover.
    needs = row(page, "P-00009").locator(".status")
    expect(needs).to_have_text("Needs Action")
    expect(needs).to_have_attribute("title", re.compile('Project status "Pending" is not one of'))

    # Link the unmatched client; afterwards the dropdown is gone and the rule is explained.
    p12 = row(page, "P-00012")
    expect(p12.locator(".status")).to_have_attribute("title", re.compile("no QBO customer is named"))
    choice = page.locator("datalist#choices-customer option").nth(1).get_attribute("value")
    p12.locator("input.link-input").fill(choice)
    p12.locator("button.link-confirm").click()
    expect(flash(page)).to_contain_text(f'Linked project P-00012 to "{choice}" for good')
    p12 = row(page, "P-00012")
    expect(p12.locator("input.link-input")).to_have_count(0)
    expect(p12.locator(".linked")).to_have_text(f"Linked {choice}")
    expect(p12.locator(".linked")).to_have_attribute("title", re.compile("cannot be changed"))
    expect(p12.locator(".status")).to_have_text("Needs Sync")
    # A second change, sent as the page would, is refused and changes nothing.
    record = p12.get_attribute("data-id")
    refused = page.evaluate("""async (id) => {
        const r = await fetch(`/records/${id}/link`, {method: 'POST', headers: {
            'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content,
            'Accept': 'application/json'}, body: new URLSearchParams({target: '1'})});
        return {status: r.status, body: await r.json()};
    }""", record)
    assert refused["status"] == 400
    assert "permanent and was not changed" in refused["body"]["detail"]
    page.reload()
    expect(row(page, "P-00012").locator(".linked")).to_have_text(f"Linked {choice}")

    # Select P-00010..P-00014 with a click and a Shift-click.
    row(page, "P-00010").locator(".serial-btn").click()
    row(page, "P-00014").locator(".serial-btn").click(modifiers=["Shift"])
    expect(page.locator("#selection-count")).to_have_text("5 selected")
    expect(page.locator("#records tr.selected")).to_have_count(5)
    row(page, "P-00011").locator(".serial-btn").click(modifiers=["ControlOrMeta"])
    expect(page.locator("#selection-count")).to_have_text("4 selected")

    # Sync to QBO: the preview first, then the confirmed flow run and its outcome.
    page.click("#sync")
    dialog = page.locator("#modal")
    expect(dialog).to_contain_text("4 to create, 0 to update, 0 skipped")
    expect(dialog.locator("table.preview")).to_contain_text(VENDOR_NAME)
    page.screenshot(path=str(ARTIFACTS / "sync-preview.png"))
    dialog.locator("#confirm-sync").click()
    expect(page.locator("#job")).to_be_visible()
    expect(flash(page)).to_contain_text("Done: 3 created, 0 updated, 1 failed", timeout=90_000)
    expect(flash(page)).to_have_class("error")   # a record refused: red, not green
    for synced in ("P-00010", "P-00012", "P-00013"):
        expect(row(page, synced).locator(".status")).to_have_text("Synced")
        expect(row(page, synced).locator("td.synced")).to_have_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"))
    expect(row(page, "P-00001").locator("td.synced")).to_have_text("Not Synced")

    # Failed: the reason on hover, and one click retries that record alone once fixed in the source.
    failed = row(page, "P-00014").locator(".status")
    expect(failed).to_have_text("Failed")
    failed.hover()
    expect(failed).to_have_attribute("title", re.compile('already has a (vendor|customer, vendor or employee) named "Ace Concrete Supply"'))
    source.edit("projects", "project_id", "P-00014", name="Ace Concrete Yard Expansion")
    failed.click()
    expect(flash(page)).to_contain_text("Done: 1 created, 0 updated, 0 failed", timeout=90_000)
    expect(flash(page)).to_have_class("ok")
    expect(row(page, "P-00014").locator(".status")).to_have_text("Synced")
    expect(row(page, "P-00014").locator("td.col-name")).to_have_text("Ace Concrete Yard Expansion")
    expect(row(page, "P-00001").locator(".status")).to_have_text("Needs Sync")   # not retried

    # Change History: the field change and both sync attempts, in order.
    row(page, "P-00014").get_by_role("button", name="Change History").click()
    expect(dialog).to_contain_text("Change History")
    changes = dialog.locator("table.history tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.first).to_contain_text(VENDOR_NAME)
    expect(changes.first).to_contain_text("Ace Concrete Yard Expansion")
    outcomes = dialog.locator("table.activity tbody tr td:nth-child(3)").all_inner_texts()
    assert outcomes == ["failed", "synced"]
    page.screenshot(path=str(ARTIFACTS / "change-history.png"))
    dialog.locator("[data-close]").first.click()

    # JSON: what was sent and what QBO answered.
    row(page, "P-00014").get_by_role("button", name="JSON").click()
    expect(dialog.locator("#json-request")).to_contain_text('"DisplayName": "Ace Concrete Yard Expansion"')
    qbo_id = _synced_id(dialog.locator("#json-response").inner_text())
    customer = console.app.state.console.res.qbo.client().get_single_object("Customer", qbo_id)["Customer"]
    assert customer["DisplayName"] == "Ace Concrete Yard Expansion"
    dialog.locator("[data-close]").first.click()

    # Filter and search.
    page.select_option("select[name=status]", "synced")
    page.wait_for_url(re.compile("status=synced"))
    expect(page.locator("#records tbody tr[data-id]")).to_have_count(4)
    page.fill("input[name=q]", "ace concrete")
    page.click(".filters button[type=submit]")
    expect(page.locator("#records tbody tr[data-id]")).to_have_count(1)

    # Runs: both flow runs with their counts and reports.
    page.click("a.tab:has-text('Runs')")
    runs = page.locator("table.runs tbody tr")
    expect(runs).to_have_count(2)
    expect(page.locator("p.qbo-calls")).to_contain_text("QuickBooks calls in ")     # counted, a line
    expect(page.locator("p.qbo-calls")).to_contain_text("of the monthly budget of 500,000")
    expect(runs.nth(0).locator("td").nth(1)).to_have_text("retry")
    expect(runs.nth(1).locator("td").nth(1)).to_have_text("sync")
    assert runs.nth(1).locator("td").nth(5).inner_text() == "3"   # created
    assert runs.nth(1).locator("td").nth(7).inner_text() == "1"   # failed
    runs.nth(1).get_by_role("link", name="Report").click()
    expect(page.locator("pre.report")).to_contain_text("qbo-sync run report")

    # A screenshot of each tab.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for tab in page.locator("nav.tabs a").all_inner_texts():
        page.click(f"nav.tabs a:has-text('{tab}')")
        expect(page.locator("a.tab.active")).to_have_text(tab)
        page.screenshot(path=str(ARTIFACTS / f"tab-{tab.lower().replace(' ', '-')}.png"), full_page=True)


def _synced_id(response_text: str) -> str:
    found = re.search(r'"Id": "(\d+)"', response_text)
    assert found, response_text
    return found.group(1)


def test_viewer_sees_but_cannot_act_and_tokenless_posts_are_refused(console, signed_in, source, console_res):
    from qbo_sync.pipeline import stages

    stages.run_import(console_res, ["projects"], "new")
    viewer = signed_in("vic")
    expect(viewer.locator("#records tbody tr[data-id]")).to_have_count(12)
    expect(viewer.locator("#import-menu")).to_have_count(0)
    expect(viewer.locator("#sync")).to_have_count(0)
    expect(viewer.locator("input.link-input")).to_have_count(0)
    post = """async ([url, withToken]) => {
        const headers = {'Accept': 'application/json'};
        if (withToken) headers['X-CSRF-Token'] = document.querySelector('meta[name=csrf-token]').content;
        const r = await fetch(url, {method: 'POST', headers, body: new URLSearchParams({mode: 'all'})});
        return {status: r.status, body: await r.json()};
    }"""
    as_viewer = viewer.evaluate(post, ["/e/projects/import", True])
    assert as_viewer["status"] == 403 and "viewer" in as_viewer["body"]["detail"]

    admin_page = signed_in("ada")
    without_token = admin_page.evaluate(post, ["/e/projects/import", False])
    assert without_token["status"] == 403 and "CSRF" in without_token["body"]["detail"]
    assert console.jobs.get(1) is None, "a refused request started nothing"
