"""Two full runs of one company started at the same instant, as two real processes of the
installed CLI: both succeed, and QuickBooks holds each object once (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).with_name("qbo-sync"))


def _env() -> dict:
    """The session's Prefect server for both runs, as `make serve` gives a team one."""
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    return env


def test_two_full_runs_at_once_both_succeed_and_write_each_object_once(prefect, make_resources, config_for):
    res = make_resources()
    config = config_for(res)
    env = _env()
    runs = [subprocess.Popen([CLI, "--config", config, "sync", "--all", "--yes"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outcomes = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    for code, out, err in outcomes:
        assert code == 0 and "Traceback" not in err, err[-3000:]
        assert "# qbo-sync run report" in out

    status = json.loads(subprocess.run([CLI, "--config", config, "status", "--json"], capture_output=True,
                                       text=True, env=env, timeout=120).stdout)
    assert not [r for r in status if r["status"] == "Failed"]
    synced = [r for r in status if r["status"] == "Synced"]
    assert len(synced) > 100
    client = res.qbo.client()
    for entity, key in (("Customer", "DisplayName"), ("Vendor", "DisplayName"), ("Employee", "DisplayName")):
        found = client.query(f"SELECT * FROM {entity} MAXRESULTS 1000")["QueryResponse"].get(entity, [])
        twice = [name for name, n in Counter(o[key] for o in found).items() if n > 1]
        assert not twice, f"{entity} written twice: {twice}"
    activities = client.query("SELECT * FROM TimeActivity MAXRESULTS 1000")["QueryResponse"].get("TimeActivity", [])
    held = sum(len(r["qbo_ids"]) for r in status if r["entity"] == "timesheets" and r["status"] == "Synced")
    assert len(activities) == held


def test_two_first_imports_into_a_new_staging_database(staging_url, source, tmp_path):
    """The very first runs: both create the staging database's tables, then both import."""
    import yaml

    config = tmp_path / "import.yaml"
    config.write_text(yaml.safe_dump({"data_dir": str(tmp_path / "data"), "database_url": staging_url,
                                      "source": {"kind": "csv", "csv": {"path": str(source.path)}}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    runs = [subprocess.Popen([CLI, "--config", str(config), "import", "--all"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-3000:]
    status = json.loads(subprocess.run([CLI, "--config", str(config), "status", "--json"], capture_output=True,
                                       text=True, env=env, timeout=120).stdout)
    keys = [(r["entity"], r["source_id"]) for r in status]
    assert len(keys) == len(set(keys)) > 100
