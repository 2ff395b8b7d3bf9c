"""The project's client box in Chromium: only customers that can be a client, type-ahead,
the suggested client preselected and linked with one click. Suggestions are not confirmed
automatically here (auto_confirm_customer off), as a cautious finance team runs it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from qbo_sync.db.models import QboRef, Record, RecordLink
from qbo_sync.pipeline import stages
from tests.console.conftest import open_console
from tests.console.test_console_finance_browser import row


@pytest.fixture
def console_res(make_resources, console_users):
    return make_resources(console={"users": console_users, "secret_key": "test-session-key"},
                          sync={"auto_confirm_customer": False})


def test_client_box_offers_clients_only_and_confirms_the_suggestion_in_one_click(console, console_res, browser,
                                                                                source):
    # A client named like a QBO job: the map stage does not suggest the job, which is no client.
    job_client = source.frame("projects")["project_id"].iloc[-1]
    source.edit("projects", "project_id", job_client, client_name="Pier 9 Renovation")
    stages.run_import(console_res, ["projects"], "new")
    stages.run_validate(console_res, ["projects"])
    stages.run_map(console_res, ["projects"])
    with console_res.db.session() as session:
        customers = list(session.scalars(select(QboRef).where(QboRef.entity == "Customer")))
        projects = {r.source_id: r for r in session.scalars(select(Record).where(Record.entity == "projects"))}
    assert not (projects[job_client].suggestions or {}).get("customer")
    suggested = next(r for r in projects.values() if (r.suggestions or {}).get("customer") and r.source_id != job_client)
    not_clients = {c.qbo_id for c in customers if c.parent_id or not c.active}
    clients = {c.qbo_id: c.fully_qualified_name or c.name for c in customers if c.qbo_id not in not_clients}
    assert not_clients, "the demo company has jobs and an inactive customer"

    context, page = open_console(browser, console)
    options = page.locator("datalist#choices-customer option")
    offered = {o.get_attribute("data-id"): o.get_attribute("value") for o in options.all()}
    assert offered == clients   # every client, by its full name, and nothing else

    box = row(page, suggested.source_id)
    name = suggested.suggestions["customer"]["name"]
    expect(box.locator("input.link-input")).to_have_value(name)
    expect(box.locator(".reason")).to_contain_text(f'confirm the suggested "{name}"')
    box.get_by_role("button", name="Confirm").click()
    expect(page.locator("#flash")).to_contain_text(f'to "{name}" for good')
    expect(row(page, suggested.source_id).locator(".linked")).to_have_text(f"Linked {name}")

    # The suggested job is not preselected: nothing a click could link by mistake.
    expect(row(page, job_client).locator("input.link-input")).to_have_value("")
    expect(row(page, job_client).locator("button.link-confirm")).to_have_text("Link")

    # A name typed that is not a client's is refused before anything is sent.
    other = page.locator("#records tbody tr:has(input.link-input)").first
    other.locator("input.link-input").fill("Cedar Ridge School District:Cedar Ridge Elementary Gym Addition")
    other.locator("button.link-confirm").click()
    expect(page.locator("#flash")).to_contain_text("Choose a name from the list")
    with console_res.db.session() as session:
        assert session.scalar(select(RecordLink).where(RecordLink.record_id == int(other.get_attribute("data-id")))) is None
    context.close()
