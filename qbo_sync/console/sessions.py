"""Sign-in state kept on the server: which sessions are live, and who is locked out.

The session cookie is signed but self-contained, so clearing it on sign-out does not stop a
copy of it from working. Each sign-in therefore gets a random session id that must still be
live here; sign-out (or the 8-hour limit) ends it, and a restarted console signs everyone out.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from typing import Callable

SESSION_ID = "sid"
SESSION_HOURS = 8


class LiveSessions:
    def __init__(self, lifetime_seconds: float = SESSION_HOURS * 3600,
                 clock: Callable[[], float] = time.monotonic):
        self._lifetime, self._clock = lifetime_seconds, clock
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()

    def start(self) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            # Forget the ended ones as we go: the table stays as small as the live sessions.
            self._expires = {s: t for s, t in self._expires.items() if t > now}
            self._expires[sid] = now + self._lifetime
        return sid

    def is_live(self, sid: object) -> bool:
        if not isinstance(sid, str):
            return False
        with self._lock:
            return self._expires.get(sid, 0) > self._clock()

    def end(self, sid: object) -> None:
        with self._lock:
            self._expires.pop(sid, None)


class LoginThrottle:
    """After `limit` wrong passwords for one user name within `window` seconds, that name is
    locked for `lockout` seconds; one address (several people behind one proxy) gets
    `ADDRESS_FACTOR` times as many tries before it is locked."""

    ADDRESS_FACTOR = 4

    def __init__(self, limit: int = 5, window: float = 15 * 60, lockout: float = 15 * 60,
                 clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.lockout, self._clock = limit, window, lockout, clock
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> list[str]:
        return [f"user:{username.strip().lower()}", f"addr:{address}"]

    def wait_seconds(self, username: str, address: str) -> float:
        """Seconds until this name and address may try again; 0 when they may now."""
        now = self._clock()
        with self._lock:
            return max([self._locked_until.get(k, 0) - now for k in self._keys(username, address)] + [0])

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > 10_000:   # made-up names must not grow this without end
                self._forget_before(now)
            for key in self._keys(username, address):
                recent = self._failures.setdefault(key, deque())
                recent.append(now)
                while recent and recent[0] <= now - self.window:
                    recent.popleft()
                if len(recent) >= self.limit * (self.ADDRESS_FACTOR if key.startswith("addr:") else 1):
                    self._locked_until[key] = now + self.lockout
                    recent.clear()

    def _forget_before(self, now: float) -> None:
        self._failures = {k: q for k, q in self._failures.items() if q and q[-1] > now - self.window}
        self._locked_until = {k: t for k, t in self._locked_until.items() if t > now}

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, "")[0], None)
