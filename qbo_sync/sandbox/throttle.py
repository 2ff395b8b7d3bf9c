"""Per-realm throttling as QBO does it: requests a minute, batch requests a minute, and
requests in flight. The minute is the sandbox clock's and shrinks with `time_scale`.

Sliding windows of request times per realm; one lock makes it correct when requests
arrive from several threads at once. With throttling off `enter` returns at once.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque

from qbo_sync.sandbox.clock import Clock
from qbo_sync.sandbox.settings import Settings


class Throttle:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self._lock = threading.Lock()
        self._requests: dict[str, deque] = defaultdict(deque)
        self._batches: dict[str, deque] = defaultdict(deque)
        self._in_flight: dict[str, int] = defaultdict(int)

    def enter(self, realm: str, *, batch: bool = False) -> bool:
        """True: go ahead (and call leave() afterwards). False: answer 429."""
        s = self.settings
        with self._lock:
            if not s.throttle_enabled:
                self._in_flight[realm] += 1
                return True
            now = self.clock.now()
            window = 60.0 / s.time_scale
            requests = _trim(self._requests[realm], now - window)
            batches = _trim(self._batches[realm], now - window)
            if (self._in_flight[realm] >= s.concurrent_requests
                    or len(requests) >= s.requests_per_minute
                    or (batch and len(batches) >= s.batch_requests_per_minute)):
                return False
            requests.append(now)
            if batch:
                batches.append(now)
            self._in_flight[realm] += 1
            return True

    def leave(self, realm: str) -> None:
        with self._lock:
            self._in_flight[realm] = max(0, self._in_flight[realm] - 1)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._batches.clear()


def _trim(times: deque, oldest: float) -> deque:
    while times and times[0] <= oldest:
        times.popleft()
    return times
