"""The production path of docs/operations.md, run as `make two-companies` runs it: a Prefect
server on PostgreSQL, `prefect deploy --all` from prefect.yaml, a process work pool, two
`prefect worker start` processes, and a nightly schedule that fires for two companies.
About five minutes on two cores; needs the PostgreSQL server of QBO_SYNC_TEST_POSTGRES_URL."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.fixtures import POSTGRES_URL
from tests.ops.prefect_server import REPO

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.mark.skipif(not POSTGRES_URL, reason="QBO_SYNC_TEST_POSTGRES_URL is not set")
def test_nightly_schedule_fires_for_two_companies_on_two_workers():
    admin_url = re.sub(r"^postgresql\+\w+://", "postgresql://", POSTGRES_URL).split("?")[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "QBO_SYNC_"))}
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "two_companies.py"), "--pg", admin_url,
                           "--db-prefix", "qbo_sync_two_test", "--timeout", "480"],
                          env=env, capture_output=True, text=True, timeout=720)
    out = done.stdout
    assert done.returncode == 0, out[-4000:] + done.stderr[-4000:]
    for company in ("north", "south"):
        line = next(line for line in out.splitlines() if line.strip().startswith(f"{company} ") and "nightly-" in line)
        assert re.search(rf"nightly-{company}-\d{{4}}-\d{{2}}-\d{{2}} +Completed +worker worker-[ab] +auto-scheduled True",
                         line), line
        assert re.search(rf"{company} +realm \d+: \d+ records staged, .*\d+ Synced", out), out
    assert "both runs Completed" in out
    assert "prefect deploy --all: nightly-north" in out and "Schedule set: qbo-sync/nightly-south" in out
