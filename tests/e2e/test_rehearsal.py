"""`qbo-sync rehearse`: the whole sync on a copy of the user's own company and staging database.

Two sandbox realms: one plays the user's real company (existing customers and vendors, an
inactive item a cost code maps to, a vendor named like a project's client), reached as
`qbo.kind: remote` over HTTP; the other is the copy the rehearsal makes in its own local
sandbox. The rehearsal must predict, record by record, what the real sync then does, while
the real company receives no write and the real staging database keeps every row.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, text

from qbo_sync import mappings
from qbo_sync.cli import main
from qbo_sync.db.models import Base
from qbo_sync.rehearsal.outcomes import record_outcomes
from tests.e2e.test_timesheets_sync import write

CLIENT = "Harbor View Properties LLC"     # P-00001's client, a customer in the company
CLASHING_VENDOR = "V-00006"                # renamed in the source to the client's name
# What a rehearsal may change in the real staging database: the month's read count (Intuit
# meters the copy's reads) and the connection's tokens (a read may renew them).
METERED = ("qbo_calls", "tokens")


def staging_fingerprint(res) -> dict[str, str]:
    """A hash of every row of every table, the metered ones aside."""
    found = {}
    with res.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in METERED:
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            found[table.name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    return found


def real_calls(admin, realm: str) -> list[dict]:
    return admin.requests(realm, limit=100000)


@pytest.fixture
def company(make_resources, config_for, admin, realm, source, staging_url):
    """The user's company as the rehearsal finds it, and the settings file of the real runs."""
    res = make_resources()
    targets = [mappings.Mappings().cost_codes.target_of(row) for row in source.frame("cost_codes").to_dict("records")]
    item_name = next(name for entity, name in targets if entity == "Item")
    made = write(res, "Item", {"Name": item_name, "Type": "Service", "IncomeAccountRef": {"value": "1"}})["Item"]
    write(res, "Item", {**made, "Active": False})
    source.edit("vendors", "vendor_id", CLASHING_VENDOR, name=CLIENT)
    yield res, config_for(res)
    if staging_url.startswith("postgresql"):
        with res.db.engine.begin() as conn:
            schema = conn.scalar(text("SELECT current_schema()"))
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}_rehearsal" CASCADE'))


