"""Two `qbo-sync sync` runs started together on a new PREFECT_HOME, without PREFECT_API_URL:
both use Prefect's temporary server, and both finish (they used to race its database
migrations: `no such index: ix_flow_run__scheduler_...`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from qbo_sync.resources import Resources
from qbo_sync.settings import load_settings

pytestmark = pytest.mark.slow


def _second_company(config: str, tmp_path, admin) -> str:
    """The same settings for another realm, staging database and data folder."""
    values = yaml.safe_load(open(config))
    values["qbo"]["realm_id"] = admin.create_realm(projects_enabled=True, seed=True)
    values["data_dir"] = str(tmp_path / "data-b")
    values["database_url"] = f"sqlite:///{tmp_path / 'staging-b.db'}"
    path = tmp_path / "settings-b.yaml"
    path.write_text(yaml.safe_dump(values))
    res = Resources(load_settings(path))
    res.qbo.connect_headless()
    res.close()
    return str(path)


@pytest.mark.parametrize("staging_url", ["sqlite"], indirect=True)
def test_two_first_runs_on_a_new_prefect_home_both_sync(res, config_for, admin, tmp_path):
    configs = [config_for(res), _second_company(config_for(res), tmp_path, admin)]
    home = tmp_path / "new-prefect-home"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    runs = [subprocess.Popen([sys.executable, "-m", "qbo_sync.cli", "--config", config, "sync", "--all", "--yes",
                              "--entity", "projects"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for config in configs]
    try:
        outputs = [run.communicate(timeout=400) for run in runs]
    finally:
        for run in runs:
            run.kill()
    for run, (out, err) in zip(runs, outputs):
        assert "no such index" not in err and "Timed out while attempting to connect" not in err, err[-3000:]
        assert run.returncode == 0, err[-3000:]
        assert "| Projects | 7 | 0 | 2 | 0 | 0 |" in out, out[-3000:]   # created, updated, linked, deleted, failed
    assert (home / "prefect.db").exists(), "the temporary server kept its database in the new PREFECT_HOME"
