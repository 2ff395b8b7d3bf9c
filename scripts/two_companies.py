"""Several companies at once: a Prefect server on PostgreSQL, two process workers, two
sandbox realms synced in parallel through deployments.

    . .venv/bin/activate && python scripts/two_companies.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]

What it does, all on loopback, and undoes on the way out (also on Ctrl-C or a failure):
1. creates a fresh PostgreSQL database for the Prefect server (dropped at the end);
2. starts the local QBO sandbox with two demo companies (realms) and `prefect server start`;
3. writes settings with `companies: {north, south}` (each its own realm, CSV source, staging
   database and schedule) and connects each company to its realm;
4. creates a process work pool, registers the deployments of both companies on it
   (qbo_sync.ops.deployments.build_deployments, as `make serve` does), and starts two
   `prefect worker start --pool ... --limit 1` processes;
5. starts `on-demand-north` and `on-demand-south` at the same time (approval yes) and waits;
6. prints the flow runs, which worker ran which, whether they overlapped in time, the
   records synced per company and the QBO requests each realm received.
Bounded: it gives up after --timeout seconds (default 300). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
COMPANIES = {"north": 7, "south": 11}   # company -> demo source seed
POOL = "qbo-sync-two-companies"
ENTITIES = ["projects", "cost_codes", "employees", "vendors"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


class Processes:
    """Child processes started here, each in its own process group, stopped at exit."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")
        proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.started.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for name, proc in reversed(self.started):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for name, proc in reversed(self.started):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def fresh_database(admin_url: str, stack: ExitStack) -> str:
    """CREATE DATABASE qbo_sync_two_<hex> (with pg_trgm, which Prefect's server uses); dropped at exit."""
    import psycopg

    name = f"qbo_sync_two_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        say(f"dropped database {name}")

    stack.callback(drop)
    base = admin_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    return f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)


def wait_for(url: str, proc: subprocess.Popen, seconds: float) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def write_settings(work: Path, info: dict, realms: dict[str, str]) -> Path:
    import yaml

    from qbo_sync.sources.demo import DemoSource

    companies = {}
    for name, seed in COMPANIES.items():
        folder = work / "sources" / name
        DemoSource(size=1, seed=seed).write_csv(folder)
        companies[name] = {"realm_id": realms[name],
                           "source": {"kind": "csv", "csv": {"path": str(folder)}},
                           "schedule": {"at": "01:00" if name == "north" else "01:30"}}
    settings = {
        "data_dir": str(work / "data"), "reports_dir": str(work / "reports"),
        "qbo": {"kind": "remote", "discovery_url": info["discovery_url"], "api_url_v3": info["api_url_v3"],
                "realm_id": realms["north"], "client_id": info["client_id"],
                "redirect_uri": info["redirect_uri"]},
        "sync": {"auto_confirm_customer": True},
        "companies": companies,
    }
    path = work / "settings.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


def register_deployments(config: Path) -> list[str]:
    """The deployments `make serve` builds, registered on the process pool (no serve process)."""
    from qbo_sync.ops.deployments import build_deployments
    from qbo_sync.settings import load_settings

    names = []
    for deployment in build_deployments(load_settings(config), str(config)):
        deployment.job_variables = {"working_dir": str(REPO)}
        deployment.apply(work_pool_name=POOL)
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names


