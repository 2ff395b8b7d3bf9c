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
