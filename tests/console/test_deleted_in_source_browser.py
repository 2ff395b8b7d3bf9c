"""Issue 13 defect 11, in the console: a weekly entry gone from the source is not dropped from
view; under the timesheets table it is listed by name with what became of its TimeActivities.
(The CLI side, with a real sync and the sandbox: tests/e2e/test_timesheet_deletion_cli.py.)"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert

from qbo_sync import statuses
from qbo_sync.db.models import Record
from tests.console.conftest import ARTIFACTS

WEEK = {"entry_id": "T-9001", "employee_id": "E-00001", "project_id": "P-00001", "cost_code": "01-100",
        "week_ending": "2026-11-29", "mon": "8", "tue": "8", "wed": "8", "thu": "8", "fri": "7.75",
        "sat": "0", "sun": "0"}


def _staged(source_id: str, name: str, deleted: bool, objects: dict, employee_id: str = "E-00001") -> dict:
    now = datetime.now(timezone.utc)
    return {"entity": "timesheets", "source_id": source_id, "name": name,
            "data": {**WEEK, "entry_id": source_id, "employee_id": employee_id},
            "content_hash": source_id, "status": statuses.SYNCED, "reasons": [],
            "qbo_id": next(iter(objects.values()))["id"], "qbo_objects": objects, "suggestions": {},
            "synced_at": now, "deleted_in_source": deleted, "created_at": now, "updated_at": now}


def test_an_entry_deleted_in_the_source_stays_listed_with_its_hours_kept_in_quickbooks(console_res, signed_in):
    days = {day: {"id": str(100 + i), "sync_token": "0", "hash": day} for i, day in enumerate(
        ("mon", "tue", "wed", "thu", "fri"))}
    with console_res.db.engine.begin() as conn:
        conn.execute(insert(Record), [
            _staged("T-9001", "Maria Lopez · Harbor Lofts · week ending 2026-11-29", True,
                    {**days, "deleted_in_source": "kept"}),
            _staged("T-9002", "Sam Okafor · Harbor Lofts · week ending 2026-11-29", False, days, "E-00002")])
        # The table names the employee from the staged employee (names before ids).
        conn.execute(insert(Record), [
            {**_staged(employee_id, name, False, {"target": {"id": qbo_id, "sync_token": "0"}}),
             "entity": "employees", "data": {"employee_id": employee_id, "name": name}}
            for employee_id, name, qbo_id in (("E-00001", "Maria Lopez", "55"), ("E-00002", "Sam Okafor", "56"))])
    page = signed_in("vic")
    page.goto(page.url.split("/e/")[0] + "/e/timesheets")

    table = page.locator("table.records").first
    assert "Sam Okafor" in table.inner_text() and "Maria Lopez" not in table.inner_text()
    section = page.locator("section.deleted-in-source")
    assert section.is_visible()
    row = section.locator("tr", has_text="T-9001")
    assert "Maria Lopez" in row.inner_text()
    assert "kept in QBO by rule — 5 TimeActivities, 39.75 hours" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")   # nothing cut or scrolled
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timesheets-deleted-in-source.png"), full_page=True)
