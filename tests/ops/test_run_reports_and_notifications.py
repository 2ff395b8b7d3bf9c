"""A sync flow run with notifications configured: report files for finance, table artifacts,
a webhook and an email on Needs Action records, a notice when the connection expired, and no
token value anywhere in what the run leaves behind."""

from __future__ import annotations

import asyncio
import csv
import logging
import subprocess
import sys

import pytest

from qbo_sync.flows.sync import sync
from qbo_sync.views import payload, status_rows

pytestmark = pytest.mark.slow


def _artifacts_and_logs(flow_run_id: str):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (ArtifactFilter, ArtifactFilterFlowRunId, FlowRunFilter,
                                                LogFilter, LogFilterFlowRunId, TaskRunFilter)
    from prefect.client.schemas.sorting import ArtifactSort

    async def read():
        async with get_client() as client:
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])),
                flow_run_filter=FlowRunFilter(), task_run_filter=TaskRunFilter(),
                sort=ArtifactSort.KEY_ASC, limit=200)
            logs, page = [], None
            while page is None or len(page) == 200:
                page = await client.read_logs(
                    log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                    limit=200, offset=len(logs))
                logs += page
            return artifacts, logs

    return asyncio.run(read())


def test_run_leaves_reports_notifies_and_never_shows_a_token(prefect, make_resources, config_for, source,
                                                             webhook, smtp, tmp_path):
    source.edit("projects", "project_id", "P-00009", name="=HYPERLINK(\"http://evil\") <b>x</b>")
    res = make_resources(reports_dir=str(tmp_path / "reports"), notifications={
        "webhook_url": webhook.url, "email_to": ["finance@example.com"],
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port})
    prefect_logger = logging.getLogger("prefect")
    level = prefect_logger.level
    prefect_logger.setLevel(logging.INFO)   # the session runs at WARNING; this run's logs are searched
    try:
        report = sync(entities=["projects"], mode="all", approval="yes", config=config_for(res))
    finally:
        prefect_logger.setLevel(level)
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)   # logs go to the server in the background

    # Report files, named in the run's report and by `qbo-sync report --html/--csv`.
    html_path, csv_path = report["files"]["html"], report["files"]["csv"]
    page = open(html_path, encoding="utf-8").read()
    assert "Needs your attention" in page and "P-00011" in page
    assert "<b>x</b>" not in page
    rows = list(csv.DictReader(open(csv_path, encoding="utf-8-sig")))
    synced = next(r for r in rows if r["section"] == "status" and r["status"] == "Synced")
    assert synced["value"] == str(report["counts"]["projects"]["Synced"])
    cli = subprocess.run([sys.executable, "-m", "qbo_sync.cli", "--config", config_for(res), "report", "--html"],
                         capture_output=True, text=True, timeout=60)
    assert cli.stdout.strip() == html_path, cli.stderr

    # The run's Great Expectations Data Docs: linked from the HTML report and named by the CLI.
    docs = subprocess.run([sys.executable, "-m", "qbo_sync.cli", "--config", config_for(res), "report",
                           "--data-docs"], capture_output=True, text=True, timeout=60)
    index = docs.stdout.strip()
    assert docs.returncode == 0 and index.endswith(f"{report['flow_run_id']}/index.html"), docs.stderr
    # Linked relatively, so that it opens from the file and from the console's /reports/ alike.
    assert f'href="data-docs/{report["flow_run_id"]}/index.html"' in page
    assert "projects" in open(index, encoding="utf-8").read()

    # Artifacts: the markdown report, the tables and the links to both files.
    artifacts, logs = _artifacts_and_logs(report["flow_run_id"])
    keys = {a.key for a in artifacts}
    assert {"sync-report", "sync-status-counts", "sync-needs-attention", "sync-report-html",
            "sync-report-csv", "validation-data-docs"} <= keys
    # The links open from the Prefect UI: the console's address (console.public_url), not file://.
    links = {a.key: a.data.rsplit("(", 1)[-1].rstrip(")") for a in artifacts if a.type == "markdown"
             and a.key in ("sync-report-html", "validation-data-docs")}   # "[text](link)"
    console = "http://127.0.0.1:8080/reports/"
    assert links["sync-report-html"].startswith(console) and links["sync-report-html"].endswith(".html")
    assert links["validation-data-docs"] == f"{console}data-docs/{report['flow_run_id']}/index.html"

    # Notifications: one webhook and one email naming the Needs Action records.
    needs_action = report["counts"]["projects"]["Needs Action"]
    assert needs_action > 0
    assert len(webhook.received) == 1
    assert webhook.received[0]["event"] == "records-need-attention"
    assert f"{needs_action} Needs Action" in webhook.received[0]["subject"]
    assert len(smtp.messages) == 1 and "P-00011" in smtp.messages[0]

    # No token value in artifacts, logs, report files, notifications or payload views.
    tokens = res.qbo._tokens.load(res.qbo.realm_id)
    synced_ids = [r["record"] for r in status_rows(res.db, entity="projects") if r["status"] == "Synced"]
    everything = "\n".join(
        [str(a.data) + str(a.description) for a in artifacts] + [log.message for log in logs]
        + [page, open(csv_path, encoding="utf-8-sig").read(), str(webhook.received), *smtp.messages]
        + [str(payload(res.db, str(n))) for n in synced_ids])
    assert synced_ids and len(logs) > 10, f'{len(logs)} log lines: the search must see the run\'s logs'
    for secret in (tokens.access_token, tokens.refresh_token, res.settings.qbo.client_secret):
        assert secret not in everything


def test_an_expired_connection_fails_the_run_and_says_reconnect(prefect, make_resources, config_for, webhook,
                                                               admin, realm):
    res = make_resources(notifications={"webhook_url": webhook.url})
    config = config_for(res)
    # The refresh token is revoked at QBO and the access token is stale: the connection is gone.
    tokens = res.qbo._tokens.load(realm)
    res.qbo.auth_client().revoke(token=tokens.refresh_token)
    tokens.access_expires_at = 0
    res.qbo._tokens.save(realm, tokens)
    from qbo_sync.resources import _cache

    _cache.clear()   # the flow's tasks read the tokens again
    state = sync(entities=["projects"], mode="all", approval="yes", config=config, return_state=True)
    assert state.is_failed()
    assert [n["event"] for n in webhook.received] == ["connection-expired"]
    assert "qbo-sync connect" in webhook.received[0]["text"]
    assert tokens.refresh_token not in str(webhook.received)
