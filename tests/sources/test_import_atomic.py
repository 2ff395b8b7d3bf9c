"""A source that cannot be read changes nothing already staged (README's promise): every table
is read and checked before any is staged, through the installed `qbo-sync import`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from qbo_sync.sources.demo import DemoSource

CLI = str(Path(sys.executable).with_name("qbo-sync"))


def _config(tmp_path: Path, source: dict, staging_url: str) -> str:
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({"data_dir": str(tmp_path / "data"), "database_url": staging_url,
                                    "source": source}))
    return str(path)


def _cli(config: str, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    return subprocess.run([CLI, "--config", config, *argv], capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture(params=["sqlite", "postgresql"])
def staging(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'staging.db'}"
        return
    from tests.fixtures import POSTGRES_URL, postgres_schema

    if not POSTGRES_URL:
        pytest.skip("QBO_SYNC_TEST_POSTGRES_URL is not set")
    with postgres_schema("inputs_atomic") as url:
        yield url


def test_missing_file_stages_nothing_and_says_which_in_one_line(tmp_path, staging):
    folder = tmp_path / "export"
    DemoSource().write_csv(folder)
    (folder / "cost_codes.csv").unlink()
    config = _config(tmp_path, {"kind": "csv", "csv": {"path": str(folder)}}, staging)
    done = _cli(config, "import", "--all")
    assert done.returncode == 1
    assert done.stderr.strip() == f"qbo-sync: cost_codes.csv: file not found in {folder}"
    status = _cli(config, "status", "--json")
    assert status.returncode == 0 and json.loads(status.stdout) == [], "nothing staged, projects neither"


def test_edits_are_not_half_taken_in_when_a_later_table_fails(tmp_path, staging):
    folder = tmp_path / "export"
    DemoSource().write_csv(folder)
    config = _config(tmp_path, {"kind": "csv", "csv": {"path": str(folder)}}, staging)
    assert _cli(config, "import", "--all").returncode == 0
    before = _cli(config, "status", "--json").stdout
    projects = (folder / "projects.csv").read_text()
    assert "Pier 9 Renovation" in projects
    (folder / "projects.csv").write_text(projects.replace("Pier 9 Renovation", "Pier 9 Renovation II"))
    (folder / "vendor_bills.csv").write_text("bill_id,vendor_id\nB-1,V-1\n")   # required columns missing
    done = _cli(config, "import", "--all")
    assert done.returncode == 1 and "vendor_bills.csv: missing required columns" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert _cli(config, "status", "--json").stdout == before


def test_missing_sql_table_stages_nothing(tmp_path):
    staging = f"sqlite:///{tmp_path / 'staging.db'}"
    import sqlalchemy as sa

    from tests.sources.stores import load_sql, sql_mapping

    company = {t: f for t, f in ((t, DemoSource().read(t)) for t in
                                  ("projects", "cost_codes", "employees", "vendors", "timesheets",
                                   "purchase_orders", "purchase_order_lines", "vendor_bills"))}
    path = tmp_path / "pm.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    load_sql(engine, company)
    engine.dispose()
    tables, columns = sql_mapping(company)
    config = _config(tmp_path, {"kind": "sql", "sql": {"url": f"sqlite:///{path}", "tables": tables,
                                                       "columns": columns}}, staging)
    done = _cli(config, "import", "--all")
    assert done.returncode == 1 and 'table "PmVendorBillLines" not found' in done.stderr
    assert json.loads(_cli(config, "status", "--json").stdout) == []
