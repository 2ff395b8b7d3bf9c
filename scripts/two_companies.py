"""Two companies on the production path: a Prefect server on PostgreSQL, `prefect deploy --all`
from prefect.yaml, a process work pool, two `prefect worker start` processes, and a nightly
schedule that fires for both companies.

    make two-companies        # or: .venv/bin/python scripts/two_companies.py [--pg URL] [--timeout S]

What it does, all on loopback, and undoes on the way out (also on Ctrl-C or a failure):
1. creates a fresh PostgreSQL database for the Prefect server (dropped at the end);
2. starts the local QBO sandbox with two demo companies (realms) and `prefect server start`;
3. writes settings with `companies: {north, south}` (each its own realm, CSV source, staging
   database) whose schedule is every minute, and connects each company to its realm;
4. `prefect work-pool create qbo-sync --type process`; writes a prefect.yaml as
   docs/operations.md tells a user to for several companies (the shipped one, with a
   `nightly-NAME` and `on-demand-NAME` entry per company) and runs `prefect deploy --all`
   in its folder, then `qbo-sync schedule --apply` (the schedule from the settings);
5. starts two `prefect worker start --pool qbo-sync --limit 1` processes;
6. waits until the server's scheduler has created a nightly run for each company and the
   workers have run them, then prints the flow runs, which worker ran which, whether they
   overlapped, the records synced per company and what each realm received.
Exit status 0 when both scheduled runs are Completed and no log holds a traceback.
Runs in `make test` too (tests/ops/test_two_companies.py), when PostgreSQL is there.
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
POOL = "qbo-sync"                       # the work pool prefect.yaml names
EVERY_MINUTE = "* * * * *"


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


def fresh_database(admin_url: str, prefix: str, stack: ExitStack) -> str:
    """CREATE DATABASE <prefix>_<hex> (with pg_trgm, which Prefect's server uses); dropped at exit."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
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
                           "schedule": {"every": "cron", "cron": EVERY_MINUTE}}
    settings = {
        "data_dir": str(work / "data"), "reports_dir": str(work / "reports"),
        "validations_dir": str(REPO / "validations"),
        "qbo": {"kind": "remote", "discovery_url": info["discovery_url"], "api_url_v3": info["api_url_v3"],
                "realm_id": realms["north"], "client_id": info["client_id"],
                "redirect_uri": info["redirect_uri"]},
        "sync": {"auto_confirm_customer": True},
        "companies": companies,
    }
    path = work / "settings.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


def write_prefect_yaml(work: Path) -> Path:
    """The shipped prefect.yaml with, as docs/operations.md says, the single nightly entry
    replaced by one nightly entry per company, and an on-demand entry per company."""
    import yaml

    shipped = yaml.safe_load((REPO / "prefect.yaml").read_text())
    by_name = {d["name"]: d for d in shipped["deployments"]}
    deployments = [d for d in shipped["deployments"] if d["name"] not in ("nightly", "on-demand")]
    for company in COMPANIES:
        for name in ("nightly", "on-demand"):
            entry = dict(by_name[name], name=f"{name}-{company}")
            entry["parameters"] = {**entry.get("parameters", {}), "company": company}
            deployments.append(entry)
    path = work / "prefect.yaml"
    path.write_text(yaml.safe_dump({**shipped, "deployments": deployments}, sort_keys=False))
    return path


def run(argv: list[str], env: dict, cwd: Path, what: str) -> str:
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


