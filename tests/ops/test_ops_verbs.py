"""The operations verbs a user types: `qbo-sync log` (Prefect's flow-run history with outcome
counts), `qbo-sync schedule` (show, and --apply on the server), and the deployments `serve`
builds from settings."""

from __future__ import annotations

import asyncio

import pytest
import yaml

from qbo_sync.flows.sync import sync
from qbo_sync.cli import main
from qbo_sync.ops.deployments import build_deployments
from qbo_sync.settings import load_settings

pytestmark = pytest.mark.slow


def _run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("staging_url", ["sqlite"], indirect=True)
def test_log_lists_the_run_with_its_outcome_counts(prefect, make_resources, config_for, capsys):
    res = make_resources()
    config = config_for(res)
    report = sync(entities=["projects"], mode="all", approval="no", config=config)
    capsys.readouterr()

    code, out, err = _run_cli(capsys, "--config", config, "log", "--json", "--limit", "50")
    assert code == 0, err
    import json

    mine = next(r for r in json.loads(out) if r["flow_run_id"] == report["flow_run_id"])
    needs_action = report["counts"]["projects"]["Needs Action"]
    assert needs_action > 0
    assert (mine["flow"], mine["state"], mine["outcome"]) == ("qbo-sync", "Completed", "not approved")
    assert mine["counts"] == f"0 created, 0 updated, 0 failed, {needs_action} need action"

    code, out, _ = _run_cli(capsys, "--config", config, "log", "--limit", "50")
    assert code == 0 and report["flow_run_id"] in out and "not approved" in out


def _settings_file(tmp_path, **values) -> str:
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({"data_dir": str(tmp_path / "data"), **values}))
    return str(path)


def test_schedule_prints_the_cron_of_the_setting(tmp_path, capsys):
    config = _settings_file(tmp_path, schedule={"every": "weekly", "at": "03:30", "weekday": "fri",
                                                 "timezone": "Europe/Paris", "approve": "no-deletes"})
    code, out, err = _run_cli(capsys, "--config", config, "schedule")
    assert code == 0, err
    assert out.strip() == "weekly → cron '30 3 * * 5' in Europe/Paris; nightly approval: no-deletes"


def _schedules(name: str) -> list[tuple[str, str, bool]]:
    from prefect.client.orchestration import get_client

    async def read():
        async with get_client() as client:
            deployment = await client.read_deployment_by_name(name)
            return [(s.schedule.cron, s.schedule.timezone, s.active)
                    for s in await client.read_deployment_schedules(deployment.id)]

    return asyncio.run(read())


def test_schedule_apply_replaces_the_nightly_schedule_on_the_server(prefect, tmp_path, capsys):
    companies = {"north": {"realm_id": "1001", "schedule": {"at": "01:15"}},
                 "south": {"realm_id": "1002", "schedule": {"every": "cron", "cron": "0 22 * * 1-5",
                                                             "timezone": "America/Chicago"}}}
    config = _settings_file(tmp_path, companies=companies)
    code, _, err = _run_cli(capsys, "--config", config, "schedule", "--apply")
    assert code == 1 and "qbo-sync/nightly-north is not on the Prefect server" in err

    # What `make serve` registers: the nightly deployments, on the old schedule (02:00 UTC).
    for deployment in build_deployments(load_settings(config), config):
        if deployment.name.startswith("nightly-"):
            deployment.schedules[0].schedule.cron = "0 2 * * *"
            deployment.apply()
    assert _schedules("qbo-sync/nightly-north") == [("0 2 * * *", "UTC", True)]

    code, out, err = _run_cli(capsys, "--config", config, "schedule", "--apply")
    assert code == 0, err
    assert out.splitlines() == ["Schedule set: qbo-sync/nightly-north: 15 1 * * * (UTC)",
                                "Schedule set: qbo-sync/nightly-south: 0 22 * * 1-5 (America/Chicago)"]
    assert _schedules("qbo-sync/nightly-north") == [("15 1 * * *", "UTC", True)]
    assert _schedules("qbo-sync/nightly-south") == [("0 22 * * 1-5", "America/Chicago", True)]


def test_schedule_apply_without_a_server_says_so(tmp_path, capsys, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    config = _settings_file(tmp_path)
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        code, _, err = _run_cli(capsys, "--config", config, "schedule", "--apply")
    assert code == 1
    assert "the Prefect server at http://127.0.0.1:9/api is not reachable" in err


def test_serve_builds_every_deployment_from_settings(tmp_path):
    config = _settings_file(tmp_path, qbo={"client_secret": "s3cret-never-in-a-file"},
                            schedule={"every": "daily", "at": "04:45", "timezone": "Europe/Paris"},
                            companies={"north": {"realm_id": "1001"},
                                       "south": {"realm_id": "1002", "schedule": {"at": "05:00"}}})
    deployments = {d.name: d for d in build_deployments(load_settings(config), config)}

    assert sorted(deployments) == sorted(f"{kind}-{company}" for kind in ("nightly", "on-demand", "retry-failed", "pull")
                                         for company in ("north", "south"))
    north, south = deployments["nightly-north"], deployments["nightly-south"]
    assert (north.schedules[0].schedule.cron, north.schedules[0].schedule.timezone) == ("45 4 * * *", "Europe/Paris")
    assert south.schedules[0].schedule.cron == "0 5 * * *"
    assert north.parameters["approval"] == "schedule" and north.parameters["scheduled"] is True
    assert deployments["on-demand-south"].parameters["approval"] == "ui"
    assert not deployments["on-demand-south"].schedules
    # Each company's runs read its own settings file: its realm, and no secret written to disk.
    north_config = yaml.safe_load(open(north.parameters["config"]))
    assert north_config["qbo"]["realm_id"] == "1001"
    assert yaml.safe_load(open(south.parameters["config"]))["qbo"]["realm_id"] == "1002"
    assert "s3cret-never-in-a-file" not in open(north.parameters["config"]).read()
    assert deployments["retry-failed-north"].parameters == {"config": north.parameters["config"]}
