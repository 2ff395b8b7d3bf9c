"""`qbo-sync sync` at QBO's write ceiling: a full throttle window and not one 429.

The reference pull reads QBO outside the pacer just before the push; the push then fills
its window to the limit. Without room kept for those reads the window went past QBO's 500
and the run drew 429s (each one stalls every worker for most of a minute). Figures (the
share of the ceiling) are printed by bench/bench_push.py, not asserted here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qbo_sync.sources.schema import TABLES

CLI = str(Path(sys.executable).with_name("qbo-sync"))
TIME_SCALE = 5          # a QBO minute of 12 s: the whole push and the pull share one window
VENDORS = 1700          # more than a window holds: 40 batches of 30 + the singles


@pytest.fixture
def vendors_only(source):
    for table, columns in TABLES.items():
        rows = [",".join(columns)]
        if table == "vendors":
            rows += [f"V-{n:05d},Ceiling Vendor {n:05d},,,true,2026-01-01" for n in range(VENDORS)]
        (source.path / f"{table}.csv").write_text("\n".join(rows) + "\n")
    return source


@pytest.fixture
def throttled(admin):
    before = admin.settings()
    admin.settings(time_scale=TIME_SCALE, throttle_enabled=True)
    yield admin
    admin.settings(time_scale=before["time_scale"], throttle_enabled=before["throttle_enabled"])


def test_a_push_that_fills_its_window_after_the_reference_pull_draws_no_429(
        prefect, vendors_only, make_resources, config_for, throttled, realm):
    from prefect.settings import PREFECT_API_URL

    res = make_resources(push={"time_scale": TIME_SCALE})
    config = config_for(res)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    done = subprocess.run([CLI, "--config", config, "sync", "--all", "--yes"], capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]

    log = throttled.requests(realm, limit=5000)
    writes = [r for r in log if r["method"] == "POST" and not r["path"].endswith("/query")]
    assert {r["path"].rsplit("/", 1)[-1] for r in writes} == {"batch", "vendor"}   # both lanes used
    assert [r["status"] for r in log].count(429) == 0
    client = res.qbo.client()
    names = set()
    for start in (1, 1001):
        page = client.query(f"SELECT * FROM Vendor WHERE DisplayName LIKE 'Ceiling Vendor%' "
                            f"STARTPOSITION {start} MAXRESULTS 1000")["QueryResponse"].get("Vendor", [])
        names |= {v["DisplayName"] for v in page}
    assert names == {f"Ceiling Vendor {n:05d}" for n in range(VENDORS)}