def rehearse(capsys, config: str, *argv: str) -> tuple[int, dict, str]:
    code = main(["--config", config, "rehearse", "--json", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err[-3000:]
    return code, json.loads(out[out.index("{"):]), err


def month_reads(res) -> int:
    with res.db.engine.connect() as conn:
        return conn.scalar(text("SELECT coalesce(sum(reads), 0) FROM qbo_calls")) or 0


def per_record(outcomes: list[dict], problems: list[dict]) -> dict:
    """Per record: what QuickBooks did or refused, and what was held back with its reasons.
    The reasons of one record as a set: a timesheet's days are written in parallel."""
    done = {(r["entity"], r["source_id"]): (r["outcome"], frozenset(r["reason"].split("; ")))
            for r in outcomes}
    held = {(p["entity"], p["source_id"]): (p["status"], frozenset(p["reasons"])) for p in problems}
    return {"done": done, "held": held}


def predicted(report: dict) -> dict:
    return per_record(report["rehearsal"]["records"], report["problems"])


def happened(res, report: dict) -> dict:
    return per_record(record_outcomes(res.db, report["flow_run_id"]), report["problems"])


def last_report(capsys, res) -> dict:
    from qbo_sync.views import run_report

    capsys.readouterr()
    return run_report(res.db, None)


@pytest.mark.slow
def test_rehearsal_predicts_the_real_sync_without_writing(prefect, company, admin, realm, capsys):
    res, config = company
    writes, before, reads_before = admin.counts(realm)["writes"], staging_fingerprint(res), month_reads(res)
    calls_before = len(real_calls(admin, realm))

    code, report, _ = rehearse(capsys, config, "--all")

    # What a nightly script and a person read: refusals with their reasons, and the exit code.
    rehearsal = report["rehearsal"]
    assert code == 3 and rehearsal["refused"] > 0
    refused = [r for r in rehearsal["records"] if r["outcome"] == "refused"]
    assert len(refused) == rehearsal["refused"]
    assert {r["entity"] for r in refused} == {"timesheets"}
    assert all("made inactive" in r["reason"] for r in refused), refused[:2]
    clash = next(p for p in report["problems"] if (p["entity"], p["source_id"]) == ("vendors", CLASHING_VENDOR))
    assert f'QuickBooks already has a customer named "{CLIENT}"' in clash["reasons"][0]
    assert {"created", "updated"} <= {r["outcome"] for r in rehearsal["records"]}
    # The real company received no write; the real staging database kept every row.
    assert admin.counts(realm)["writes"] == writes
    assert staging_fingerprint(res) == before
    # The copy's reads: made against the real company, counted, and said.
    calls = real_calls(admin, realm)[calls_before:]
    assert all(c["method"] == "GET" or c["path"].endswith("/query") for c in calls), calls
    assert rehearsal["how"] == "full" and rehearsal["reads"] == len(calls) > 0
    assert month_reads(res) - reads_before == len(calls)
    assert f"The copy was read with {len(calls)} QuickBooks reads" in rehearsal["copy"]

    # The real sync afterwards ends as the rehearsal said, record by record.
    assert main(["--config", config, "sync", "--all", "--yes"]) == 0
    real = last_report(capsys, res)
    assert happened(res, real) == predicted(report)
    assert sum(admin.counts(realm)["writes"].values()) > sum(writes.values())

    # A second rehearsal reads only what changed since the copy (CDC), not every list.
    calls_before = len(real_calls(admin, realm))
    code, again, _ = rehearse(capsys, config, "--all")
    calls = real_calls(admin, realm)[calls_before:]
    assert sorted(c["path"].rsplit("/", 1)[-1] for c in calls) == sorted(["cdc", "preferences", realm])
    assert again["rehearsal"]["how"] == "changes" and again["rehearsal"]["reads"] == 3
    assert "brought up to date with 3 QuickBooks reads" in again["rehearsal"]["copy"]


def test_the_rehearsal_report_says_it_changed_nothing(prefect, company, capsys):
    """The words at the top, as a person reads them on the terminal."""
    res, config = company
    name = res.reader.company(f"companyinfo/{res.qbo.realm_id}")["CompanyInfo"]["CompanyName"]
    code = main(["--config", config, "rehearse", "--entity", "vendors", "--all"])
    out = capsys.readouterr().out
    assert code == 0
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[1] == f"Rehearsal on a copy of {name}: QuickBooks and your staging database were not changed."
    assert "QuickBooks would refuse nothing." in out
    assert "| Vendors | Cascade Plumbing Supply | V-00005 | created |" in out
    assert "Rehearsal report: " in out and ".html" in out


@pytest.mark.slow
def test_a_run_with_rehearse_pushes_only_after_a_clean_rehearsal(prefect, company, admin, realm, make_resources,
                                                                  config_for):
    """The Prefect parameter `rehearse: true` with sync.push_only_if_rehearsal_clean: a clean
    rehearsal lets the run push; one with refusals stops it, with the rehearsal report kept."""
    from qbo_sync.flows.sync import sync
    from tests.e2e.test_flows import _artifact_keys

    res = make_resources(sync={"push_only_if_rehearsal_clean": True})
    config = config_for(res)
    writes = sum(admin.counts(realm)["writes"].values())
    report = sync(entities=["vendors"], mode="all", approval="yes", rehearse=True, config=config)
    assert report["pushed"][0]["created"] == 1          # Cascade Plumbing Supply; V-00006 needs action
    assert sum(admin.counts(realm)["writes"].values()) > writes
    keys, _, _ = _artifact_keys(report["flow_run_id"])
    assert {"rehearsal-report", "sync-report"} <= keys

    writes, before = admin.counts(realm)["writes"], staging_fingerprint(res)
    state = sync(mode="all", approval="yes", rehearse=True, config=config, return_state=True)
    assert state.is_failed()
    assert "found" in state.message and "record(s) QuickBooks would refuse: nothing was imported or pushed" \
        in state.message, state.message
    assert admin.counts(realm)["writes"] == writes
    assert staging_fingerprint(res) == before
    keys, _, _ = _artifact_keys(str(state.state_details.flow_run_id))
    assert "rehearsal-report" in keys
