"""The overview page in Chromium, and QuickBooks out of reach in plain words: the CSV source
→ a sync flow run → the console, against the local QBO sandbox over real HTTP."""

from __future__ import annotations

import contextvars
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from qbo_sync import statuses
from tests.console.conftest import ARTIFACTS, PASSWORDS

WIDTHS = ({"width": 1280, "height": 800}, {"width": 1920, "height": 1080})


def _open(browser, console, viewport: dict, path: str = "/overview", user: str = "vic"):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{console.url}/login?next={path}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    return page


def _fits(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def _next_0230_utc(now: datetime) -> datetime:
    candidate = now.replace(hour=2, minute=30, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def test_overview_shows_counts_last_and_next_run_and_the_quickbooks_company(prefect, console, browser, console_res,
                                                                            config_for):
    from qbo_sync import views
    from qbo_sync.flows.sync import sync
    from qbo_sync.ops.deployments import build_deployments

    config = config_for(console_res)
    report = sync(entities=["projects"], mode="new", approval="yes", config=config)
    run = views.runs(console_res.db, limit=1)[0]
    # What `qbo-sync status` lists, counted here: the page must agree with it.
    expected = Counter(row["status"] for row in views.status_rows(console_res.db, "projects"))
    qbo = console_res.qbo
    company = qbo.client().get_single_object("CompanyInfo", qbo.realm_id)["CompanyInfo"]["CompanyName"]
    expires = datetime.fromtimestamp(qbo._tokens.load(qbo.realm_id).refresh_expires_at, timezone.utc)

    page = _open(browser, console, WIDTHS[0])
    projects = page.locator('table.overview-counts tr[data-entity="projects"]')
    for code, label in statuses.LABELS.items():
        expect(projects.locator(f"td.{code}")).to_have_text(f"{expected.get(label, 0):,}")
    expect(projects.locator("td.total")).to_have_text(f"{sum(expected.values()):,}")
    assert expected["Synced"] > 0 and expected["Needs Action"] > 0, expected
    expect(page.locator('tr[data-entity="timesheets"] td.total')).to_have_text("0")
    expect(page.locator("#last-run")).to_contain_text(f"Sync run {run.id}, started")
    expect(page.locator("#last-run .outcome")).to_have_text(run.outcome)
    created = sum(p["created"] for p in report["pushed"])
    expect(page.locator("#last-run")).to_contain_text(f"{created} created")
    expect(page.locator("#next-run")).to_contain_text("None: the nightly sync is not deployed")
    expect(page.locator("#qbo-connection .company")).to_have_text(company)
    expect(page.locator("#qbo-connection .expiry")).to_contain_text(expires.strftime("%a %-d %b %Y, %H:%M") + " UTC")
    # A count links to that entity's rows with that status.
    projects.locator("td.needs_action a").click()
    page.wait_for_url("**/e/projects?status=needs_action")
    expect(page.locator("#records tbody tr[data-id]")).to_have_count(expected["Needs Action"])

    # The nightly deployment on the Prefect server, at 02:30 UTC: the page names the next one.
    settings = console_res.settings.model_copy(update={"schedule": console_res.settings.schedule.model_copy(
        update={"every": "cron", "cron": "30 2 * * *", "timezone": "UTC"})})
    # In a thread of its own (with this test's Prefect settings): Playwright's sync API keeps an
    # event loop running on this one, and Prefect would hand back coroutines here.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(contextvars.copy_context().run,
                    lambda: build_deployments(settings, config)[0].apply()).result()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for viewport in WIDTHS:
        page = _open(browser, console, viewport)
        expect(page.locator("#next-run strong")).to_have_text(
            _next_0230_utc(datetime.now(timezone.utc)).strftime("%a %-d %b %Y, %H:%M") + " UTC")
        _fits(page)
        page.screenshot(path=str(ARTIFACTS / f"overview-{viewport['width']}.png"), full_page=True)


def test_next_run_is_none_without_a_prefect_server(console_res):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from qbo_sync.console.overview import next_run

    with temporary_settings(updates={PREFECT_API_URL: None}):
        found = next_run(console_res.settings)
    assert found.when is None and found.note.startswith("None: no Prefect server is set up")


@pytest.fixture
def qbo_down(admin):
    admin.settings(fault_rate=1.0, fault_seed=7)
    yield
    admin.settings(fault_rate=0.0, fault_seed=None)


def test_quickbooks_out_of_reach_is_said_in_plain_words(console, signed_in, console_res, qbo_down):
    from qbo_sync.pipeline import stages

    page = signed_in("ada")
    # The import reads QBO's lists to check the records: its outcome says what happened and what next.
    page.click("#import-menu summary")
    page.click("button[data-import=new]")
    flash = page.locator("#flash")
    expect(flash).to_contain_text("QuickBooks cannot be reached right now (", timeout=60_000)
    expect(flash).to_contain_text("Nothing is lost")
    expect(flash).to_have_class("error")
    for raw in ("QuickbooksException", "<html", "Something went wrong"):
        expect(flash).not_to_contain_text(raw)

    # The overview still shows what it knows, and the connection says QBO is out of reach.
    page.goto(f"{console.url}/overview")
    expect(page.locator("#qbo-connection .problem")).to_contain_text("QuickBooks cannot be reached right now")
    expect(page.locator("#qbo-connection .expiry")).to_contain_text("The authorization runs out on")
    expect(page.locator('tr[data-entity="projects"] td.total')).to_have_text("12")   # imported before map failed

    # The preview of a sync (in a request, not a job) says the same, not a server error.
    stages.run_validate(console_res, ["projects"])
    page.goto(f"{console.url}/e/projects")
    page.locator('#records tbody tr[data-source-id="P-00001"] .serial-btn').click()
    page.click("#sync")
    expect(flash).to_contain_text("QuickBooks cannot be reached right now (")
    expect(flash).not_to_contain_text("Something went wrong")
    page.screenshot(path=str(ARTIFACTS / "qbo-unreachable.png"))


def test_a_record_opens_its_object_in_quickbooks(console, signed_in, console_res):
    from qbo_sync.pipeline import stages

    for entity in (["projects"], ["vendors"]):
        stages.run_import(console_res, entity, "new")
        stages.run_validate(console_res, entity)
        stages.run_map(console_res, entity)
        stages.run_push(console_res, stages.run_preview(console_res, entity))
    page = signed_in("ada")
    synced = page.locator("#records tbody tr[data-id]").filter(has=page.locator(".status", has_text="Synced")).first
    name = synced.locator("td.col-name").inner_text()
    synced.get_by_role("button", name="Change History").click()
    link = page.locator("#modal .qbo-links a")
    expect(link).to_have_count(1)
    expect(link).to_contain_text(f"Customer {name} (id ")
    href = link.get_attribute("href")
    qbo_id = href.split("nameId=")[1].split("&")[0]
    api = console_res.qbo.endpoints.api_url_v3.split("/v3")[0]
    assert href == f"{api}/app/customerdetail?nameId={qbo_id}&realmId={console_res.qbo.realm_id}"
    # The sandbox serves that page: the object QBO holds, under the record's name.
    with page.context.expect_page() as opened:
        link.click()
    qbo_page = opened.value
    expect(qbo_page.locator("h1")).to_have_text(f"Customer {name} (id {qbo_id})")
    qbo_page.close()
    page.locator("#modal [data-close]").first.click()

    page.goto(f"{console.url}/e/vendors?status=synced")
    vendor = page.locator("#records tbody tr[data-id]").first
    vendor.get_by_role("button", name="JSON").click()
    expect(page.locator("#modal .qbo-links a")).to_contain_text(f"Vendor {vendor.locator('td.col-name').inner_text()}")
    assert "/app/vendordetail?nameId=" in page.locator("#modal .qbo-links a").get_attribute("href")


def test_web_links_go_to_intuits_web_app_for_intuits_api_hosts():
    from qbo_sync.qbo.web_links import web_url

    assert web_url("https://quickbooks.api.intuit.com/v3", "123", "Customer", "57") == \
        "https://app.qbo.intuit.com/app/customerdetail?nameId=57"
    assert web_url("https://sandbox-quickbooks.api.intuit.com/v3", "123", "Bill", "9") == \
        "https://app.sandbox.qbo.intuit.com/app/bill?txnId=9"
    assert web_url("http://127.0.0.1:8123/v3", "123", "TimeActivity", "4") == \
        "http://127.0.0.1:8123/app/timeactivity?txnId=4&realmId=123"
    assert web_url("https://quickbooks.api.intuit.com/v3", "123", "Item", "5") is None   # no page of its own


def test_the_sync_pop_up_shows_what_finance_approves(console, browser, console_res):
    from qbo_sync.ops.approval_summary import build
    from qbo_sync.pipeline import stages

    entities = ["projects", "cost_codes", "employees", "vendors", "vendor_bills"]
    stages.run_import(console_res, entities, "new")
    stages.run_validate(console_res, entities)
    stages.run_map(console_res, entities)
    # The bills' vendors, projects and cost codes in QBO first: the bills alone can be pushed.
    stages.run_push(console_res, stages.run_preview(console_res, entities[:4]))
    stages.run_map(console_res, ["vendor_bills"])
    # What the pop-up must show, from the same records (every vendor bill selected).
    expected = build(console_res.db, stages.run_preview(console_res, ["vendor_bills"]), "")
    assert expected.amount > 1000 and expected.needs_action > 0

    page = _open(browser, console, WIDTHS[0], "/e/vendor_bills", user="ada")
    page.click("#select-all")
    page.click("#sync")
    summary = page.locator("#modal .approval-summary")
    expect(summary.locator('table.plan tr[data-entity="vendor_bills"] th')).to_have_text("Vendor bills")
    totals = summary.locator("table.project-totals")
    expect(totals.locator("tfoot td.amount")).to_have_text(f"{expected.amount:,.2f}")
    expect(totals.locator("th", has_text="Hours")).to_have_count(0)   # bills carry no hours
    top = max(expected.projects, key=lambda p: p.amount)
    expect(totals).to_contain_text(f"{top.name} ({top.source_id})")
    expect(summary.locator("h3", has_text="Needs Action")).to_have_text(
        f"Needs Action: {expected.needs_action} record{'' if expected.needs_action == 1 else 's'} will not be pushed until fixed")
    expect(summary.locator(".top-reasons li").first).to_contain_text(expected.top_reasons[0][0])
    expect(summary.locator('a[href="/e/vendor_bills?status=needs_action"]')).to_have_text("Vendor bills needing action")
    # The pop-up itself fits (the list behind it is the record tables' business).
    width = page.evaluate("(() => { const d = document.querySelector('#modal'); "
                          "return [d.scrollWidth, d.clientWidth]; })()")
    assert width[0] <= width[1], f"the pop-up scrolls sideways: {width}"
    page.screenshot(path=str(ARTIFACTS / "approval-form.png"))


def test_a_sync_that_meets_a_quickbooks_outage_says_so(prefect, console, signed_in, console_res, admin,
                                                      monkeypatch):
    from qbo_sync.pipeline import stages

    # The sync job's flow waits out an outage for qbo.outage_minutes (4 by default) before it
    # gives up: 15 s here, so that the test sees the end of it.
    monkeypatch.setenv("QBO_SYNC_QBO__OUTAGE_MINUTES", "0.25")

    stages.run_import(console_res, ["projects"], "new")
    stages.run_validate(console_res, ["projects"])
    stages.run_map(console_res, ["projects"])
    page = signed_in("ada")
    page.locator('#records tbody tr[data-source-id="P-00001"] .serial-btn').click()
    page.click("#sync")
    # P-00001 is a job the demo company already has: the preview links it (an update of it).
    expect(page.locator("#modal")).to_contain_text("1 to link to records QuickBooks already has")
    admin.settings(fault_rate=1.0, fault_seed=7)   # QuickBooks goes down between preview and confirm
    try:
        page.locator("#confirm-sync").click()
        flash = page.locator("#flash")
        expect(flash).to_contain_text("Sync to QBO: 1 projects: QuickBooks cannot be reached right now (",
                                      timeout=120_000)
        expect(flash).to_have_class("error")
        for raw in ("QuickbooksException", "<html", "Something went wrong", "Traceback"):
            expect(flash).not_to_contain_text(raw)
    finally:
        admin.settings(fault_rate=0.0, fault_seed=None)
    # Nothing lost: the record still waits for the next sync.
    expect(page.locator('#records tbody tr[data-source-id="P-00001"] .status')).to_have_text("Needs Sync")
