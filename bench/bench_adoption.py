"""Finding a company's objects again after the staging database is lost: reads and time.

A full sync of the demo company (size N) into a fresh sandbox company, then a new staging
database pointed at the same company, its request ids forgotten, and a second full sync.
Printed per run: the map stage's time and its QBO reads per entity (adoption reads one paged
query per transaction entity, never one per record), the objects the push created, and the
records linked. Figures are printed; nothing is asserted.

    python bench/bench_adoption.py [--size 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

from qbo_sync.pipeline import stages  # noqa: E402
from qbo_sync.resources import Resources  # noqa: E402
from qbo_sync.sandbox.admin_client import SandboxAdmin  # noqa: E402
from qbo_sync.sandbox.server import SandboxServer  # noqa: E402
from qbo_sync.settings import load_settings  # noqa: E402
from qbo_sync.sources.demo import DemoSource  # noqa: E402


def resources(info: dict, realm: str, folder: Path, database: str) -> Resources:
    settings = load_settings(
        None, data_dir=folder / "data", database_url=f"sqlite:///{folder / database}",
        source={"kind": "csv", "csv": {"path": str(folder / "source")}},
        qbo={"kind": "remote", "discovery_url": info["discovery_url"], "api_url_v3": info["api_url_v3"],
             "realm_id": realm, "client_id": info["client_id"], "client_secret": info["client_secret"],
             "redirect_uri": info["redirect_uri"]},
        sync={"auto_confirm_customer": True})
    res = Resources(settings)
    res.qbo.connect_headless()
    return res


def run(res: Resources, admin: SandboxAdmin, realm: str, title: str) -> None:
    stages.run_import(res, None, "all")
    stages.run_validate(res, None)
    before = admin.counts(realm)["reads"]
    started = time.monotonic()
    stages.run_map(res, None)
    took = time.monotonic() - started
    after = admin.counts(realm)["reads"]
    preview = stages.run_preview(res, None)
    results = stages.run_push(res, preview)
    reads = {e: after.get(e, 0) - before.get(e, 0) for e in after if after.get(e, 0) != before.get(e, 0)}
    records = sum(sum(c.values()) - c.get("skip", 0) for c in preview.counts().values())
    print(f"{title}: map stage {took:.2f} s for {records} records; QBO reads in it: {reads}")
    print(f"  created {sum(r.created for r in results)} objects, updated {sum(r.updated for r in results)}, "
          f"linked {sum(r.linked for r in results)} records to existing objects")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=3, help="demo company size (1 = the test company)")
    args = parser.parse_args()
    with SandboxServer() as sandbox, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        DemoSource(size=args.size, seed=7).write_csv(folder / "source")
        admin = SandboxAdmin(sandbox.info["base_url"])
        realm = admin.create_realm(projects_enabled=True, seed=True)
        first = resources(sandbox.info, realm, folder, "staging.db")
        run(first, admin, realm, "first sync")
        first.close()
        admin.forget_requests(realm)
        again = resources(sandbox.info, realm, folder, "lost.db")
        run(again, admin, realm, "staging database lost, sync again")
        again.close()


if __name__ == "__main__":
    main()