async def wait_for_scheduled_runs(timeout: float) -> dict:
    """{company: its first nightly run created by the scheduler}, once each is final (or at the timeout)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName, FlowRunFilter
    from prefect.client.schemas.filters import FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType

    deadline = time.monotonic() + timeout
    async with get_client() as client:
        while True:
            runs = {}
            for company in COMPANIES:
                found = await client.read_flow_runs(
                    deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[f"nightly-{company}"])),
                    flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(
                        not_any_=[StateType.SCHEDULED]))), sort="EXPECTED_START_TIME_ASC", limit=1)
                if found:
                    runs[company] = found[0]
            if (len(runs) == len(COMPANIES) and all(r.state.is_final() for r in runs.values())) \
                    or time.monotonic() > deadline:
                return runs
            await asyncio.sleep(3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL database to connect to for CREATE/DROP DATABASE")
    parser.add_argument("--db-prefix", default="qbo_sync_two", help="name prefix of the database it creates")
    parser.add_argument("--timeout", type=float, default=420, help="give up after this many seconds")
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
        database = fresh_database(args.pg, args.db_prefix, stack)
        say(f"Prefect database: {database.rsplit('/', 1)[1]} (PostgreSQL)")

        sandbox = stack.enter_context(SandboxServer())
        info = sandbox.info
        admin = SandboxAdmin(info["base_url"])
        realms = {name: admin.create_realm(projects_enabled=True, seed=True) for name in COMPANIES}
        say("sandbox realms: " + ", ".join(f"{n}={r}" for n, r in realms.items()))
        config = write_settings(work, info, realms)

        # Secrets reach the runs through the workers' environment, never through files.
        port = free_port()
        api = f"http://127.0.0.1:{port}/api"
        env = {**os.environ, "PREFECT_API_URL": api, "PREFECT_HOME": str(work / "prefect-home"),
               "PREFECT_SERVER_DATABASE_CONNECTION_URL": database,
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
               "QBO_SYNC_CONFIG": str(config), "QBO_SYNC_HOME": str(work),
               "QBO_SYNC_QBO__CLIENT_SECRET": info["client_secret"],
               "QBO_SYNC_TOKEN_KEY": Fernet.generate_key().decode()}
        os.environ.update({k: env[k] for k in ("PREFECT_API_URL", "PREFECT_HOME", "QBO_SYNC_QBO__CLIENT_SECRET",
                                                "QBO_SYNC_TOKEN_KEY", "QBO_SYNC_CONFIG")})
        server = procs.start("prefect-server", [sys.executable, "-m", "prefect", "server", "start",
                                                "--host", "127.0.0.1", "--port", str(port)], env)
        wait_for(api + "/health", server, 180)
        say(f"Prefect server on {api}")

        from qbo_sync.ops.companies import company_settings
        from qbo_sync.settings import load_settings

        top = load_settings(config)
        for name in COMPANIES:
            res = Resources(company_settings(top, name))
            res.qbo.connect_headless()    # what `qbo-sync connect` does for a real company
            res.close()

        prefect, qbo_sync = [sys.executable, "-m", "prefect"], [sys.executable, "-m", "qbo_sync.cli"]
        run(prefect + ["work-pool", "create", POOL, "--type", "process"], env, work, "prefect work-pool create")
        write_prefect_yaml(work)
        run(prefect + ["--no-prompt", "deploy", "--all"], env, work, "prefect deploy --all")
        say("prefect deploy --all: " + ", ".join(f"{d}-{c}" for c in COMPANIES for d in ("nightly", "on-demand"))
            + ", retry-failed, pull")
        for line in run(qbo_sync + ["schedule", "--apply"], env, work, "qbo-sync schedule --apply").splitlines():
            say(line)
        for worker in WORKERS:
            procs.start(worker, prefect + ["worker", "start", "--pool", POOL, "--name", worker, "--limit", "1"], env)

        say("waiting for the scheduler's nightly run of each company ...")
        left = args.timeout - (time.monotonic() - started)
        runs = asyncio.run(wait_for_scheduled_runs(max(left, 60)))
        return report(runs, procs, admin, realms, top)


WORKERS = ("worker-a", "worker-b")


def _total(count) -> int:
    return sum(count.values()) if isinstance(count, dict) else int(count)


def report(runs: dict, procs: Processes, admin, realms: dict[str, str], top) -> int:
    from qbo_sync.ops.companies import company_settings
    from qbo_sync.resources import Resources
    from qbo_sync.views import status_rows

    print("\nScheduled nightly runs (created by the server's scheduler)")
    ok = len(runs) == len(COMPANIES)
    for name in COMPANIES:
        run = runs.get(name)
        if run is None:
            print(f"  {name:6} no run")
            continue
        worker = next((w for w in WORKERS if str(run.id) in procs.log(w)), "?")
        state = run.state.name if run.state else "?"
        if run.start_time and run.end_time:
            seconds = (run.end_time - run.start_time).total_seconds()
            print(f"  {name:6} {run.name:28} {state:10} worker {worker}  auto-scheduled {run.auto_scheduled}  "
                  f"{run.start_time:%H:%M:%S}-{run.end_time:%H:%M:%S} ({seconds:.1f} s)")
        else:
            print(f"  {name:6} {run.name:28} {state}")
        ok = ok and bool(run.state and run.state.is_completed() and run.auto_scheduled)
    timed = [r for r in runs.values() if r.start_time and r.end_time]
    if len(timed) == len(COMPANIES):
        overlap = min(r.end_time for r in timed) - max(r.start_time for r in timed)
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
    for name in ("prefect-server", *WORKERS):
        errors = [line for line in procs.log(name).splitlines() if re.search(r"\b(ERROR|Traceback)\b", line)]
        if errors:
            ok = False
            print(f"\n{name} log errors:\n  " + "\n  ".join(errors[:10]))
    print("\nresult: " + ("the nightly schedule fired for both companies; both runs Completed" if ok
                          else "a scheduled run is missing or did not complete"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
