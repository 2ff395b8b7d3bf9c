"""A rehearsal's cost (issue 17): reads of the real company and time, first and second rehearsal.

A seeded sandbox company plays the user's real one, reached as `qbo.kind: remote` over HTTP;
the demo source (CSV) is rehearsed with --all twice (`qbo_sync.rehearsal.run.rehearse`, what
`qbo-sync rehearse --all` runs). For each rehearsal it prints the read requests the real
company answered, its writes (always 0 is the point), how the copy was made, the records
written and refused in the copy, and the seconds it took. Figures only; nothing is asserted.

    python bench/bench_rehearsal.py [--size 1]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import yaml  # noqa: E402

from qbo_sync.sandbox.admin_client import SandboxAdmin  # noqa: E402
from qbo_sync.sandbox.server import SandboxServer  # noqa: E402
from qbo_sync.sources.demo import DemoSource  # noqa: E402


def real_calls(admin: SandboxAdmin, realm: str) -> tuple[int, int]:
    """(read requests, write requests) the real company has answered so far."""
    reads = writes = 0
    for r in admin.requests(realm, limit=100000):
        if r["method"] == "POST" and not r["path"].endswith("/query"):
            writes += 1
        else:
            reads += 1
    return reads, writes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1, help="demo size (1: the `make demo` company)")
    args = parser.parse_args()
    from qbo_sync.ops import temporary_server
    from qbo_sync.rehearsal.run import rehearse
    from qbo_sync.resources import for_config

    with SandboxServer() as server, tempfile.TemporaryDirectory() as tmp:
        admin, info = SandboxAdmin(server.info["base_url"]), server.info
        realm = admin.create_realm(company_name="Granite Peak Contracting")
        DemoSource(size=args.size, seed=7).write_csv(Path(tmp) / "source")
        config = Path(tmp) / "settings.yaml"
        config.write_text(yaml.safe_dump({
            "data_dir": str(Path(tmp) / "data"), "source": {"kind": "csv", "csv": {"path": str(Path(tmp) / "source")}},
            "qbo": {"kind": "remote", "discovery_url": info["discovery_url"], "api_url_v3": info["api_url_v3"],
                    "realm_id": realm, "client_id": info["client_id"], "client_secret": info["client_secret"]},
            "sync": {"auto_confirm_customer": True}}))
        for_config(str(config)).qbo.connect_headless()
        temporary_server.start()
        print(f"demo size {args.size}; real company {realm} over HTTP; staging on SQLite")
        print(f"{'rehearsal':<10} {'copy':<8} {'real reads':>10} {'real writes':>11} {'written':>8} "
              f"{'refused':>8} {'seconds':>8}")
        for n in (1, 2):
            before = real_calls(admin, realm)
            started = time.perf_counter()
            report = rehearse(str(config), None, "all")
            seconds = time.perf_counter() - started
            after = real_calls(admin, realm)
            rehearsal = report["rehearsal"]
            print(f"{n:<10} {rehearsal['how']:<8} {after[0] - before[0]:>10} {after[1] - before[1]:>11} "
                  f"{len(rehearsal['records']) - rehearsal['refused']:>8} {rehearsal['refused']:>8} {seconds:>8.1f}")


if __name__ == "__main__":
    main()