async def run_both(timeout: float) -> list:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    async with get_client() as client:
        runs = [await run_deployment(f"qbo-sync/on-demand-{name}", client=client, timeout=0,
                                     parameters={"entities": ENTITIES, "mode": "all", "approval": "yes"})
                for name in COMPANIES]
        deadline = time.monotonic() + timeout
        while True:
            runs = [await client.read_flow_run(r.id) for r in runs]
            if all(r.state and r.state.is_final() for r in runs) or time.monotonic() > deadline:
                return runs
            await asyncio.sleep(2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL database to connect to for CREATE/DROP DATABASE")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    started = time.monotonic()

    from cryptography.fernet import Fernet

    from qbo_sync.resources import Resources
    from qbo_sync.sandbox.admin_client import SandboxAdmin
    from qbo_sync.sandbox.server import SandboxServer

    work = Path(tempfile.mkdtemp(prefix="qbo-sync-two-"))
    (work / "logs").mkdir()
    procs = Processes(work / "logs")
    with ExitStack() as stack:
        stack.callback(lambda: shutil.rmtree(work, ignore_errors=True))
        stack.callback(procs.stop_all)
        database = fresh_database(args.pg, stack)
        say(f"Prefect database: {database.rsplit('/', 1)[1]} (PostgreSQL)")

        sandbox = stack.enter_context(SandboxServer())
        info = sandbox.info
        admin = SandboxAdmin(info["base_url"])
        realms = {name: admin.create_realm(projects_enabled=True, seed=True) for name in COMPANIES}
        say("sandbox realms: " + ", ".join(f"{n}={r}" for n, r in realms.items()))

        # Secrets reach the runs through the environment, never through the settings files.
        port = free_port()
        api = f"http://127.0.0.1:{port}/api"
        env = {**os.environ, "PREFECT_API_URL": api, "PREFECT_HOME": str(work / "prefect-home"),
               "PREFECT_SERVER_DATABASE_CONNECTION_URL": database,
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
               "QBO_SYNC_QBO__CLIENT_SECRET": info["client_secret"],
               "QBO_SYNC_TOKEN_KEY": Fernet.generate_key().decode(), "PYTHONPATH": str(REPO)}
        os.environ.update({k: env[k] for k in ("PREFECT_API_URL", "PREFECT_HOME", "QBO_SYNC_QBO__CLIENT_SECRET",
                                                "QBO_SYNC_TOKEN_KEY")})
        server = procs.start("prefect-server", [sys.executable, "-m", "prefect", "server", "start",
                                                "--host", "127.0.0.1", "--port", str(port)], env)
        wait_for(api + "/health", server, 120)
        say(f"Prefect server on {api}")

        config = write_settings(work, info, realms)
        from qbo_sync.ops.companies import company_settings
        from qbo_sync.settings import load_settings

        top = load_settings(config)
        for name in COMPANIES:
            res = Resources(company_settings(top, name))
            res.qbo.connect_headless()    # what `qbo-sync connect` does for a real company
            res.close()
        subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create", POOL, "--type", "process"],
                       env=env, check=True, capture_output=True, timeout=60)
        say("deployments: " + ", ".join(register_deployments(config)))
        for worker in ("worker-a", "worker-b"):
            procs.start(worker, [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL,
                                 "--name", worker, "--limit", "1"], env)

        say(f"starting on-demand-north and on-demand-south ({', '.join(ENTITIES)}) ...")
        left = args.timeout - (time.monotonic() - started)
        runs = asyncio.run(run_both(max(left, 30)))
        return report(runs, procs, admin, realms, top)


def _total(count) -> int:
    return sum(count.values()) if isinstance(count, dict) else int(count)


def report(runs, procs: Processes, admin, realms: dict[str, str], top) -> int:
    from qbo_sync.ops.companies import company_settings
    from qbo_sync.resources import Resources
    from qbo_sync.views import status_rows

    print("\nFlow runs")
    ok = True
    for name, run in zip(COMPANIES, runs):
        worker = next((w for w in ("worker-a", "worker-b") if str(run.id) in procs.log(w)), "?")
        seconds = (run.end_time - run.start_time).total_seconds() if run.end_time and run.start_time else 0
        print(f"  {name:6} {run.name:24} {run.state.name if run.state else '?':10} worker {worker}  "
              f"{run.start_time:%H:%M:%S}-{run.end_time:%H:%M:%S} ({seconds:.1f} s)"
              if run.start_time and run.end_time else f"  {name:6} {run.name} {run.state.name if run.state else '?'}")
        ok = ok and bool(run.state and run.state.is_completed())
    if all(r.start_time and r.end_time for r in runs):
        overlap = min(r.end_time for r in runs) - max(r.start_time for r in runs)
        print(f"  overlap of the two runs: {max(overlap.total_seconds(), 0):.1f} s")
    print("\nPer company (its own realm and staging database)")
    for name in COMPANIES:
        res = Resources(company_settings(top, name))
        rows = status_rows(res.db)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        res.close()
        qbo = admin.counts(realms[name])
        print(f"  {name:6} realm {realms[name]}: {len(rows)} records staged, "
              + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
              + f"; objects this realm read/wrote: {_total(qbo['reads'])} reads, {_total(qbo['writes'])} writes")
    for worker in ("worker-a", "worker-b"):
        errors = [line for line in procs.log(worker).splitlines() if re.search(r"\b(ERROR|Traceback)\b", line)]
        if errors:
            print(f"\n{worker} log errors:\n  " + "\n  ".join(errors[:10]))
    print("\nresult: " + ("both companies synced in parallel" if ok else "a run did not complete"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
