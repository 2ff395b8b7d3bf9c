"""Fault injection for reliability tests: server errors, slow answers, and writes that
are applied but whose answer never arrives (the connection drops), the case that makes
naive clients create duplicates. All off by default; off costs one comparison.
"""

from __future__ import annotations

import random
import threading

from qbo_sync.sandbox.settings import Settings


class Chaos:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._rng = random.Random()
        self._seed: int | None = None

    def _roll(self, share: float) -> bool:
        if share <= 0:
            return False
        with self._lock:
            if self.settings.fault_seed != self._seed:
                self._seed = self.settings.fault_seed
                self._rng.seed(self._seed)
            return self._rng.random() < share

    def server_error(self) -> int | None:
        """500 or 503 for this request, or None."""
        if not self._roll(self.settings.fault_rate):
            return None
        with self._lock:
            return self._rng.choice((500, 503))

    def delay(self) -> float:
        return self.settings.slow_seconds if self._roll(self.settings.slow_rate) else 0.0

    def drop_after_write(self) -> bool:
        return self._roll(self.settings.drop_after_write_rate)
