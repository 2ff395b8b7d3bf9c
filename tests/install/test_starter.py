"""`qbo-sync init [DIR]`: a starter configuration folder that works from any working directory."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml
from pydantic import BaseModel

from qbo_sync.settings import Settings, load_settings
from qbo_sync.validation.suites import SHIPPED_SUITES

TEMPLATE = Path(__file__).resolve().parents[2] / "qbo_sync" / "defaults" / "settings.yaml"


def cli(*argv, cwd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qbo_sync.cli", *argv], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)


def _keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every setting as a dotted key; a model-valued field is a section, anything else a key."""
    keys = set()
    for name, field in model.model_fields.items():
        inner = field.annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            keys |= _keys(inner, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def _flatten(node: dict, prefix: str = "") -> set[str]:
    keys = set()
    for name, value in node.items():
        if isinstance(value, dict) and value and prefix + name not in {"sync.rules", "companies",
                                                                        "source.sql.tables", "source.sql.columns"}:
            keys |= _flatten(value, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def test_the_starter_settings_list_every_setting_with_a_comment():
    text = TEMPLATE.read_text(encoding="utf-8")
    # "# key: value" lines are examples to uncomment (secrets, optional folders): they count.
    uncommented = re.sub(r"^( {0,6})# (\w+:)", r"\1\2", text, flags=re.MULTILINE)
    listed = _flatten(yaml.safe_load(uncommented))
    assert listed == _keys(Settings)
    for line in uncommented.splitlines():
        if re.match(r"^\s*\w+:\s*[^#\s]", line):   # a key with a value
            assert "#" in line, f"no comment on: {line}"


def test_init_writes_a_folder_that_works_from_any_directory(tmp_path):
    done = cli("init", "acme", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "acme"
    assert sorted(p.name for p in folder.iterdir()) == ["mappings.yaml", "prefect.yaml", "settings.yaml",
                                                        "validations"]
    assert sorted(p.name for p in (folder / "validations").iterdir()) == sorted(
        p.name for p in SHIPPED_SUITES.glob("*.json"))
    # It says where it wrote and what to do next, with the variable that makes it work anywhere.
    assert str(folder) in done.stdout
    assert f"export QBO_SYNC_CONFIG={folder / 'settings.yaml'}" in done.stdout
    assert "QBO_SYNC_QBO__CLIENT_SECRET" in done.stdout and "qbo-sync connect" in done.stdout

    # From another working directory, its relative folders are the folder's own.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings = load_settings(folder / "settings.yaml")
    assert settings.data_dir == folder / "data"
    assert settings.validations_dir == folder / "validations"
    assert settings.reports_dir == folder / "data" / "reports"
    assert settings.source.kind == "demo" and settings.qbo.kind == "sandbox"
    shown = cli("--config", str(folder / "settings.yaml"), "mapping", "show", "--json", cwd=elsewhere)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["cost_codes"]["by_type"]["Labor"] == "item"


def test_init_keeps_an_existing_configuration_unless_forced(tmp_path):
    assert cli("init", cwd=tmp_path).returncode == 0        # ./config, where qbo-sync looks
    settings = tmp_path / "config" / "settings.yaml"
    settings.write_text("sync: {project_mode: customer}\n")
    again = cli("init", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and "--force" in again.stderr and str(settings) in again.stderr
    assert settings.read_text() == "sync: {project_mode: customer}\n"
    assert cli("init", "--force", cwd=tmp_path).returncode == 0
    assert "project_mode: sub-customer" in settings.read_text()


def test_a_tuned_suite_from_the_init_folder_is_the_one_used(tmp_path):
    folder = tmp_path / "cfg"
    assert cli("init", str(folder), cwd=tmp_path).returncode == 0
    from qbo_sync.validation.suites import read_suite_json

    tuned = folder / "validations" / "projects.json"
    suite = json.loads(tuned.read_text())
    suite["meta"]["tuned_by"] = "a data engineer"
    tuned.write_text(json.dumps(suite))
    settings = load_settings(folder / "settings.yaml")
    assert read_suite_json("projects", settings.validations_dir)["meta"]["tuned_by"] == "a data engineer"
    # Without a tuned folder the shipped suites are used, whatever the working directory.
    assert load_settings(None).validations_dir is None
    assert "tuned_by" not in read_suite_json("projects", None)["meta"]
