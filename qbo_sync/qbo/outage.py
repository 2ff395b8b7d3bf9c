"""QuickBooks not answering at all: how long to keep trying, and the plain words when we stop.

One Outage per company and process, shared by the reader and the push engine: any answer
from QBO ends an outage, and only when nothing has answered for the limit
(qbo.outage_minutes) does the run stop. A single record that keeps getting a 500 while
other requests succeed is not an outage; it fails on its own after its retries.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from qbo_sync.qbo.faults import QboFault


class QuickBooksDown(Exception):
    """QBO answered only server errors (or nothing) for the whole outage limit.

    written: records synced by the run before QBO went down; report: the run report, once made.
    """

    def __init__(self, status: int | str, seconds: float, written: int = 0):
        self.status, self.seconds, self.written = status, seconds, written
        self.report: dict | None = None
        super().__init__(outage_message(status, seconds, written))

    def __reduce__(self):   # picklable (Prefect keeps a failed run's exception)
        return (QuickBooksDown, (self.status, self.seconds, self.written), {"report": self.report})


def outage_message(status: int | str, seconds: float, written: int = 0) -> str:
    """The one line a finance person reads; `written`: records synced before QBO went down."""
    span = f"{round(seconds / 60)} minutes" if seconds >= 120 else f"{round(seconds)} seconds"
    done = "nothing was written" if not written else f"{written} records were written before it stopped"
    return f"QuickBooks did not answer ({status}) for {span}; {done}; the next run continues from here"


@dataclass
class Outage:
    limit_seconds: float = 240.0
    clock: callable = time.monotonic
    _since: float | None = field(default=None, init=False)
    _status: int | str = field(default="", init=False)

    def __post_init__(self):
        self._lock = threading.Lock()

    def answered(self) -> None:
        with self._lock:
            self._since = None

    @property
    def down(self) -> bool:
        """Nothing has answered since the last failure (every recent request failed)."""
        return self._since is not None

    def failed(self, fault: QboFault) -> None:
        """A 5xx or network failure; raises QuickBooksDown once nothing answered for the limit."""
        with self._lock:
            now = self.clock()
            if self._since is None:
                self._since = now
            self._status = fault.http_status or ("no connection" if fault.code == "network" else fault.code)
            if now - self._since >= self.limit_seconds:
                raise QuickBooksDown(self._status, now - self._since)

    def clip(self, wait: float) -> float:
        """A backoff, shortened so the last try comes when the limit is reached, not long after."""
        with self._lock:
            if self._since is None:
                return wait
            left = self.limit_seconds - (self.clock() - self._since)
        return max(0.0, min(wait, left))
