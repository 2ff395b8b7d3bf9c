"""The sandbox's clock: wall time plus an offset that tests move forward.

Token expiry, CDC windows, throttle windows and MetaData times all read this clock, so
`advance_clock` ages every one of them together. Times are written as QBO writes them,
with the company's UTC offset (fixed at -08:00 here, see docs/sandbox.md).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

COMPANY_TZ = timezone(timedelta(hours=-8))


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._offset += float(seconds)
            return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    def iso(self, at: float | None = None) -> str:
        """MetaData style: 2025-01-15T13:00:00-08:00."""
        return datetime.fromtimestamp(self.now() if at is None else at, COMPANY_TZ).isoformat(timespec="seconds")

    def iso_ms(self) -> str:
        """The `time` of a response: 2025-01-15T13:00:00.000-08:00."""
        return datetime.fromtimestamp(self.now(), COMPANY_TZ).isoformat(timespec="milliseconds")

    def today(self) -> str:
        return datetime.fromtimestamp(self.now(), COMPANY_TZ).date().isoformat()


def parse_time(text: str) -> float:
    """Epoch seconds from an ISO time; a time without offset is company time (as QBO reads it)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=COMPANY_TZ)
    return value.timestamp()
