"""Data engineers tuning validations: the run's Great Expectations Data Docs, and
`qbo-sync validate` after a suite was tuned, listing the records whose status changed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from qbo_sync.ops.data_docs import build_data_docs
from qbo_sync.pipeline.stages import run_import, run_validate
from qbo_sync.resources import Resources
from qbo_sync.views import status_rows
from qbo_sync.validation.suites import SHIPPED_SUITES

pytestmark = pytest.mark.slow


def _status(res, source_id: str) -> dict:
    return next(r for r in status_rows(res.db, entity="projects") if r["source_id"] == source_id)


@pytest.mark.parametrize("staging_url", ["sqlite"], indirect=True)
def test_data_docs_show_which_checks_failed_on_the_staged_rows(make_resources, tmp_path):
    res = make_resources(reports_dir=str(tmp_path / "reports"))
    run_import(res, ["projects"], "all")
    run_validate(res, ["projects"])

    index = build_data_docs(res, ["projects"], "flow-run-1234")

    assert index == (tmp_path / "reports" / "data-docs" / "flow-run-1234" / "index.html").resolve()
    assert "projects" in index.read_text(encoding="utf-8")
    pages = list((index.parent / "validations" / "projects").rglob("*.html"))
    assert len(pages) == 1
    page = pages[0].read_text(encoding="utf-8")
    # P-00009's unknown status is a sample unexpected value of the failed value-set check.
    assert "Pending" in page and "flow-run-1234" in page
    assert (index.parent / "expectations" / "projects.html").is_file()
    # Self-contained: no script, and every stylesheet, image or icon a page loads is in the site.
    for page in index.parent.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and " onclick=" not in text, page
        loads = re.findall(r"<(?:link|img)\b[^>]*\b(?:href|src)=[\"']([^\"']+)", text)
        assert loads, page
        for target in loads:
            assert not re.match(r"(https?:)?//", target), (page, target)
            assert (page.parent / target).resolve().is_file(), (page, target)


@pytest.mark.parametrize("staging_url", ["sqlite"], indirect=True)
def test_data_docs_are_built_under_a_relative_reports_folder(make_resources, tmp_path, monkeypatch):
    """config/qbo-sync.yaml keeps its data in ".qbo-sync", relative to where the sync runs."""
    monkeypatch.chdir(tmp_path)
    res = make_resources(reports_dir="reports")
    run_import(res, ["projects"], "all")

    index = build_data_docs(res, ["projects"], "nightly")

    assert index == (tmp_path / "reports" / "data-docs" / "nightly" / "index.html").resolve()
    assert "projects" in index.read_text(encoding="utf-8")


def _tune(folder, changes) -> None:
    path = folder / "projects.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    changes(suite)
    path.write_text(json.dumps(suite, indent=2), encoding="utf-8")


def test_validate_after_tuning_a_suite_lists_the_records_that_changed(make_resources, config_for, tmp_path):
    suites = tmp_path / "validations"
    shutil.copytree(SHIPPED_SUITES, suites)
    # The tuned copy of the suites (the fixture uses the shipped ones).
    res = Resources(make_resources().settings.model_copy(update={"validations_dir": suites}))
    run_import(res, ["projects"], "all")
    run_validate(res, ["projects"])
    assert _status(res, "P-00009")["status"] == "Needs Action"   # status "Pending" is not allowed
    assert _status(res, "P-00003")["status"] == "Needs Sync"
    name = _status(res, "P-00003")["name"]

    def tune(suite):
        status_check = next(e for e in suite["expectations"] if e["type"] == "expect_column_values_to_be_in_set")
        status_check["kwargs"]["value_set"].append("Pending")
        suite["expectations"].append({
            "type": "expect_column_values_to_not_be_in_set",
            "kwargs": {"column": "name", "value_set": [name]},
            "meta": {"reason": "Project name \"{value}\" is reserved; rename it in the PM system"}})

    _tune(suites, tune)
    cli = subprocess.run([sys.executable, "-m", "qbo_sync.cli", "--config", config_for(res),
                          "validate", "--entity", "projects", "--json"],
                         capture_output=True, text=True, timeout=180)
    assert cli.returncode == 0, cli.stderr[-2000:]
    changed = {c["source_id"]: c for c in json.loads(cli.stdout)}

    assert set(changed) == {"P-00009", "P-00003"}
    assert (changed["P-00009"]["before"], changed["P-00009"]["after"]) == ("Needs Action", "Needs Sync")
    assert changed["P-00009"]["reasons"] == []
    assert (changed["P-00003"]["before"], changed["P-00003"]["after"]) == ("Needs Sync", "Needs Action")
    assert changed["P-00003"]["reasons"] == [f"Project name \"{name}\" is reserved; rename it in the PM system"]
    # The staging database agrees with what was shown.
    assert _status(res, "P-00009")["status"] == "Needs Sync"
    assert _status(res, "P-00003")["status"] == "Needs Action"

    # Nothing changed since: the table says so.
    again = subprocess.run([sys.executable, "-m", "qbo_sync.cli", "--config", config_for(res),
                            "validate", "--entity", "projects"], capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "no record changed status" in again.stdout
    res.close()
