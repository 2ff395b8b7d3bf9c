"""Configuration errors end in one line naming the file, the key or the environment variable,
before any run starts: never a traceback. The read-only verbs need no QuickBooks secret."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from qbo_sync.validation.suites import SHIPPED_SUITES

REMOTE = {"kind": "remote", "discovery_url": "http://127.0.0.1:9/discovery", "api_url_v3": "http://127.0.0.1:9/v3",
          "realm_id": "123", "client_id": "app"}


def cli(tmp_path, *argv, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "qbo_sync.cli", *argv], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env=environment)


def settings_file(tmp_path, **values) -> str:
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({"data_dir": "data", **values}))
    return str(path)


def one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_bad_settings_key_names_the_file_and_the_key(tmp_path):
    config = settings_file(tmp_path, sync={"project_mode": "sideways", "auto_confirm_customr": True})
    line = one_line(cli(tmp_path, "--config", config, "sync", "--yes"))
    assert config in line and "sync.project_mode" in line and "QBO_SYNC_SYNC__PROJECT_MODE" in line
    assert "sync.auto_confirm_customr: unknown setting" in line


def test_a_bad_environment_value_names_the_variable(tmp_path):
    line = one_line(cli(tmp_path, "--config", settings_file(tmp_path), "sync", "--yes",
                        env={"QBO_SYNC_PUSH__BATCH_SIZE": "many"}))
    assert "QBO_SYNC_PUSH__BATCH_SIZE" in line


def test_not_valid_yaml_names_the_file(tmp_path):
    path = tmp_path / "settings.yaml"
    path.write_text("sync: [unclosed\n")
    line = one_line(cli(tmp_path, "--config", str(path), "sync"))
    assert str(path) in line and "not valid YAML" in line


def test_a_missing_suite_in_the_tuned_folder_names_the_file(tmp_path):
    tuned = tmp_path / "tuned"
    shutil.copytree(SHIPPED_SUITES, tuned)
    (tuned / "projects.json").unlink()
    line = one_line(cli(tmp_path, "--config", settings_file(tmp_path, validations_dir="tuned"), "sync", "--yes"))
    assert "No validation suite 'projects'" in line and str(tuned / "projects.json") in line


def test_a_tuned_folder_that_does_not_exist_names_the_setting(tmp_path):
    line = one_line(cli(tmp_path, "--config", settings_file(tmp_path, validations_dir="nowhere"), "demo"))
    assert str(tmp_path / "nowhere") in line and "validations_dir" in line


def test_a_broken_suite_names_the_file(tmp_path):
    tuned = tmp_path / "tuned"
    shutil.copytree(SHIPPED_SUITES, tuned)
    (tuned / "vendors.json").write_text("{not json")
    line = one_line(cli(tmp_path, "--config", settings_file(tmp_path, validations_dir="tuned"), "sync", "--yes"))
    assert str(tuned / "vendors.json") in line and "not valid JSON" in line


def test_a_bad_mappings_key_names_the_file_and_key(tmp_path):
    (tmp_path / "mappings.yaml").write_text("cost_codes: {default_target: shelf}\n")
    config = settings_file(tmp_path)
    for argv in (("sync", "--yes"), ("mapping", "show")):
        line = one_line(cli(tmp_path, "--config", config, *argv))
        assert str(tmp_path / "mappings.yaml") in line and "cost_codes.default_target" in line


def test_a_missing_csv_folder_names_the_setting(tmp_path):
    config = settings_file(tmp_path, source={"kind": "csv", "csv": {"path": "export"}})
    line = one_line(cli(tmp_path, "--config", config, "sync", "--yes"))
    assert "source.csv.path" in line and str(tmp_path / "export") in line


def test_the_missing_client_secret_names_the_variable_to_set(tmp_path):
    config = settings_file(tmp_path, qbo=REMOTE)
    for argv in (("sync", "--all", "--yes"), ("retry", "--failed"), ("pull",)):
        line = one_line(cli(tmp_path, "--config", config, *argv))
        assert "QBO_SYNC_QBO__CLIENT_SECRET" in line, argv


def test_a_bad_token_key_names_the_variable(tmp_path):
    line = one_line(cli(tmp_path, "--config", settings_file(tmp_path, qbo=REMOTE), "sync", "--yes",
                        env={"QBO_SYNC_QBO__CLIENT_SECRET": "s3cret", "QBO_SYNC_TOKEN_KEY": "not-a-key"}))
    assert "QBO_SYNC_TOKEN_KEY" in line and "s3cret" not in line


@pytest.mark.parametrize("argv", [("status",), ("log",), ("report",), ("mapping", "show")])
def test_read_only_verbs_need_no_client_secret(tmp_path, argv):
    done = cli(tmp_path, "--config", settings_file(tmp_path, qbo=REMOTE), *argv)
    assert "CLIENT_SECRET" not in done.stderr and "Traceback" not in done.stderr
    # An empty staging database: nothing to list, or "no run report yet" for report.
    assert done.returncode == (1 if argv == ("report",) else 0), done.stderr
