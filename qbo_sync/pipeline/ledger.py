"""Crash safety of the push: the write ledger and the per-company push lease.

Ledger: before a request leaves, each of its operations gets a row (record, operation key,
request id). The row goes when the operation's outcome is recorded on the record. A row
still there at the start of a push means the previous run died (or lost the answer)
between the two: the write may or may not have reached QBO. Such creates are reconciled
against QBO by natural key before anything is written again (see recovery.recover_in_doubt).

Lease: one row per company in `push_leases`, taken with an atomic
UPDATE ... WHERE the lease is free, expired, or held by a dead process on this machine.
It is renewed while the push runs, so two runs (two workers, two flow runs) never push
to the same company at once; the second waits for the first, then finds its records synced.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import PushLease, PushLedgerEntry

LEASE_SECONDS = 60
HOST = socket.gethostname()


class PushBusy(Exception):
    """Another run holds the company's push lease for longer than we were willing to wait."""


def _holder() -> str:
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead_local(holder: str | None) -> bool:
    """A holder on this machine whose process is gone (it was killed): its lease is free."""
    if not holder:
        return False
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _try_take(db: StagingDb, realm_id: str, holder: str, lease_seconds: float = LEASE_SECONDS) -> bool:
    now = datetime.now(timezone.utc)
    with db.session() as session, session.begin():
        if session.get(PushLease, realm_id) is None:
            try:
                with session.begin_nested():
                    session.add(PushLease(realm_id=realm_id, holder=None, expires_at=None))
            except IntegrityError:
                pass
    with db.session() as session, session.begin():
        current = session.get(PushLease, realm_id)
        free = PushLease.holder.is_(None) | (PushLease.expires_at < now)
        if current is not None and _dead_local(current.holder):
            free = free | (PushLease.holder == current.holder)
        taken = session.execute(update(PushLease).where(PushLease.realm_id == realm_id, free)
                                .values(holder=holder, expires_at=now + timedelta(seconds=lease_seconds))
                                .execution_options(synchronize_session=False))
        return taken.rowcount == 1


@contextmanager
def lease(db: StagingDb, realm_id: str, wait_seconds: float = 600,
          busy: Callable[[str], Exception] | None = None, lease_seconds: float = LEASE_SECONDS):
    """Hold the company's push lease for the block; wait for another holder up to wait_seconds.

    The same lease guards other work under another key (pipeline/staging_lock.py); `busy`
    makes the error raised when the wait is over, given the other holder; lease_seconds is how
    long the lease outlives its holder's last renewal."""
    holder = _holder()
    deadline = time.monotonic() + wait_seconds
    while not _taken(db, realm_id, holder, lease_seconds):
        if time.monotonic() > deadline:
            with db.session() as session:
                other = session.get(PushLease, realm_id)
            other_holder = other.holder if other and other.holder else "?"
            if busy is not None:
                raise busy(other_holder)
            raise PushBusy(f"another qbo-sync run ({other_holder}) is pushing to "
                           f"QuickBooks company {realm_id}; try again when it has finished")
        time.sleep(0.2)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease_seconds / 3):
            try:
                with db.session() as session, session.begin():
                    session.execute(update(PushLease).where(PushLease.realm_id == realm_id,
                                                            PushLease.holder == holder)
                                    .values(expires_at=datetime.now(timezone.utc) + timedelta(seconds=lease_seconds))
                                    .execution_options(synchronize_session=False))
            except OperationalError as exc:   # SQLite busy with a long write of this run: next time
                if "locked" not in str(exc).lower():
                    raise

    keeper = threading.Thread(target=renew, daemon=True)
    keeper.start()
    try:
        yield holder
    finally:
        stop.set()
        keeper.join()
        with db.session() as session, session.begin():
            session.execute(update(PushLease).where(PushLease.realm_id == realm_id, PushLease.holder == holder)
                            .values(holder=None, expires_at=None).execution_options(synchronize_session=False))


def _taken(db: StagingDb, realm_id: str, holder: str, lease_seconds: float) -> bool:
    try:
        return _try_take(db, realm_id, holder, lease_seconds)
    except OperationalError as exc:
        # SQLite: the holder is in the middle of a long write (an import); keep waiting.
        if "locked" in str(exc).lower():
            return False
        raise


def _record_id(op_key) -> int:
    return int(str(op_key).split(":")[0])


def record_sending(db: StagingDb, realm_id: str, operations, request_id: str, holder: str = "") -> None:
    """Before a request leaves: its operations are in doubt until their outcome is recorded."""
    now = datetime.now(timezone.utc)
    keys = [str(op.key) for op in operations]
    with db.session() as session, session.begin():
        session.execute(delete(PushLedgerEntry).where(PushLedgerEntry.realm_id == realm_id,
                                                      PushLedgerEntry.op_key.in_(keys)))
        session.execute(insert(PushLedgerEntry), [
            dict(realm_id=realm_id, op_key=str(op.key), record_id=_record_id(op.key), action=op.action,
                 qbo_entity=op.qbo_entity, request_id=request_id, holder=holder, sent_at=now)
            for op in operations])


def settled(session, realm_id: str, op_keys) -> None:
    """The outcome is on the record now (call inside the transaction that wrote it)."""
    keys = [str(k) for k in op_keys]
    for start in range(0, len(keys), 500):
        session.execute(delete(PushLedgerEntry).where(PushLedgerEntry.realm_id == realm_id,
                                                      PushLedgerEntry.op_key.in_(keys[start:start + 500])))


def forget_settled(db: StagingDb, realm_id: str) -> None:
    """Rows of records Synced as they stand: their outcome was recorded, only the row's removal was not."""
    from qbo_sync import statuses
    from qbo_sync.db.models import Record

    synced = select(Record.id).where(Record.status == statuses.SYNCED, Record.synced_hash == Record.content_hash)
    with db.session() as session, session.begin():
        session.execute(delete(PushLedgerEntry).where(PushLedgerEntry.realm_id == realm_id,
                                                      PushLedgerEntry.record_id.in_(synced))
                        .execution_options(synchronize_session=False))


def in_doubt(db: StagingDb, realm_id: str, record_ids) -> dict[str, PushLedgerEntry]:
    """{op key: ledger row} of writes sent by an earlier run whose outcome was never recorded."""
    ids = list(record_ids)
    found = {}
    with db.session() as session:
        for start in range(0, len(ids), 500):
            for row in session.scalars(select(PushLedgerEntry).where(
                    PushLedgerEntry.realm_id == realm_id,
                    PushLedgerEntry.record_id.in_(ids[start:start + 500]))):
                found[row.op_key] = row
    return found
