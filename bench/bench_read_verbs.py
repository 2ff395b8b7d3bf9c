"""The read-only verbs of the installed CLI on the demo company: how long each takes to answer.

Builds (or reuses) the wheel installed into a new virtualenv (scripts/installed_venv.py),
runs `qbo-sync demo` in an empty folder, then times each verb as a user runs it: a new
process per call, wall clock from start to exit. Prints median, fastest and slowest of
--repeat calls, the machine's load average, and the target (issue 12: under 0.3 s).

    python bench/bench_read_verbs.py [--repeat 7] [--qbo-sync PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.installed_venv import installed_venv  # noqa: E402

TARGET_S = 0.3
VERBS = [("status", "--json"), ("status", "--status", "Needs Action"), ("history", "projects/P-00003"),
         ("payload", "projects/P-00003"), ("report",), ("log",), ("mapping", "show")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--qbo-sync", help="an installed qbo-sync to time (default: the wheel's virtualenv)")
    args = parser.parse_args()
    cli = args.qbo_sync or str(installed_venv(log=lambda text: print(text, flush=True)) / "bin" / "qbo-sync")

    with tempfile.TemporaryDirectory(prefix="qbo-sync-bench-read-") as tmp:
        work = Path(tmp) / "company"
        work.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QBO_SYNC_", "PREFECT_"))}
        env.update(PREFECT_HOME=str(Path(tmp) / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180")
        print(f"qbo-sync demo in {work} ({cli})", flush=True)
        demo = subprocess.run([cli, "demo"], cwd=work, env=env, capture_output=True, text=True)
        if demo.returncode != 0:
            print(demo.stdout[-2000:], demo.stderr[-2000:])
            return 1

        print(f"\nRead-only verbs, a new process per call, {args.repeat} calls each "
              f"(load average before: {os.getloadavg()[0]:.1f})")
        print(f"{'verb':<32} {'median':>8} {'fastest':>8} {'slowest':>8}  under {TARGET_S} s")
        worst = 0.0
        for argv in VERBS:
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                done = subprocess.run([cli, *argv], cwd=work, env=env, capture_output=True, text=True)
                times.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(f"{' '.join(argv)} failed: {done.stderr.strip()}")
                    return 1
            median = statistics.median(times)
            worst = max(worst, median)
            print(f"{' '.join(argv):<32} {median:>7.3f}s {min(times):>7.3f}s {max(times):>7.3f}s  "
                  f"{'yes' if median < TARGET_S else 'NO'}")
        print(f"load average after: {os.getloadavg()[0]:.1f}; slowest median {worst:.3f} s "
              f"(target {TARGET_S} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
