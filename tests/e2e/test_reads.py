"""Reads go through the one reader (qbo/reader.py): paced with the writes, retried by fault class.

Run through the installed command line against the sandbox over HTTP, as a user runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qbo_sync.qbo.references import REFERENCE_ENTITIES

TIME_SCALE = 60    # one QBO minute lasts a second, in the sandbox and in the pacer
QBO_SYNC = str(Path(sys.executable).parent / "qbo-sync")


def cli(config: str, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    return subprocess.run([QBO_SYNC, "--config", config, *argv], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture
def sandbox_settings(admin):
    """Change the sandbox's behaviour for one test; everything changed is put back after it."""
    before = admin.settings()
    changed: set[str] = set()

    def change(**values):
        changed.update(values)
        admin.settings(**values)

    yield change
    admin.settings(**{k: before[k] for k in changed})


def answers(admin, realm: str, status: int) -> int:
    return sum(1 for r in admin.requests(realm, limit=100000) if r["status"] == status)


def test_a_429_storm_during_the_reference_pull_is_waited_out(make_resources, config_for, admin, realm,
                                                            sandbox_settings):
    res = make_resources(push={"time_scale": TIME_SCALE})
    config = config_for(res)
    # QBO allows 500 requests a minute; this company gets one a (scaled) minute: every
    # request after the first in each second is answered 429 until the minute has passed.
    sandbox_settings(time_scale=TIME_SCALE, requests_per_minute=1)
    done = cli(config, "pull", "--no-reconcile", "--json")
    sandbox_settings(requests_per_minute=500)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert answers(admin, realm, 429) >= 3, "the storm did not happen: the test proves nothing"
    pulled = json.loads(done.stdout)["pulled"]
    for entity, count in pulled.items():
        assert count == len(res.reader.query_all(entity, inactive_too=True)), entity
    assert pulled["Customer"] > 0 and pulled["Item"] > 0


def calls_in_sandbox_log(admin, realm: str) -> dict[str, int]:
    """Requests the sandbox saw for the company, as Intuit meters them: writes (batch, create,
    update, delete) and reads (queries, reads by id, CDC, preferences)."""
    counts = {"reads": 0, "writes": 0}
    for r in admin.requests(realm, limit=100000):
        write = r["method"] == "POST" and not r["path"].endswith("/query")
        counts["writes" if write else "reads"] += 1
    return counts


@pytest.mark.slow   # three CLI runs
def test_every_call_is_counted_by_kind_run_and_month(make_resources, config_for, admin, realm):
    res = make_resources()
    config = config_for(res)
    before = calls_in_sandbox_log(admin, realm)      # the fixture's connect reads nothing
    done = cli(config, "sync", "--all", "--yes")
    assert done.returncode == 0, done.stderr[-3000:]
    seen = calls_in_sandbox_log(admin, realm)
    run = {k: seen[k] - before[k] for k in seen}
    assert run["reads"] > 0 and run["writes"] > 0
    line = next(x for x in done.stdout.splitlines() if x.startswith("QuickBooks calls: this run"))
    assert f"this run {run['reads']:,} reads and {run['writes']:,} writes" in line, (line, run)
    assert "of the 500,000 budget" in line

    status = cli(config, "status")
    assert status.returncode == 0, status.stderr
    assert f"{run['reads']:,} reads, {run['writes']:,} writes" in status.stdout.splitlines()[-1]
    # A second run adds to the month; the run's own line counts only its calls.
    again = cli(config, "sync", "--all", "--yes")
    second = {k: calls_in_sandbox_log(admin, realm)[k] - seen[k] for k in seen}
    assert f"this run {second['reads']:,} reads and {second['writes']:,} writes" in again.stdout
    month = cli(config, "status").stdout.splitlines()[-1]
    assert f"{run['reads'] + second['reads']:,} reads, {run['writes'] + second['writes']:,} writes" in month


def test_reference_lists_are_refreshed_through_cdc_after_a_full_pull(make_resources, config_for, admin, realm):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update

    from qbo_sync.db.models import QboPull, QboRef
    from tests.e2e.test_reconcile_and_balances import edit_in_qbo

    res = make_resources()
    config = config_for(res)

    def pull() -> tuple[dict, int]:
        before = calls_in_sandbox_log(admin, realm)["reads"]
        done = cli(config, "pull", "--no-reconcile", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["pulled"], calls_in_sandbox_log(admin, realm)["reads"] - before

    full, requests = pull()
    assert requests == len(full) == len(REFERENCE_ENTITIES)   # one query per list
    # A vendor made inactive in QuickBooks: the next pull asks CDC, in one request for all lists.
    vendor = res.reader.query_all("Vendor")[0]
    edit_in_qbo(res, "Vendor", vendor["Id"], Active=False)
    again, requests = pull()
    assert requests == 1 and again == full
    with res.db.session() as session:
        assert session.get(QboRef, ("Vendor", vendor["Id"])).active is False
    # A last pull older than CDC's 30 days: the lists are read in full again.
    with res.db.session() as session, session.begin():
        session.execute(update(QboPull).values(pulled_at=datetime.now(timezone.utc) - timedelta(days=31)))
    _, requests = pull()
    assert requests == len(REFERENCE_ENTITIES)
