"""Prefect overhead (issue 5, benchmark 5): task runs per flow run grow with batches, not records.

Runs the "qbo-sync" flow (approval yes, every entity) against a fresh sandbox realm for demo
sizes 1 and 5 on a temporary Prefect server, and prints, per flow run, the task runs read
back from the Prefect API next to the records pushed and the QBO requests (batches and
single writes) the push made. Prefect's server start is timed apart. Nothing is asserted.

    python bench/bench_prefect_overhead.py [--sizes 1 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")   # the figures, not every task log line
REPO = Path(__file__).resolve().parents[1]

import yaml  # noqa: E402

from qbo_sync.sandbox.admin_client import SandboxAdmin  # noqa: E402
from qbo_sync.sandbox.server import SandboxServer  # noqa: E402
from qbo_sync.settings import load_settings  # noqa: E402
from qbo_sync.sources.demo import DemoSource  # noqa: E402


def write_config(info: dict, realm: str, folder: Path, size: int) -> str:
    DemoSource(size=size).write_csv(folder / "source")
    settings = load_settings(
        None, data_dir=folder / "data", database_url=f"sqlite:///{folder / 'staging.db'}",
        source={"kind": "csv", "csv": {"path": str(folder / "source")}},
        qbo={"kind": "remote", "discovery_url": info["discovery_url"], "api_url_v3": info["api_url_v3"],
             "realm_id": realm, "client_id": info["client_id"], "client_secret": info["client_secret"],
             "redirect_uri": info["redirect_uri"]},
        sync={"auto_confirm_customer": True})
    from qbo_sync.resources import Resources

    res = Resources(settings)
    res.qbo.connect_headless()      # tokens into this staging database, as `qbo-sync connect` does
    res.close()
    path = folder / "settings.yaml"
    path.write_text(yaml.safe_dump(settings.model_dump(mode="json")))
    return str(path)


def task_runs(flow_run_id: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter
    from prefect.client.schemas.sorting import TaskRunSort

    async def read():
        async with get_client() as client:
            # Every filter spelled out: this server refuses a null one.
            return await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                task_run_filter=TaskRunFilter(), sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=200)

    return asyncio.run(read())


def qbo_writes(admin: SandboxAdmin, realm: str) -> tuple[int, int]:
    """(batch requests, single write requests) in the realm's request log."""
    log = admin.requests(realm, limit=5000)
    batches = sum(1 for r in log if r["method"] == "POST" and r["path"].endswith("/batch"))
    singles = sum(1 for r in log if r["method"] == "POST" and not r["path"].endswith(("/batch", "/query", "/graphql")))
    return batches, singles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5])
    args = parser.parse_args()

    from prefect.testing.utilities import prefect_test_harness

    started = time.perf_counter()
    from qbo_sync.flows.sync import sync
    imported = time.perf_counter() - started
    with SandboxServer() as server, tempfile.TemporaryDirectory() as tmp:
        admin = SandboxAdmin(server.info["base_url"])
        started = time.perf_counter()
        with prefect_test_harness(server_startup_timeout=120):
            print(f"library imports {imported:.1f} s; Prefect server start {time.perf_counter() - started:.1f} s",
                  flush=True)
            print(f"{'size':>4} {'records pushed':>15} {'batches':>8} {'singles':>8} {'task runs':>10} "
                  f"{'flow s':>7}", flush=True)
            for size in args.sizes:
                realm = admin.create_realm(projects_enabled=True, seed=True)
                config = write_config(server.info, realm, Path(tmp) / f"size{size}", size)
                started = time.perf_counter()
                report = sync(mode="all", approval="yes", config=config)
                seconds = time.perf_counter() - started
                pushed = sum(p["created"] + p["updated"] + p["failed"] for p in report["pushed"])
                batches, singles = qbo_writes(admin, realm)
                runs = task_runs(report["flow_run_id"])
                names = sorted({t.name.rsplit("-", 1)[0] for t in runs})
                print(f"{size:>4} {pushed:>15,} {batches:>8} {singles:>8} {len(runs):>10} {seconds:>7.1f}"
                      f"   tasks: {', '.join(names)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
