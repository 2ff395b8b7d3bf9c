"""QBO reads per run (issue 15, "Read less"): a first run and an unchanged nightly run.

Intuit meters reads (CorePlus calls, 500,000 a month on the Builder tier), so the reads a
run makes are a cost. This runs the five stages (import, validate, map, preview, push) on
a demo company into a fresh sandbox company, then the same sync again with nothing changed
(what a nightly run does most nights), and prints the reads QBO counted for each: the
sandbox's read counters (objects read per entity, as the issue measured) and the read
requests it answered. Goal: an unchanged nightly run makes at most 3 reads.

The stages are called directly, as the Prefect tasks call them. Figures are printed;
nothing is asserted. To compare with another checkout (before a change), run this file
with that checkout first on PYTHONPATH.

    python bench/bench_reads.py [--size 1] [--time-scale 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

from qbo_sync.pipeline import stages  # noqa: E402
from qbo_sync.resources import Resources  # noqa: E402
from qbo_sync.sandbox.admin_client import SandboxAdmin  # noqa: E402
from qbo_sync.sandbox.server import SandboxServer  # noqa: E402
from qbo_sync.settings import load_settings  # noqa: E402
from qbo_sync.sources.demo import DemoSource  # noqa: E402


def reads(admin: SandboxAdmin, realm: str) -> tuple[int, int]:
    """(objects read per the sandbox's counters, read requests answered)."""
    counted = sum(admin.counts(realm)["reads"].values())
    requests = sum(1 for r in admin.requests(realm, limit=100000)
                   if not (r["method"] == "POST" and not r["path"].endswith("/query")))
    return counted, requests


def sync(res: Resources) -> int:
    stages.run_import(res, None, "all")
    stages.run_validate(res, None)
    stages.run_map(res, None)
    preview = stages.run_preview(res, None)
    return sum(r.created + r.updated for r in stages.run_push(res, preview))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1, help="demo size (1: the `make demo` company)")
    parser.add_argument("--time-scale", type=float, default=100, help="QBO's minute divided by this")
    args = parser.parse_args()
    import qbo_sync

    print(f"qbo_sync from {Path(qbo_sync.__file__).parent}")
    with SandboxServer() as server, tempfile.TemporaryDirectory() as tmp:
        admin = SandboxAdmin(server.info["base_url"])
        admin.settings(time_scale=args.time_scale)
        realm = admin.create_realm(projects_enabled=True, seed=True)
        info, folder = server.info, Path(tmp)
        DemoSource(size=args.size).write_csv(folder / "source")
        res = Resources(load_settings(
            None, data_dir=folder / "data", database_url=f"sqlite:///{folder / 'staging.db'}",
            source={"kind": "csv", "csv": {"path": str(folder / "source")}},
            qbo={"kind": "remote", "discovery_url": info["discovery_url"], "api_url_v3": info["api_url_v3"],
                 "realm_id": realm, "client_id": info["client_id"], "client_secret": info["client_secret"],
                 "redirect_uri": info["redirect_uri"]},
            sync={"auto_confirm_customer": True}, push={"time_scale": args.time_scale}))
        res.qbo.connect_headless()
        before = reads(admin, realm)
        written = sync(res)
        first = reads(admin, realm)
        again = sync(res)
        nightly = reads(admin, realm)
        print(f"demo size {args.size}: first run wrote {written} records, the nightly run {again}")
        print(f"{'run':<22} {'objects read':>13} {'read requests':>14}")
        print(f"{'first run':<22} {first[0] - before[0]:>13} {first[1] - before[1]:>14}")
        print(f"{'unchanged nightly run':<22} {nightly[0] - first[0]:>13} {nightly[1] - first[1]:>14}")
        res.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
