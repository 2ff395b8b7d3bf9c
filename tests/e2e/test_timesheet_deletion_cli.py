"""Issue 13 defect 11: a weekly timesheet entry removed from the source after a full sync.

Through the installed CLI, as a payroll correction happens: full sync, the entry removed
from timesheets.csv, sync again. With `timesheets.delete_in_qbo_when_deleted_in_source` on,
its TimeActivities are deleted in the sandbox; off, they are kept and the run report lists
the entry with its hours. Either way the record stays visible in `status`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_timesheets_sync import qbo

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).with_name("qbo-sync"))


def _cli(config: str, *argv: str) -> subprocess.CompletedProcess:
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    done = subprocess.run([CLI, "--config", config, *argv], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


def _status(config: str, *argv: str) -> dict[str, dict]:
    rows = json.loads(_cli(config, "status", "--entity", "timesheets", "--json", *argv).stdout)
    return {r["source_id"]: r for r in rows}


@pytest.mark.parametrize("rule", [True, False], ids=["rule-on", "rule-off"])
def test_a_removed_weekly_entry_is_deleted_or_kept_and_stays_visible(prefect, make_resources, config_for,
                                                                     source, tmp_path, rule):
    res = make_resources()
    config = config_for(res)
    (tmp_path / "mappings.yaml").write_text(
        f"timesheets:\n  delete_in_qbo_when_deleted_in_source: {'true' if rule else 'false'}\n")
    _cli(config, "sync", "--all", "--yes")

    before = _status(config)
    # The week with the most days in QuickBooks: every one of its TimeActivities must be dealt with.
    entry = max((r for r in before.values() if r["status"] == "Synced"), key=lambda r: len(r["qbo_ids"]))
    ids = sorted(entry["qbo_ids"].values())
    assert len(ids) >= 4 and all(qbo(res, "TimeActivity", i) for i in ids)
    week = source.frame("timesheets")
    row = week[week["entry_id"] == entry["source_id"]].iloc[0]
    hours = sum(float(row[day] or 0) for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    source.save("timesheets", week[week["entry_id"] != entry["source_id"]])

    report = _cli(config, "sync", "--all", "--yes").stdout
    assert "1 no longer in the source" in report

    after = _status(config)[entry["source_id"]]       # still listed, with what became of its objects
    gone = after["deleted_in_source"]
    assert after["status"] == "Deleted in source"
    assert (gone["objects"], gone["hours"]) == (len(ids), pytest.approx(hours, abs=0.01))
    assert sorted(gone["qbo_ids"]) == ids
    assert list(_status(config, "--status", "Deleted in source")) == [entry["source_id"]]
    section = report.split("## Deleted in the source", 1)[1].split("\n## ", 1)[0]
    line = next(x for x in section.splitlines() if entry["source_id"] in x)
    cells = [c.strip() for c in line.strip("|").split("|")]   # the report's objects and hours columns
    assert (cells[-3], cells[-2]) == (str(len(ids)), f"{hours:,.2f}")
    if rule:
        assert not [i for i in ids if qbo(res, "TimeActivity", i)], "its TimeActivities are gone from QBO"
        assert gone["what"].startswith("deleted in the source; deleted in QBO on ") and not gone["in_qbo"]
        assert "deleted in QBO" in line
    else:
        assert all(qbo(res, "TimeActivity", i) for i in ids), "kept in QBO by rule"
        assert gone["what"] == "deleted in the source; kept in QBO by rule" and gone["in_qbo"]
        assert "kept in QBO by rule" in line
