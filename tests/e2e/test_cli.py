"""The qbo-sync command line, as a user types it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qbo_sync.cli import build_parser, main
from tests.e2e.test_projects_sync import sync_once


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_verb_has_help(capsys):
    parser = build_parser()
    verbs = parser._subparsers._group_actions[0].choices
    assert {"sandbox", "demo", "import", "sync", "push", "retry", "status", "map", "history",
            "payload", "pull", "report"} <= set(verbs)
    for verb in verbs:
        with pytest.raises(SystemExit) as done:
            main([verb, "--help"])
        assert done.value.code == 0
        assert "usage: qbo-sync" in capsys.readouterr().out


@pytest.fixture
def synced(make_resources, config_for):
    res = make_resources(sync={"auto_confirm_customer": False})
    sync_once(res)
    return res, config_for(res)


def test_status_json_and_table(capsys, synced):
    _, config = synced
    code, out, _ = run(capsys, "--config", config, "status", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 12
    assert set(rows[0]) >= {"entity", "source_id", "name", "status", "reasons", "qbo_id", "qbo_ids", "synced_at"}
    code, out, _ = run(capsys, "--config", config, "status", "--status", "needs action", "--json")
    assert {r["status"] for r in json.loads(out)} == {"Needs Action"}
    code, out, _ = run(capsys, "--config", config, "status")
    assert "Not Synced" in out and "Needs Action" in out
    code, _, err = run(capsys, "--config", config, "status", "--status", "Pending")
    assert code == 1 and "unknown status 'Pending'" in err


def test_map_customer_is_permanent(capsys, synced):
    _, config = synced
    code, out, _ = run(capsys, "--config", config, "map", "customer", "P-00004", "cedar ridge school district")
    assert code == 0 and 'linked to QBO customer "Cedar Ridge School District"' in out
    code, _, err = run(capsys, "--config", config, "map", "customer", "P-00004", "Northgate Medical Group")
    assert code == 1 and "permanent and was not changed" in err
    code, out, _ = run(capsys, "--config", config, "status", "--json")
    p4 = next(r for r in json.loads(out) if r["source_id"] == "P-00004")
    assert p4["qbo_customer"]["name"] == "Cedar Ridge School District"
    assert p4["status"] == "Needs Sync"
    code, _, err = run(capsys, "--config", config, "map", "customer", "P-00005", "No Such Client")
    assert code == 1 and 'no QBO customer has the id or name "No Such Client"' in err


def test_map_link_history_and_payload(capsys, synced):
    res, config = synced
    code, _, err = run(capsys, "--config", config, "map", "link", "projects", "P-00004", "99999")
    assert code == 1 and "cannot be read" in err
    code, out, _ = run(capsys, "--config", config, "history", "projects/P-00001")
    assert code == 0 and "Sync activity:" in out
    code, out, _ = run(capsys, "--config", config, "payload", "P-00009")
    assert "has not been sent to QBO yet" in out
    code, _, err = run(capsys, "--config", config, "history", "P-424242")
    assert code == 1 and "no staged record" in err


def test_read_verbs_import_neither_prefect_nor_great_expectations(synced):
    _, config = synced
    script = (
        "import json, sys\n"
        "from qbo_sync.cli import main\n"
        f"codes = [main(['--config', {config!r}, verb, *extra]) for verb, *extra in "
        "[['status', '--json'], ['history', 'P-00001'], ['payload', 'P-00001'], ['log'], ['mapping', 'show'],"
        " ['report']]]\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'prefect', 'great_expectations', 'pandas', 'sqlalchemy', 'pydantic_settings'})\n"
        "print(json.dumps({'codes': codes, 'heavy': heavy}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert result["codes"][:5] == [0, 0, 0, 0, 0]
    assert result["codes"][5] == 1 and "no run report yet" in done.stderr


def test_sandbox_verb_prints_connection_details_as_json_first(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "qbo_sync.cli", "sandbox", "--port", "0", "--db", ":memory:",
                                "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path)
    try:
        first = json.loads(process.stdout.readline())
        assert set(first) == {"base_url", "api_url_v3", "discovery_url", "realm_id", "client_id",
                              "client_secret", "redirect_uri"}
        import requests

        assert requests.get(first["discovery_url"], timeout=5).json()["token_endpoint"]
    finally:
        process.terminate()
        process.wait(timeout=10)


