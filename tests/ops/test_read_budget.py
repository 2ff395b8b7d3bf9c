"""qbo.monthly_read_budget: a notification at 80% of the month's reads, and at 100% the
optional reads (reference lists, reconcile) stop with a clear message while writes go on.
Through the installed command line, against the sandbox over HTTP."""

from __future__ import annotations

import pytest
import yaml

from tests.e2e.test_reads import calls_in_sandbox_log, cli

pytestmark = pytest.mark.slow    # two full CLI runs


def test_the_read_budget_warns_at_80_percent_then_stops_optional_reads_but_not_writes(
        make_resources, config_for, webhook, admin, realm, source):
    res = make_resources(notifications={"webhook_url": webhook.url})
    path = config_for(res)
    values = yaml.safe_load(open(path))
    values["qbo"]["monthly_read_budget"] = 8      # the first run reads more than that
    open(path, "w").write(yaml.safe_dump(values))

    first = cli(path, "sync", "--all", "--yes")
    assert first.returncode == 0, first.stderr[-3000:]
    reads = calls_in_sandbox_log(admin, realm)["reads"]
    assert reads >= 8, f"{reads} reads: the budget must be reached for the test to mean anything"
    warnings = [n for n in webhook.received if n["event"] == "read-budget"]
    assert len(warnings) == 1 and "of the monthly budget of 8" in warnings[0]["text"]

    # Past the budget: the next run skips the reference pull and reconcile, and still writes.
    source.edit("vendors", "vendor_id", source.frame("vendors")["vendor_id"][0], name="Budget Test Supply Co")
    before = calls_in_sandbox_log(admin, realm)
    second = cli(path, "sync", "--all", "--yes")
    assert second.returncode == 0, second.stderr[-3000:]
    # The run report says so (the map stage's own line goes to the run's log).
    assert "the monthly read budget is used up" in second.stdout and "writes continue" in second.stdout
    assert "this run 0 reads" in second.stdout
    after = calls_in_sandbox_log(admin, realm)
    assert after["writes"] > before["writes"], "the edited vendor was not written"
    names = {v.get("DisplayName") for v in res.reader.query_all("Vendor")}
    assert "Budget Test Supply Co" in names
    assert len([n for n in webhook.received if n["event"] == "read-budget"]) == 1, "warned once a month"

    pulled = cli(path, "pull")
    assert pulled.returncode == 1 and "read budget is used up" in pulled.stderr
    assert "Traceback" not in pulled.stderr
