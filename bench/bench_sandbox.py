"""How fast the local QBO sandbox answers, so we know it is never the bottleneck.

Starts `qbo-sync sandbox` in its own process (in memory, throttling off) and drives it
with python-quickbooks clients over HTTP from a few threads: simple reads (Customer.get)
and simple creates (Customer.save). Prints requests per second for each.

    python bench/bench_sandbox.py [--seconds 5] [--threads 4]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

from intuitlib.client import AuthClient  # noqa: E402
from quickbooks import QuickBooks  # noqa: E402
from quickbooks.objects import Customer  # noqa: E402

from qbo_sync.sandbox.admin_client import SandboxAdmin  # noqa: E402

TARGET_PER_SECOND = 500


def client(info: dict, admin: SandboxAdmin) -> QuickBooks:
    tokens = admin.issue_tokens(info["realm_id"])
    auth = AuthClient(info["client_id"], info["client_secret"], info["redirect_uri"],
                      environment=info["discovery_url"], access_token=tokens["access_token"],
                      refresh_token=tokens["refresh_token"])
    qb = QuickBooks(auth_client=auth, refresh_token=tokens["refresh_token"],
                    company_id=info["realm_id"], minorversion=75)
    qb.api_url_v3 = info["api_url_v3"]
    return qb


def measure(name: str, clients: list[QuickBooks], work, seconds: float) -> float:
    stop = time.monotonic() + seconds
    counter = itertools.count()
    done = [0] * len(clients)

    def loop(i: int) -> None:
        while time.monotonic() < stop:
            work(clients[i], next(counter))
            done[i] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(loop, range(len(clients))))
    rate = sum(done) / (time.monotonic() - started)
    verdict = "ok" if rate >= TARGET_PER_SECOND else f"BELOW the {TARGET_PER_SECOND}/s target"
    print(f"{name:<28} {sum(done):>7} requests  {rate:>8.0f} /s  ({verdict})", flush=True)
    return rate


def read(qb: QuickBooks, n: int) -> None:
    Customer.get(str(n % 8 + 1), qb=qb)


def create(run: str):
    def work(qb: QuickBooks, n: int) -> None:
        c = Customer()
        c.DisplayName = f"Bench {run} {n}"
        c.save(qb=qb)
    return work


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    proc = subprocess.Popen([sys.executable, "-m", "qbo_sync.sandbox.serve", "--port", "0",
                             "--db", ":memory:", "--json"], stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        admin = SandboxAdmin(info["base_url"])
        admin.settings(throttle_enabled=False)
        clients = [client(info, admin) for _ in range(args.threads)]
        print(f"sandbox {info['base_url']}, {args.threads} client threads, {args.seconds:g} s each, "
              "throttling off, sandbox in its own process", flush=True)
        reads = measure("reads  (Customer.get)", clients, read, args.seconds)
        creates = measure("creates (Customer.save)", clients, create(str(int(time.time()))), args.seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0 if min(reads, creates) >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
