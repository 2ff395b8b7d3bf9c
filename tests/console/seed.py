"""Staged records written straight into the staging database, set-based, for list tests and
the benchmark: the list must not care how records got there."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from qbo_sync import statuses
from qbo_sync.db.models import Record

STATUS_CYCLE = (statuses.NEEDS_SYNC, statuses.NEEDS_ACTION, statuses.SYNCED, statuses.FAILED)


def insert_projects(db, count: int, chunk: int = 5000) -> None:
    now = datetime.now(timezone.utc)
    for start in range(0, count, chunk):
        rows = []
        for i in range(start, min(count, start + chunk)):
            status = STATUS_CYCLE[i % 4]
            name = f"Project {i:05d} {'Harbor' if i % 10 == 0 else 'Summit'} Works"
            rows.append({
                "entity": "projects", "source_id": f"P-{i:06d}", "name": name,
                "data": {"project_id": f"P-{i:06d}", "name": name, "number": f"2025-{i:05d}",
                         "client_name": "Harbor View Properties LLC", "status": "Active",
                         "start_date": "2025-01-01", "end_date": "2025-12-31"},
                "content_hash": f"{i:032x}", "status": status,
                "reasons": ([{"stage": "validate", "text": "End date is before start date"}]
                            if status == statuses.NEEDS_ACTION else
                            [{"stage": "push", "text": "QBO refused it"}] if status == statuses.FAILED else []),
                "qbo_id": str(i) if status == statuses.SYNCED else None,
                "qbo_objects": {}, "suggestions": {},
                "synced_at": now - timedelta(minutes=i) if status == statuses.SYNCED else None,
                "deleted_in_source": False, "created_at": now, "updated_at": now,
            })
        with db.engine.begin() as conn:
            conn.execute(insert(Record), rows)


def insert_timesheets(db, count: int, chunk: int = 5000) -> None:
    """`count` weekly entries of 40 employees on the projects insert_projects made (and those
    employees), so that the list shows names and sums hours at scale."""
    now = datetime.now(timezone.utc)
    people = [{"entity": "employees", "source_id": f"E-{i:05d}", "name": f"Employee {i:05d}",
               "data": {"employee_id": f"E-{i:05d}", "first_name": "Employee", "last_name": f"{i:05d}"},
               "content_hash": f"e{i:031x}", "status": statuses.SYNCED, "reasons": [], "qbo_id": str(i),
               "qbo_objects": {}, "suggestions": {}, "synced_at": now, "deleted_in_source": False,
               "created_at": now, "updated_at": now} for i in range(40)]
    with db.engine.begin() as conn:
        conn.execute(insert(Record), people)
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for start in range(0, count, chunk):
        rows = []
        for i in range(start, min(count, start + chunk)):
            status = STATUS_CYCLE[i % 4]
            data = {"entry_id": f"T-{i:06d}", "employee_id": f"E-{i % 40:05d}", "project_id": f"P-{i % 500:06d}",
                    "cost_code": "01-100", "week_ending": "2026-01-04",
                    **{day: ("8" if n < 5 else "0") for n, day in enumerate(days)}}
            rows.append({
                "entity": "timesheets", "source_id": data["entry_id"],
                "name": f"{data['employee_id']} · {data['project_id']} · 01-100 · week ending 2026-01-04",
                "data": data, "content_hash": f"t{i:031x}", "status": status,
                "reasons": ([{"stage": "validate", "text": "Wednesday: 25 hours is more than a day"}]
                            if status == statuses.NEEDS_ACTION else []),
                "qbo_id": None, "qbo_objects": {}, "suggestions": {}, "synced_at": None,
                "deleted_in_source": False, "created_at": now, "updated_at": now,
            })
        with db.engine.begin() as conn:
            conn.execute(insert(Record), rows)
