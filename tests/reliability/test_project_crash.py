"""Project mode under a crash: a run killed between a GraphQL project create and its answer.

The create reached QuickBooks, but the run died before it could record the answer, so the
staging database knows only that the write is in doubt (the write ledger). The next run,
through the installed CLI, must end with one QBO project for that record, linked: not a
second project, not a Failed duplicate-name refusal (6240).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from qbo_sync.db.models import PushLedgerEntry, Record
from qbo_sync.pipeline import stages

REPO = Path(__file__).resolve().parents[2]
QBO_SYNC = Path(sys.executable).parent / "qbo-sync"

# The push as push_worker runs it, in a process that SIGKILLs itself the moment QuickBooks
# has answered its first project create: the project exists, the answer is never recorded.
KILLED_AFTER_FIRST_PROJECT_CREATE = """
import os, signal, sys
from qbo_sync.qbo.connection import QboConnection

send = QboConnection.graphql

def graphql(self, query, variables):
    answer = send(self, query, variables)
    created = ((answer.get("data") or {}).get("projectManagementCreateProject") or {}).get("id")
    if created:
        print("CREATED", created, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return answer

QboConnection.graphql = graphql
from tests.reliability.push_worker import main
main(sys.argv[1])
"""


def projects_named(res, name: str) -> list[dict]:
    escaped = name.replace("'", "\\'")
    found = res.qbo.client().query(f"SELECT * FROM Customer WHERE DisplayName = '{escaped}'")
    return found.get("QueryResponse", {}).get("Customer", [])


def test_sigkill_between_a_project_create_and_its_answer_links_that_project_next_run(
        prefect, make_resources, config_for, tmp_path):
    res = make_resources(sync={"project_mode": "project"})
    config = config_for(res)
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_FIRST_PROJECT_CREATE, config], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    created = next(line.split()[1] for line in killed.stdout.splitlines() if line.startswith("CREATED"))

    project = res.qbo.client().get_single_object("Customer", created)["Customer"]
    assert project["IsProject"] is True
    with res.db.session() as session:
        record = session.scalar(select(Record).where(Record.entity == "projects", Record.name == project["DisplayName"]))
        assert record.qbo_id is None, "the answer was never recorded"
        assert session.scalar(select(func.count()).select_from(PushLedgerEntry)
                              .where(PushLedgerEntry.record_id == record.id)) == 1, "the write is in doubt"

    from prefect.settings import PREFECT_API_URL

    # The next run as a user starts it, its flow on the session's Prefect server.
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_URL": PREFECT_API_URL.value()}
    again = subprocess.run([str(QBO_SYNC), "--config", config, "sync", "--all", "--yes", "--entity", "projects"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Traceback" not in again.stderr

    with res.db.session() as session:
        record = session.get(Record, record.id)
        assert (record.status, record.qbo_id) == ("synced", created), record.reasons
        assert session.scalar(select(func.count()).select_from(PushLedgerEntry)) == 0
        synced = list(session.scalars(select(Record).where(Record.entity == "projects", Record.status == "synced")))
        failed = session.scalar(select(func.count()).select_from(Record).where(Record.status == "failed"))
    assert failed == 0
    assert [o["Id"] for o in projects_named(res, project["DisplayName"])] == [created], "one project, not two"
    for other in synced:     # every project once in QuickBooks, held by its own record
        assert [o["Id"] for o in projects_named(res, other.name)] == [other.qbo_id]
    stages.run_preview(res, ["projects"])   # and nothing left to write
    assert not stages.run_preview(res, ["projects"]).to_push("projects")
