"""One push of one entity's records: what every job of the push (operations, recovery,
outcomes, deletes) shares, held once instead of passed along as positional values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from qbo_sync.db.engine import StagingDb
from qbo_sync.entities.base import EntitySpec
from qbo_sync.pipeline import ledger
from qbo_sync.qbo.engine import Operation, Outcome, PushEngine
from qbo_sync.settings import SyncSettings


@dataclass
class PushResult:
    entity: str
    created: int = 0
    updated: int = 0
    linked: int = 0            # updates of objects QBO held before (adopted): the preview's "link"
    failed: list[tuple[str, str]] = field(default_factory=list)   # (source id, plain reason)
    needs_action: list[tuple[str, str]] = field(default_factory=list)  # held back at push time
    deleted: int = 0                                                 # QBO objects deleted
    deleted_ids: list[str] = field(default_factory=list)             # their source ids
    reapplied: int = 0         # updates refused as stale (5010), refetched and written again
    in_doubt: int = 0          # writes an earlier run sent without recording the answer
    recovered: int = 0         # of those, found in QBO and adopted instead of created again

    @property
    def synced(self) -> int:
        return self.created + self.updated + self.linked


@dataclass
class PushRun:
    db: StagingDb
    engine: PushEngine
    spec: EntitySpec
    sync: SyncSettings
    mappings: Any                      # qbo_sync.mappings.Mappings
    result: PushResult
    realm: str
    holder: str                        # the push lease this run holds
    flow_run_id: str | None = None

    def send(self, operations: list[Operation], on_outcomes: Callable[[list[Outcome]], None],
             on_progress: Callable[[int, int], None] | None = None) -> None:
        """Run the operations, each entered in the write ledger before it is sent."""
        self.engine.run(operations, on_progress=on_progress, on_outcomes=on_outcomes,
                        before_send=lambda sent, request_id: ledger.record_sending(
                            self.db, self.realm, sent, request_id, self.holder))

    def settled(self, keys: list) -> None:
        """Operations whose outcome is recorded: no longer in doubt."""
        with self.db.session() as session, session.begin():
            ledger.settled(session, self.realm, keys)


def record_of(key) -> int:
    """The record id of an operation key ("12", or "12:mon" for one part of a record)."""
    return int(str(key).split(":")[0])
