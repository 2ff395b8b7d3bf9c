"""Console list at scale: 50,000 staged projects, pages rendered with filters, search, paging;
and 50,000 timesheets, whose pages also show employee and project names and sum the hours of
every record matching the filter.

Prints the server time of each page (the app's own Server-Timing header: routing, queries,
template) and the round trip through the ASGI test client. Target: every page under 300 ms.

    python bench/bench_console.py [--records 50000] [--database-url URL]

With --database-url (an empty database), both scenarios use it in turn: the timesheets then
sit beside the projects.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.testclient import TestClient  # noqa: E402

from qbo_sync.console import create_app  # noqa: E402
from qbo_sync.console.auth import hash_password  # noqa: E402
from qbo_sync.resources import Resources  # noqa: E402
from qbo_sync.settings import load_settings  # noqa: E402
from tests.console.seed import insert_projects, insert_timesheets  # noqa: E402

TARGET_MS = 300
PROJECT_PAGES = [
    ("first page", "/e/projects"),
    ("page 500 of 1000", "/e/projects?page=500"),
    ("last page", "/e/projects?page=1000"),
    ("200 per page, page 100", "/e/projects?per_page=200&page=100"),
    ("status Failed, page 200", "/e/projects?status=failed&page=200"),
    ("search 'harbor'", "/e/projects?q=harbor"),
    ("search 'harbor' + Synced, page 20", "/e/projects?status=synced&q=harbor&page=20"),
    ("search by id 'P-049999'", "/e/projects?q=P-049999"),
    ("search, no match", "/e/projects?q=zzz-nothing"),
    ("overview: counts, last run, QBO company", "/overview"),
]
# Timesheet pages also look up employee and project names; the foot's totals (every matching
# record's hours) come apart, after the page has shown: timed on their own, not against the target.
TIMESHEET_PAGES = [
    ("timesheets: first page", "/e/timesheets"),
    ("timesheets: Needs Action, page 100", "/e/timesheets?status=needs_action&page=100"),
    ("timesheets: search 'E-00007', 200/page", "/e/timesheets?q=E-00007&per_page=200"),
]
TOTALS = [
    ("totals of all 50,000 (after the page)", "/e/timesheets/totals"),
    ("totals of Needs Action (after the page)", "/e/timesheets/totals?status=needs_action"),
]


def _time(client, pages, repeat: int) -> float:
    worst = 0.0
    for label, path in pages:
        server, total = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            response = client.get(path)
            total.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            server.append(float(re.search(r"dur=([\d.]+)", response.headers["server-timing"]).group(1)))
        rows = response.text.count("<tr data-id=")
        worst = max(worst, max(server))
        print(f"{label:42} {rows:5d} {statistics.median(server):11.1f} / {max(server):6.1f}     "
              f"{statistics.median(total):10.1f}")
    return worst


def _scenario(args, seed, pages, extra=()) -> float:
    """One staging database of its own, seeded, and its pages timed: the slowest page's ms."""
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/staging.db"
        settings = load_settings(None, data_dir=Path(tmp), database_url=url, console={
            "secret_key": "bench", "users": [{"username": "bench", "role": "viewer",
                                              "password_hash": hash_password("bench-password")}]})
        res = Resources(settings)
        started = time.perf_counter()
        seed(res.db, args.records)
        print(f"\ninserted {args.records:,} staged records ({seed.__name__}) in "
              f"{time.perf_counter() - started:.1f} s ({url.split(':')[0]})")

        client = TestClient(create_app(settings, resources=res))
        login = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
        client.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": token})

        if any(path == "/overview" for _, path in pages):
            # The overview's first visit starts the embedded QBO sandbox and reads the company's
            # name (cached for minutes after): timed once, apart, and not against the page target.
            first = client.get("/overview")
            assert first.status_code == 200
            first_ms = float(re.search(r"dur=([\d.]+)", first.headers["server-timing"]).group(1))
            print(f"overview, first visit (QBO connect + company name): {first_ms:.1f} ms server time")
        print(f"{'page':42} {'rows':>5} {'server ms (median/max)':>24} {'round trip ms':>14}")
        worst = _time(client, pages, args.repeat)
        if extra:
            _time(client, extra, args.repeat)
        res.close()
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file per scenario")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    worst = max(_scenario(args, insert_projects, PROJECT_PAGES),
                _scenario(args, insert_timesheets, TIMESHEET_PAGES, TOTALS))
    verdict = "OK" if worst < TARGET_MS else "OVER TARGET"
    print(f"\nslowest page: {worst:.1f} ms server time (target {TARGET_MS} ms): {verdict}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
