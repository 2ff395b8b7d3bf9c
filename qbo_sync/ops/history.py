"""`qbo-sync log`: past runs, newest first, from the staging database's runs table.

Every sync and retry flow run records a row there when it ends (its report task), with
its outcome ("pushed", "not pushed", "failed records", "rejected", ...) and its report.
Reading them needs no Prefect server, so the log answers where the sync ran, at once,
and lists runs whatever Prefect server (or temporary one) ran them.
"""

from __future__ import annotations

from qbo_sync.db.reading import json_value, reader_of, when


def counts(report: dict) -> str:
    pushed = report.get("pushed") or []
    created = sum(p.get("created", 0) for p in pushed)
    updated = sum(p.get("updated", 0) for p in pushed)
    failed = sum(c.get("Failed", 0) for c in (report.get("counts") or {}).values())
    action = sum(c.get("Needs Action", 0) for c in (report.get("counts") or {}).values())
    return f"{created} created, {updated} updated, {failed} failed, {action} need action"


def _took(started, finished) -> str:
    if not (started and finished):
        return ""
    seconds = max(0, round((finished - started).total_seconds()))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def run_log(db, limit: int = 20) -> list[dict]:
    """The latest runs: number, start, duration, kind, outcome, counts and Prefect flow-run id."""
    rows = reader_of(db).rows("SELECT id, flow_run_id, kind, started_at, finished_at, outcome, report "
                              "FROM runs ORDER BY id DESC LIMIT :limit", limit=max(1, int(limit)))
    log = []
    for row in rows:
        started, finished = when(row["started_at"]), when(row["finished_at"])
        log.append({
            "run": row["id"], "flow_run_id": row["flow_run_id"] or "", "kind": row["kind"],
            "started": started.strftime("%Y-%m-%d %H:%M") if started else "",
            "started_at": started.isoformat() if started else None,
            "finished_at": finished.isoformat() if finished else None,
            "duration": _took(started, finished), "outcome": row["outcome"],
            "counts": counts(json_value(row["report"]) or {}),
        })
    return log
