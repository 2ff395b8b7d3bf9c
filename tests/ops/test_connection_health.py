"""A connection that warns before it breaks: the refresh token's expiry is stored and shown,
a notification goes out days before it, and an expired connection ends a run with one line
asking to connect again, never a traceback. Every call carries minorversion=75.

These tests move the sandbox's clock by months, so they get a sandbox of their own: the
session's shared one must keep its clock for the other tests."""

from __future__ import annotations

import pytest

from qbo_sync.pipeline import stages
from qbo_sync.sandbox.admin_client import SandboxAdmin
from qbo_sync.sandbox.server import SandboxServer
from tests.e2e.test_reads import cli

pytestmark = pytest.mark.slow    # a full CLI run each
DAY = 86400


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture(scope="module")
def admin(sandbox):
    return SandboxAdmin(sandbox.info["base_url"])


def test_an_expired_connection_ends_the_run_with_one_line_asking_to_connect(make_resources, config_for, admin,
                                                                             realm, webhook):
    res = make_resources(notifications={"webhook_url": webhook.url})
    config = config_for(res)
    # A vendor sync, in this process (the stages as the flow's tasks run them): quicker than the CLI.
    stages.run_import(res, ["vendors"], "all")
    stages.run_validate(res, ["vendors"])
    stages.run_map(res, ["vendors"])
    pushed = stages.run_push(res, stages.run_preview(res, ["vendors"]))
    assert pushed and pushed[0].created > 0

    admin.advance_clock(101 * DAY)      # past the refresh token's rolling 100 days
    done = cli(config, "sync", "--all", "--yes", "--entity", "vendors")
    assert done.returncode == 1, done.stdout[-2000:]
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr[-3000:]
    assert done.stderr.strip().splitlines()[-1] == "qbo-sync: QuickBooks connection expired: run `qbo-sync connect`"
    assert "connection-expired" in [n["event"] for n in webhook.received]

    sent = admin.requests(realm, limit=100000)
    assert sent and all("minorversion=75" in r["query"] for r in sent), \
        [r["path"] + "?" + r["query"] for r in sent if "minorversion=75" not in r["query"]][:5]


def test_a_connection_close_to_expiry_is_shown_and_notified(make_resources, config_for, admin, webhook):
    before = admin.settings()["refresh_token_seconds"]
    admin.settings(refresh_token_seconds=5 * DAY)    # Intuit ends a token sooner near its 5-year limit
    try:
        res = make_resources(notifications={"webhook_url": webhook.url})
    finally:
        admin.settings(refresh_token_seconds=before)
    config = config_for(res)
    done = cli(config, "sync", "--all", "--yes", "--entity", "vendors")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "The QuickBooks connection expires on" in done.stdout and "(in 4 days)" in done.stdout
    expiring = [n for n in webhook.received if n["event"] == "connection-expiring"]
    assert len(expiring) == 1 and "reconnect to QuickBooks before then" in expiring[0]["text"]

    status = cli(config, "status")
    line = next(x for x in status.stdout.splitlines() if x.startswith("QuickBooks connection"))
    assert "expires on" in line and res.qbo.health(14)["expires_on"] in line
