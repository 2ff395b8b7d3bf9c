"""QuickBooks down: every request answered 500 or 503. `qbo-sync sync --all --yes` keeps
trying for qbo.outage_minutes, then ends with one plain line, a run report and a
notification, never a traceback; the next run, with QuickBooks back, finishes the work
without a duplicate. Through the installed command line, against the sandbox over HTTP."""

from __future__ import annotations

import re
import threading
import time

import pytest
import yaml
from sqlalchemy import select

from qbo_sync.db.models import Record
from tests.e2e.test_reads import TIME_SCALE, cli, sandbox_settings  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow    # two or three full CLI runs each (Prefect and Great Expectations start)
OUTAGE_MINUTES = 0.1     # six seconds, so the test is quick


def outage_config(res, config_for, **extra) -> str:
    path = config_for(res)
    values = yaml.safe_load(open(path))
    values["qbo"]["outage_minutes"] = OUTAGE_MINUTES
    values["push"]["time_scale"] = TIME_SCALE
    values.update(extra)
    with open(path, "w") as handle:
        yaml.safe_dump(values, handle)
    return path


def transactions_in_qbo(res) -> dict[str, set[str]]:
    return {e: {o["Id"] for o in res.reader.query_all(e)} for e in ("Bill", "TimeActivity")}


def held_transactions(res) -> dict[str, list[str]]:
    """The QBO ids the staged records hold (a list: the same id twice would be a bug too)."""
    held = {"Bill": [], "TimeActivity": []}
    with res.db.session() as session:
        for record in session.scalars(select(Record).where(Record.entity.in_(("vendor_bills", "timesheets")))):
            if record.entity == "timesheets":
                held["TimeActivity"] += [v["id"] for v in (record.qbo_objects or {}).values()
                                         if isinstance(v, dict) and "hash" in v]
            elif record.qbo_id:
                held["Bill"].append(record.qbo_id)
    return held


def assert_no_traceback(done) -> None:
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr[-3000:]


def assert_ends_in_one_plain_line(done) -> str:
    assert done.returncode == 1, (done.stdout[-2000:], done.stderr[-2000:])
    assert_no_traceback(done)
    last = done.stderr.strip().splitlines()[-1].removeprefix("qbo-sync: ")
    assert last.startswith("QuickBooks did not answer (50"), done.stderr[-2000:]
    assert "for 6 seconds" in last and last.endswith("; the next run continues from here")
    return last


def then_the_next_run_finishes_without_duplicates(res, config, before) -> None:
    again = cli(config, "sync", "--all", "--yes")
    assert again.returncode == 0, again.stderr[-3000:]
    assert_no_traceback(again)
    with res.db.session() as session:
        statuses = [r.status for r in session.scalars(select(Record))]
    assert "failed" not in statuses and statuses.count("synced") > 20
    now, held = transactions_in_qbo(res), held_transactions(res)
    for entity in now:
        new = now[entity] - before[entity]
        assert sorted(held[entity]) == sorted(new), f"{entity}: QBO has {len(new)}, records hold {len(held[entity])}"
        assert new, f"no {entity} was synced: the check proves nothing"


def test_a_total_outage_ends_in_one_plain_line_a_report_and_a_notification(
        make_resources, config_for, webhook, sandbox_settings):  # noqa: F811
    res = make_resources(notifications={"webhook_url": webhook.url})
    config = outage_config(res, config_for)
    before = transactions_in_qbo(res)
    sandbox_settings(fault_rate=1.0)
    started = time.monotonic()
    done = cli(config, "sync", "--all", "--yes")
    took = time.monotonic() - started
    pulled = cli(config, "pull")           # any verb that reads QBO says the same, in one line
    sandbox_settings(fault_rate=0.0)
    assert pulled.returncode == 1 and "Traceback" not in pulled.stderr, pulled.stderr[-2000:]
    lines = pulled.stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(r"qbo-sync: QuickBooks did not answer \(50[03]\) for 6 seconds; "
                                            r"nothing was written; the next run continues from here", lines[0]), lines

    last = assert_ends_in_one_plain_line(done)
    assert "; nothing was written;" in last
    assert took < 90, f"the outage limit is 6 s, the run took {took:.0f} s"
    assert last in done.stdout, "the run report carries the message"       # the report, printed
    assert [n["event"] for n in webhook.received] == ["run-failed"]
    assert last in webhook.received[0]["text"]
    report = cli(config, "report")
    assert report.returncode == 0 and last in report.stdout, report.stderr
    # Nothing lost: no record was marked Failed for QuickBooks' outage, nothing reached QBO.
    with res.db.session() as session:
        statuses = [r.status for r in session.scalars(select(Record))]
    assert statuses and "failed" not in statuses and "synced" not in statuses
    assert transactions_in_qbo(res) == before


def test_an_outage_that_starts_in_the_middle_of_a_push(make_resources, config_for, admin, realm, webhook,
                                                        sandbox_settings):  # noqa: F811
    res = make_resources(notifications={"webhook_url": webhook.url})
    config = outage_config(res, config_for)
    before = transactions_in_qbo(res)
    # Slow answers stretch the push over a few seconds; QuickBooks goes down after its first writes.
    sandbox_settings(slow_rate=1.0, slow_seconds=0.2)
    stop = threading.Event()

    def go_down_after_the_first_writes():
        while not stop.is_set():
            if sum(admin.counts(realm)["writes"].values()) >= 1:
                admin.settings(fault_rate=1.0)
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=go_down_after_the_first_writes, daemon=True)
    watcher.start()
    sandbox_settings(fault_rate=0.0)     # registered to be put back after the test
    done = cli(config, "sync", "--all", "--yes")
    stop.set()
    watcher.join()
    sandbox_settings(fault_rate=0.0, slow_rate=0.0)

    last = assert_ends_in_one_plain_line(done)
    assert "records were written before it stopped;" in last, last
    assert [n["event"] for n in webhook.received] == ["run-failed"]
    then_the_next_run_finishes_without_duplicates(res, config, before)
