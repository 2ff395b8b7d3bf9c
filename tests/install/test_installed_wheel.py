"""The product as a user installs it: the wheel, pip-installed with constraints.txt into a
new virtualenv, run from folders that have nothing of the checkout in them."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts.installed_venv import installed_venv

pytestmark = pytest.mark.slow

READ_ONLY = [("status", "--json"), ("history", "projects/P-00001"), ("payload", "projects/P-00001"),
             ("report",), ("log",), ("mapping", "show")]
HEAVY = {"prefect", "great_expectations", "pandas",
         "sqlalchemy"}   # not imported by the read-only verbs: 0.5-2 s on a 2-core machine


@pytest.fixture(scope="module")
def venv() -> Path:
    return installed_venv(log=lambda _text: None)


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QBO_SYNC_", "PREFECT_", "VIRTUAL_ENV")) and k != "PYTHONPATH"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               # The temporary Prefect server may start slowly on a loaded 2-core machine.
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180", **extra)
    return env


def _run(venv: Path, *argv, cwd: Path, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "qbo-sync"), *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_the_wheel_carries_what_the_product_needs(venv, tmp_path):
    outside = {"cwd": tmp_path, "env": _env(tmp_path)}   # not the checkout: `import qbo_sync` is the installed one
    package = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import qbo_sync; print(qbo_sync.__file__)"],
                                  capture_output=True, text=True, check=True, **outside).stdout.strip()).parent
    assert "site-packages" in package.parts
    assert {p.stem for p in (package / "validations").glob("*.json")} >= {
        "projects", "cost_codes", "employees", "vendors", "timesheets", "vendor_bills", "vendor_bill_lines"}
    assert {p.name for p in (package / "defaults").iterdir()} >= {"settings.yaml", "mappings.yaml", "prefect.yaml"}
    assert (package / "console" / "templates" / "base.html").is_file()
    assert (package / "console" / "static" / "console.css").is_file()
    assert (package / "ops" / "data_docs.css").is_file()
    assert list((package / "db" / "migrations" / "versions").glob("0001_*.py"))
    # prefect.yaml's deployments load their flows from the installed package.
    deployments = yaml.safe_load((package / "defaults" / "prefect.yaml").read_text())["deployments"]
    loaded = subprocess.run([str(venv / "bin" / "python"), "-c",
                             "import sys; from prefect.flows import load_flow_from_entrypoint as load; "
                             "print(' '.join(load(e).name for e in sys.argv[1:]))",
                             *[d["entrypoint"] for d in deployments]], capture_output=True, text=True, timeout=300,
                            **outside)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert set(loaded.stdout.split()) == {"qbo-sync", "qbo-sync-retry", "qbo-sync-pull"}


def test_demo_from_an_empty_folder_syncs_and_the_read_verbs_stay_light(venv, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    env = _env(tmp_path)
    demo = _run(venv, "demo", cwd=empty, env=env)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "Traceback" not in demo.stderr

    status = _run(venv, "status", "--json", cwd=empty, env=env)
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)
    synced = [r for r in rows if r["status"] == "Synced"]
    assert len(synced) > len(rows) // 2 and all(r["qbo_id"] or r["qbo_ids"] for r in synced)
    assert {r["source_id"] for r in rows if r["status"] == "Needs Action"} >= {"P-00009", "P-00011"}
    assert sorted(p.name for p in empty.iterdir()) == [".qbo-sync"]   # everything in the data folder

    # The read-only verbs import none of the heavy packages (python -X importtime lists every import).
    for argv in READ_ONLY:
        done = subprocess.run([str(venv / "bin" / "python"), "-X", "importtime", "-m", "qbo_sync.cli", *argv],
                              cwd=empty, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (argv, done.stderr[-2000:])
        imported = {m.group(1).split(".")[0] for m in re.finditer(r"^import time:.*\|\s*([\w.]+)$", done.stderr, re.M)}
        assert imported and not imported & HEAVY, (argv, imported & HEAVY)


def test_a_config_folder_from_init_works_from_any_folder(venv, tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir(), elsewhere.mkdir()
    env = _env(tmp_path)
    init = _run(venv, "init", "acme", cwd=home, env=env)
    assert init.returncode == 0, init.stderr
    config = home / "acme" / "settings.yaml"
    tuned = home / "acme" / "validations" / "projects.json"
    suite = json.loads(tuned.read_text())
    status_check = next(e for e in suite["expectations"] if e["type"] == "expect_column_values_to_be_in_set")
    status_check["kwargs"]["value_set"].append("Pending")   # the data engineer accepts P-00009's status
    tuned.write_text(json.dumps(suite))

    env["QBO_SYNC_CONFIG"] = str(config)
    sync = _run(venv, "sync", "--all", "--yes", cwd=elsewhere, env=env)
    assert sync.returncode == 0, sync.stdout[-3000:] + sync.stderr[-3000:]
    assert list(elsewhere.iterdir()) == []                     # state stays in the config folder
    assert (home / "acme" / "data" / "staging.db").is_file()
    assert list((home / "acme" / "data" / "reports").glob("run-*.html"))
    rows = {r["source_id"]: r for r in json.loads(_run(venv, "status", "--json", "--entity", "projects",
                                                       cwd=elsewhere, env=env).stdout)}
    assert "Pending" not in " ".join(rows["P-00009"]["reasons"])   # the tuned suite was the one used
    assert rows["P-00011"]["status"] == "Needs Action"             # the shipped checks still hold
