"""Project mode meets what the QuickBooks company already has: sub-customers named like the
projects (the demo company has two), names taken by other customers, and an app whose
Intuit partner tier (or connection) is refused the GraphQL Projects API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from qbo_sync.pipeline import stages
from tests.e2e.test_projects_sync import by_id, sync_once

QBO_SYNC = os.path.join(os.path.dirname(sys.executable), "qbo-sync")


@pytest.fixture
def cli(prefect, tmp_path):
    """The installed qbo-sync, its flow runs on the session's Prefect server (no server start per run)."""
    from prefect.settings import PREFECT_API_URL

    base = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    base.update(PREFECT_API_URL=PREFECT_API_URL.value(), PREFECT_HOME=str(tmp_path / "prefect-home"),
                PREFECT_LOGGING_LEVEL="INFO")   # the preview table is printed to the run log, as a user sees it

    def run(*argv, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([QBO_SYNC, *argv], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              env={**base, **(env or {})})

    return run


def test_project_mode_demo_links_the_existing_sub_customers_and_fails_nothing(cli):
    done = cli("demo", env={"QBO_SYNC_SYNC__PROJECT_MODE": "project"})
    assert done.returncode == 0, done.stderr[-3000:]
    # The preview says what will happen to the two projects the company already has as sub-customers
    # (the preview table is the run's log; the terminal cuts the sentence, docs/entities.md has it whole).
    printed = done.stdout + done.stderr
    # Columns are as wide as their longest value (an entity name such as purchase_orders).
    assert re.search(r"update +projects +P-00001 +Pier 9 Renovation", printed)
    assert 'Links the existing sub-customer "Pier 9 Renovation"' in printed
    assert "Id=" not in printed

    status = cli("status", "--json")
    rows = {(r["entity"], r["source_id"]): r for r in json.loads(status.stdout)}
    assert not [r for r in rows.values() if r["status"] == "Failed"]
    pier = rows[("projects", "P-00001")]
    assert pier["status"] == "Synced"
    # Its time is in QuickBooks, charged to the sub-customer, instead of waiting on a Failed project.
    pier_time = [r for (entity, _), r in rows.items() if entity == "timesheets" and "P-00001" in r["name"]]
    assert pier_time and all(r["status"] in ("Synced", "Needs Action") for r in pier_time)
    assert any(r["status"] == "Synced" for r in pier_time)
    assert not [r for r in pier_time if any("P-00001" in text for text in r["reasons"])]


def test_a_duplicate_name_refusal_names_the_clashing_object_and_its_type(make_resources, source):
    res = make_resources(sync={"project_mode": "project"})
    # P-00006's client is Northgate Medical Group; these names belong to other QBO objects.
    source.edit("projects", "project_id", "P-00006", name="Cedar Ridge School District")   # a customer
    source.edit("projects", "project_id", "P-00007", name="Pier 9 Renovation")   # a sub-customer of another client
    sync_once(res)
    rows = by_id(res)
    assert rows["P-00006"]["status"] == "Failed" and rows["P-00007"]["status"] == "Failed"
    assert rows["P-00006"]["reasons"][0].startswith(
        'QuickBooks already has a customer named "Cedar Ridge School District", and names must be unique')
    assert rows["P-00007"]["reasons"][0].startswith(
        'QuickBooks already has a sub-customer named "Pier 9 Renovation" of Harbor View Properties LLC')
    assert not [r for r in rows.values() for text in r["reasons"] if "Id=" in text]


@pytest.mark.parametrize("refused_by", ["tier", "scope"])
def test_projects_api_refused_stops_before_any_write_and_offers_sub_customer_mode(
        make_resources, config_for, admin, cli, refused_by):
    realm = admin.create_realm(projects_enabled=True, seed=True, projects_api=refused_by)
    res = make_resources(realm_id=realm, sync={"project_mode": "project"})
    config = config_for(res)
    writes = admin.counts(realm)["writes"]

    done = cli("--config", config, "sync", "--all", "--yes")
    assert done.returncode == 1, done.stdout[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-6000:]
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("qbo-sync: sync.project_mode is \"project\", but QuickBooks does not let this app "
                           "use its Projects API")
    assert 'Set sync.project_mode to "sub-customer"' in line and "Nothing was pushed" in line
    assert admin.counts(realm)["writes"] == writes, "nothing was written to QuickBooks"

    # The same company in sub-customer mode syncs.
    res_sub = make_resources(realm_id=realm, sync={"project_mode": "sub-customer"})
    sync_once(res_sub)
    assert by_id(res_sub)["P-00003"]["status"] == "Synced"


def test_projects_api_allowed_passes_the_check_without_a_write(make_resources, admin, realm):
    res = make_resources(sync={"project_mode": "project"})
    writes = admin.counts(realm)["writes"]
    stages.run_import(res, ["projects"], "all")
    stages.run_validate(res, ["projects"])
    stages.run_map(res, ["projects"])
    assert admin.counts(realm)["writes"] == writes
