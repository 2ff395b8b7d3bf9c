"""QBO reads per run (issue 15, "Read less"): a first run and an unchanged nightly run.

Intuit meters reads (CorePlus calls, 500,000 a month on the Builder tier), so the reads a
run makes are a cost. This runs the five stages (import, validate, map, preview, push) on
a demo company into a fresh sandbox company, then the same sync again with nothing changed
(what a nightly run does most nights), twice, and prints the reads of each: the sandbox's
read counters (one per entity a read request names, as the issue measured), the read calls
qbo-sync's meter counted, and the read requests by kind. Goal: an unchanged nightly run
makes at most 3 reads.

The stages are called directly, as the Prefect tasks call them. Figures are printed;
nothing is asserted. To compare with another checkout (before a change), run this file
with that checkout first on PYTHONPATH.

    python bench/bench_reads.py [--size 1] [--time-scale 100] [--nightly-after 61]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

from qbo_sync.pipeline import stages  # noqa: E402
from qbo_sync.resources import Resources  # noqa: E402
from qbo_sync.sandbox.admin_client import SandboxAdmin  # noqa: E402
from qbo_sync.sandbox.core import REQUEST_LOG_SIZE  # noqa: E402
from qbo_sync.sandbox.server import SandboxServer  # noqa: E402
from qbo_sync.settings import load_settings  # noqa: E402
from qbo_sync.sources.demo import DemoSource  # noqa: E402


@dataclass
class Reads:
    """A run's reads: the sandbox's read counters (one per entity a read request names),
    the read calls qbo-sync's own meter counted (what Intuit bills), and the requests by kind
    from the sandbox's request log (None when the log, which keeps its last 5,000 requests,
    no longer holds the whole run)."""

    counted: int
    metered: int
    kinds: Counter | None


def measure(admin: SandboxAdmin, realm: str, res: Resources, run) -> tuple[int, Reads]:
    counters, metered = _counters(admin, realm), res.reader.meter.month_reads()
    last = admin.requests(realm, limit=1)
    mark = last[-1]["time"] if last else ""
    result = run()
    log = admin.requests(realm, limit=1_000_000)
    whole = len(log) < REQUEST_LOG_SIZE or (mark and log[0]["time"] <= mark)
    kinds = Counter(_kind(r) for r in log if r["time"] > mark and _is_read(r)) if whole else None
    return result, Reads(_counters(admin, realm) - counters, res.reader.meter.month_reads() - metered, kinds)


def _counters(admin: SandboxAdmin, realm: str) -> int:
    return sum(admin.counts(realm)["reads"].values())


def _is_read(request: dict) -> bool:
    return not (request["method"] == "POST" and not request["path"].endswith("/query"))


def _kind(request: dict) -> str:
    """"query Customer", "cdc", "read Customer", "preferences": what a read request asked for."""
    last = request["path"].rstrip("/").split("/")[-1]
    if last == "query":
        return f"query {request.get('entity') or ''}".strip()
    if last in ("cdc", "preferences", "companyinfo"):
        return last
    return f"read {request.get('entity') or last}"


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
    parser.add_argument("--nightly-after", type=float, default=61,
                        help="seconds between runs: the reference refresh asks CDC for changes since a "
                             "minute before the last pull (clock skew), so a run sooner than that after "
                             "the first one sees the first one's writes as changes")
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
        runs = [("first run", *measure(admin, realm, res, lambda: sync(res)))]
        for name in ("unchanged nightly run", "the next nightly run"):
            time.sleep(args.nightly_after)
            runs.append((name, *measure(admin, realm, res, lambda: sync(res))))
        print(f"demo size {args.size}: " + ", ".join(f"{name} wrote {written}" for name, written, _ in runs))
        print(f"{'run':<22} {'sandbox counters':>16} {'read calls metered':>19}   requests by kind")
        for name, _, r in runs:
            kinds = ("(more than the sandbox's request log holds)" if r.kinds is None
                     else ", ".join(f"{kind} {n}" for kind, n in r.kinds.most_common()))
            print(f"{name:<22} {r.counted:>16} {r.metered:>19}   {kinds}")
        res.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
