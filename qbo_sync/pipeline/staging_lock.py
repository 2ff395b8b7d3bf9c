"""One staging stage at a time per staging database: two runs' imports, validations and
mappings never overlap.

Two runs started at the same instant (a nightly schedule and a click, two workers, two
terminals) would both read what is staged and both insert the same new records: on
PostgreSQL the second fails with a unique-key error, on SQLite it waits on the database's
lock and fails the same way. The push has its lease (ledger.py); the stages that write staged
records take a lease of the same kind, under the key STAGING (a staging database holds one
company). The second run waits while the first runs a stage, then runs its own over what the
first staged: usually nothing new, and both succeed.

The lease is per stage, not per run: a run waiting to import does not wait for another's
push, which has its own lease. Re-entrant within a thread (a retry imports inside its stage).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from qbo_sync.db.engine import StagingDb
from qbo_sync.pipeline import ledger

STAGING = "staging"            # a key no QBO realm id can be (realm ids are digits)
WAIT_SECONDS = 3600            # a large company's import and validation take minutes, not hours
# Renewed every third of it; long, because a stage's one big write on SQLite can hold the
# database (and so the renewal) for minutes, and the lease must not lapse meanwhile.
LEASE_SECONDS = 600

_held = threading.local()


class StagingBusy(Exception):
    """Another run held the staging database for longer than we were willing to wait."""


def _busy(holder: str) -> Exception:
    return StagingBusy(f"another qbo-sync run ({holder}) has been importing, validating or mapping "
                       f"for over {WAIT_SECONDS // 60} minutes; try again when it has finished")


@contextmanager
def staging(db: StagingDb, wait_seconds: float = WAIT_SECONDS):
    """Hold the staging lease for the block, waiting for another run's stage to end."""
    depth = getattr(_held, "depth", {})
    _held.depth = depth
    if depth.get(db.url):
        depth[db.url] += 1
        try:
            yield
        finally:
            depth[db.url] -= 1
        return
    with ledger.lease(db, STAGING, wait_seconds=wait_seconds, busy=_busy, lease_seconds=LEASE_SECONDS):
        depth[db.url] = 1
        try:
            yield
        finally:
            depth[db.url] = 0
