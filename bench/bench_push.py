"""Push throughput against the local sandbox with QBO's limits on, time-scaled.

1. qbo-sync's PushEngine: N creates, then N updates (sparse) of the same customers, as a
   share of the ceiling the limits allow (40 batches of 30 + 460 singles = 1,660 operations
   a QBO minute).
2. The same work through a plain python-quickbooks loop: one save() per record, waiting
   the (time-scaled) 60 s Intuit advises on a 429.
3. The product path: `qbo-sync sync --all --yes` as a user runs it (its own process, Prefect's
   temporary server, the SQLite staging database, a CSV source of N vendors), timed from its
   first write to its last as the sandbox logged them.

The sandbox runs in its own process so that it is not slowed by the client's threads.
Figures are printed; nothing is asserted.

    python bench/bench_push.py [--records 5000] [--time-scale 10] [--plain-records 5000]
                               [--product-records 5000] [--skip-plain]

The machine's load changes the figures: run it on a quiet machine and say when it was not.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

from cryptography.fernet import Fernet  # noqa: E402

from qbo_sync.db.engine import StagingDb  # noqa: E402
from qbo_sync.qbo.connection import Endpoints, QboConnection  # noqa: E402
from qbo_sync.qbo.engine import Operation, PushEngine  # noqa: E402
from qbo_sync.qbo.pacing import Limits, LocalPacer  # noqa: E402
from qbo_sync.qbo.tokens import TokenStore  # noqa: E402
from qbo_sync.sandbox.admin_client import SandboxAdmin  # noqa: E402


def start_sandbox() -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "qbo_sync.sandbox.serve", "--port", "0",
                             "--db", ":memory:", "--json"], stdout=subprocess.PIPE, text=True)
    return proc, json.loads(proc.stdout.readline())


def connection(info: dict, realm: str, folder: Path) -> QboConnection:
    db = StagingDb(f"sqlite:///{folder / 'staging.db'}")
    endpoints = Endpoints(discovery_url=info["discovery_url"], api_url_v3=info["api_url_v3"],
                          graphql_url=info["base_url"] + "/graphql", realm_id=realm,
                          client_id=info["client_id"], client_secret=info["client_secret"],
                          redirect_uri=info["redirect_uri"])
    conn = QboConnection(endpoints, TokenStore(db, Fernet.generate_key()))
    conn.connect_headless()
    return conn


def engine_run(conn, pacer: LocalPacer, ops: list[Operation]) -> tuple[float, PushEngine, list]:
    engine = PushEngine(conn, pacer=pacer)   # one pacer per company, as pacing.for_realm gives
    started = time.monotonic()
    outcomes = engine.run(ops)
    return time.monotonic() - started, engine, outcomes


def report(name: str, count: int, seconds: float, limits: Limits, failed: int, stats: dict | str) -> float:
    per_qbo_minute = count / seconds * limits.window
    share = per_qbo_minute / limits.ceiling()
    print(f"{name:<34} {count:>6} ops {seconds:>7.1f} s  {per_qbo_minute:>7.0f} ops/QBO-min  "
          f"{share:>6.1%} of ceiling  failed {failed}  {stats}", flush=True)
    return seconds


def plain_loop(info: dict, admin: SandboxAdmin, realm: str, count: int, window: float, update: bool,
               ids: list[tuple[str, str]] | None = None) -> tuple[float, int, list]:
    from intuitlib.client import AuthClient
    from quickbooks import QuickBooks
    from quickbooks.exceptions import QuickbooksException
    from quickbooks.objects import Customer

    tokens = admin.issue_tokens(realm)
    auth = AuthClient(info["client_id"], info["client_secret"], info["redirect_uri"],
                      environment=info["discovery_url"], access_token=tokens["access_token"],
                      refresh_token=tokens["refresh_token"])
    qb = QuickBooks(auth_client=auth, refresh_token=tokens["refresh_token"], company_id=realm, minorversion=75)
    qb.api_url_v3 = info["api_url_v3"]
    throttled, made = 0, []
    started = time.monotonic()
    for n in range(count):
        while True:
            try:
                customer = Customer()
                customer.DisplayName = f"Plain {n}"
                if update:     # a full update from what the create answered: one request
                    customer.Id, customer.SyncToken = ids[n]
                    customer.CompanyName = f"Plain {n} v2"
                saved = customer.save(qb=qb)
                made.append((saved.Id, saved.SyncToken))
                break
            except QuickbooksException as exc:
                if "429" in str(exc.message) or "ThrottleExceeded" in str(exc.message) or exc.error_code == 3001:
                    throttled += 1
                    time.sleep(window)     # Intuit: wait 60 s (time-scaled) after a 429
                    continue
                raise
    return time.monotonic() - started, throttled, made


def product_path(info: dict, admin: SandboxAdmin, count: int, time_scale: float, folder: Path) -> dict:
    """`qbo-sync sync --all --yes` on a CSV source of `count` vendors, in a process of its own."""
    import yaml

    from qbo_sync.resources import Resources
    from qbo_sync.settings import load_settings
    from qbo_sync.sources.schema import TABLES

    realm = admin.create_realm(projects_enabled=True, seed=False)
    source = folder / "source"
    source.mkdir()
    for table, columns in TABLES.items():     # every table but vendors empty: vendor creates only
        rows = [",".join(columns)]
        if table == "vendors":
            rows += [f"V-{n:05d},Bench Vendor {n},,,true,2026-01-01" for n in range(count)]
        (source / f"{table}.csv").write_text("\n".join(rows) + "\n")
    settings = {"data_dir": str(folder / "data"), "source": {"kind": "csv", "csv": {"path": str(source)}},
                "qbo": {"kind": "remote", "discovery_url": info["discovery_url"], "api_url_v3": info["api_url_v3"],
                        "realm_id": realm, "client_id": info["client_id"], "redirect_uri": info["redirect_uri"]},
                "push": {"time_scale": time_scale}}
    config = folder / "settings.yaml"
    config.write_text(yaml.safe_dump(settings))
    env = {**os.environ, "QBO_SYNC_QBO__CLIENT_SECRET": info["client_secret"],
           "PREFECT_HOME": str(folder / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    os.environ["QBO_SYNC_QBO__CLIENT_SECRET"] = info["client_secret"]
    res = Resources(load_settings(str(config)))
    res.qbo.connect_headless()               # what `qbo-sync connect` leaves behind
    res.close()
    cli = Path(sys.executable).with_name("qbo-sync")
    started = time.monotonic()
    done = subprocess.run([str(cli), "--config", str(config), "sync", "--all", "--yes"], env=env,
                          capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"qbo-sync sync failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    log = admin.requests(realm, limit=100000)
    at = lambda r: datetime.fromisoformat(r["time"]).timestamp() - r["duration"]   # logged when answered
    writes = [r for r in log if r["method"] == "POST" and r["status"] == 200 and not r["path"].endswith("/query")]
    # The push stage's own look-ups (the reference copy refreshed for adoption by name) come
    # just before its first write: walk back through the reads that follow each other without a pause.
    first = log.index(writes[0])
    start = first
    while start > 0 and _is_read(log[start - 1]) and at(log[start]) - at(log[start - 1]) < 1.0:
        start -= 1
    end = datetime.fromisoformat(writes[-1]["time"]).timestamp()
    counts = admin.counts(realm)
    return {"seconds": end - at(writes[0]), "with_reads": end - at(log[start]), "reads": first - start,
            "wall": wall, "throttled": sum(r["status"] == 429 for r in log), "requests": len(log),
            "written": counts["writes"].get("Vendor", 0), "realm": realm}   # not the realm's seed writes


def _is_read(request: dict) -> bool:
    return request["method"] == "GET" or request["path"].endswith("/query")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--plain-records", type=int, default=5000)
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--product-records", type=int, default=5000)
    parser.add_argument("--skip-plain", action="store_true", help="leave out the plain loop (slow)")
    args = parser.parse_args()
    proc, info = start_sandbox()
    try:
        admin = SandboxAdmin(info["base_url"])
        admin.settings(time_scale=args.time_scale, throttle_enabled=True)
        limits = Limits(time_scale=args.time_scale)
        print(f"QBO limits on, time scale {args.time_scale:g} (one QBO minute = {limits.window:.1f} s); "
              f"assumed ceiling {limits.ceiling()} operations a QBO minute "
              f"({limits.batch_requests_per_minute} batches of 30 + "
              f"{limits.requests_per_minute - limits.batch_requests_per_minute} singles; the pacer keeps "
              f"{limits.unpaced_reserve} of them for reads made outside it)")
        with tempfile.TemporaryDirectory() as folder:
            realm = admin.create_realm(projects_enabled=True, seed=False)
            conn = connection(info, realm, Path(folder))
            creates = [Operation(key=n, qbo_entity="Customer", action="create",
                                 body={"DisplayName": f"Bench {n}"}, version="1") for n in range(args.records)]
            pacer = LocalPacer(limits)
            seconds, engine, outcomes = engine_run(conn, pacer, creates)
            failed = sum(not o.ok for o in outcomes)
            ours = report("qbo-sync creates", len(creates), seconds, limits, failed, engine.stats)
            by_key = {o.key: o for o in outcomes if o.ok}
            updates = [Operation(key=n, qbo_entity="Customer", action="update",
                                 body={"Id": by_key[n].qbo_id, "SyncToken": by_key[n].sync_token, "sparse": True,
                                       "CompanyName": f"Bench {n} v2"}, version="2") for n in sorted(by_key)]
            seconds, engine, outcomes = engine_run(conn, pacer, updates)
            ours += report("qbo-sync updates", len(updates), seconds, limits,
                           sum(not o.ok for o in outcomes), engine.stats)
            throttled = [r for r in admin.requests(realm, limit=5000) if r["status"] == 429]
            print(f"429 answers seen by qbo-sync: {len(throttled)} (each one retried, none unhandled)")

            time.sleep(limits.window)    # a fresh QBO minute for the next realm's own budget
            product = product_path(info, admin, args.product_records, args.time_scale, Path(folder))
            report("qbo-sync sync --all --yes: writes", product["written"], product["seconds"], limits, 0,
                   f"429s {product['throttled']}  requests {product['requests']}  whole run {product['wall']:.0f} s")
            report(f"  ... with its {product['reads']} look-ups", product["written"], product["with_reads"], limits, 0,
                   "(look-ups for adoption before the first write)")
            if args.skip_plain:
                return 0
            realm2 = admin.create_realm(projects_enabled=True, seed=False)
            n = min(args.plain_records, args.records)
            seconds, hits, made = plain_loop(info, admin, realm2, n, limits.window, update=False)
            plain = report("plain python-quickbooks creates", n, seconds, limits, 0, f"429s {hits}")
            seconds, hits, _ = plain_loop(info, admin, realm2, n, limits.window, update=True, ids=made)
            plain += report("plain python-quickbooks updates", n, seconds, limits, 0, f"429s {hits}")
            plain_per_record = plain / (2 * n)
            ours_per_record = ours / (len(creates) + len(updates))
            print(f"qbo-sync is {plain_per_record / ours_per_record:.1f}x faster per record than the plain loop")
            product_per_record = product["with_reads"] / product["written"]
            print(f"qbo-sync sync --all --yes (push stage, look-ups included) is "
                  f"{plain_per_record / product_per_record:.1f}x faster per record than the plain loop")
    finally:
        proc.terminate()
        proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
