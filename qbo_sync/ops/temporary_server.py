"""Prefect's temporary server, for a CLI run without PREFECT_API_URL, made to survive a busy
machine and two runs started together.

Prefect starts a temporary server (SQLite under PREFECT_HOME) on a flow's first API call and
gives it 20 s to answer. Two things went wrong with that here: at load average 6 on 2 cores
the start took longer than that, and two processes starting it on a new PREFECT_HOME at once
both ran its database migrations (`no such index: ix_flow_run__scheduler_...`).
`start()` starts it before the flow does: with a longer wait, and one process at a time per
PREFECT_HOME (a file lock), so the first creates the database and the next finds it ready.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

START_TIMEOUT_SECONDS = 180
LOCK_FILE = "qbo-sync-temporary-server.lock"


def start() -> None:
    """Start this process's temporary Prefect server unless PREFECT_API_URL names a server."""
    from prefect.settings import (PREFECT_API_URL, PREFECT_HOME, PREFECT_SERVER_EPHEMERAL_ENABLED,
                                  PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()   # the one instance Prefect's client uses too
    if server.running:
        return
    home = Path(PREFECT_HOME.value())
    home.mkdir(parents=True, exist_ok=True)
    timeout = max(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value(), START_TIMEOUT_SECONDS)
    with open(home / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            server.start(timeout=timeout)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
