"""Pacing: keep every request to one QBO company under QBO's limits.

QBO allows per company 500 requests a minute, 10 at once, and 40 batch requests a minute.
The budget is split into two lanes that never overlap: batch requests (40 a minute) and
single requests (the remaining 460), so that their sum never passes 500; a third limit
caps the requests in flight.

Two pacers have the same interface (`slot(kind)`), chosen in one place (`for_realm`):
- `PrefectPacer` when settings say push.pacer prefect and a Prefect API is configured: Prefect's global concurrency limit and
  rate limits named `qbo-<realm>-inflight|batch|single`, so every worker and flow run that
  talks to that server shares one company's budget.
- `LocalPacer` otherwise (unit use, tests without a server): the same limits in-process,
  shared by every engine of the process.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Protocol

BATCH, SINGLE = "batch", "single"


@dataclass(frozen=True)
class Limits:
    """QBO's limits for one company; `time_scale` > 1 shrinks the minute (sandbox benchmarks)."""

    requests_per_minute: int = 500
    batch_requests_per_minute: int = 40
    concurrent_requests: int = 10
    time_scale: float = 1.0
    # A share of the single lane kept free for requests made outside the pacer (the reference
    # pull just before a push): without it they take a full window past QBO's 500 (429s).
    unpaced_share: float = 0.02

    @property
    def unpaced_reserve(self) -> int:
        return int(self.requests_per_minute * self.unpaced_share)     # 10 of QBO's 500

    @property
    def window(self) -> float:
        return 60.0 / self.time_scale

    def per_window(self, kind: str) -> int:
        """What the pacer lets through a window, per lane."""
        if kind == BATCH:
            return self.batch_requests_per_minute
        return self.requests_per_minute - self.batch_requests_per_minute - self.unpaced_reserve

    def ceiling(self, batch_size: int = 30) -> int:
        """The most operations a (QBO) minute QBO's limits allow: full batches plus singles."""
        return (self.batch_requests_per_minute * batch_size
                + self.requests_per_minute - self.batch_requests_per_minute)


class Pacer(Protocol):
    limits: Limits

    def slot(self, kind: str) -> Iterator[None]: ...   # a context manager: one request

    def pause(self, seconds: float) -> None: ...       # after a 429: nobody sends for a while


class LocalPacer:
    """Sliding windows of request times, as QBO counts them.

    A request's slot is stamped with the time its answer came back, not the time it was
    sent: QBO saw it at some moment in between, so the window can never be overrun on
    QBO's side, whatever the network delay.
    """

    def __init__(self, limits: Limits):
        self.limits = limits
        self._lock = threading.Condition()
        self._sent = {BATCH: deque(), SINGLE: deque()}
        self._in_flight = 0
        self._paused_until = 0.0

    @contextmanager
    def slot(self, kind: str):
        stamp = self._acquire(kind)
        try:
            yield
        finally:
            with self._lock:
                stamp[0] = time.monotonic()
                self._in_flight -= 1
                self._lock.notify_all()

    def _acquire(self, kind: str) -> list[float]:
        window, cap = self.limits.window, self.limits.per_window(kind)
        with self._lock:
            while True:
                now = time.monotonic()
                sent = self._sent[kind]
                while sent and sent[0][0] <= now - window:
                    sent.popleft()
                wait = self._paused_until - now
                if wait <= 0 and self._in_flight < self.limits.concurrent_requests and len(sent) < cap:
                    stamp = [float("inf")]         # in flight: occupies its slot until answered
                    sent.append(stamp)
                    self._in_flight += 1
                    return stamp
                if wait <= 0 and len(sent) >= cap and sent[0][0] != float("inf"):
                    wait = sent[0][0] + window - now
                self._lock.wait(timeout=max(0.001, min(wait, 0.5)) if wait > 0 else 0.05)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def full(self, kind: str) -> bool:
        """True when a request of this kind would have to wait for its lane right now."""
        window, cap = self.limits.window, self.limits.per_window(kind)
        with self._lock:
            now = time.monotonic()
            sent = self._sent[kind]
            while sent and sent[0][0] <= now - window:     # as _acquire counts it
                sent.popleft()
            return len(sent) >= cap or self._paused_until > now


class PrefectPacer:
    """Prefect's global concurrency and rate limits: one budget per company for all workers.

    A Prefect rate limit is a bucket of `limit` slots that drain at `slot_decay_per_second`;
    a small bucket keeps a burst plus a minute's drain under QBO's per-minute count.
    """

    BURST = {BATCH: 2, SINGLE: 10}

    def __init__(self, realm_id: str, limits: Limits):
        self.limits = limits
        self.names = {kind: f"qbo-{realm_id}-{kind}" for kind in (BATCH, SINGLE)}
        self.inflight = f"qbo-{realm_id}-inflight"
        self._ensure_limits()

    def _ensure_limits(self) -> None:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

        with get_client(sync_client=True) as client:
            for kind, name in self.names.items():
                burst = self.BURST[kind]
                decay = (self.limits.per_window(kind) - burst) * 0.97 / self.limits.window
                _create_or_update(client, GlobalConcurrencyLimitCreate(
                    name=name, limit=burst, slot_decay_per_second=decay))
            _create_or_update(client, GlobalConcurrencyLimitCreate(
                name=self.inflight, limit=self.limits.concurrent_requests))

    @contextmanager
    def slot(self, kind: str):
        from prefect.concurrency.sync import concurrency, rate_limit

        rate_limit(self.names[kind], strict=True)
        with concurrency(self.inflight, strict=True):
            yield

    def pause(self, seconds: float) -> None:
        time.sleep(seconds)    # the other workers get their own 429 and back off too


def _create_or_update(client, create) -> None:
    from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate
    from prefect.exceptions import ObjectNotFound

    try:
        client.read_global_concurrency_limit_by_name(create.name)
    except ObjectNotFound:
        client.create_global_concurrency_limit(create)
        return
    client.update_global_concurrency_limit(create.name, GlobalConcurrencyLimitUpdate(
        limit=create.limit, slot_decay_per_second=create.slot_decay_per_second))


_local: dict[tuple[str, Limits], LocalPacer] = {}
_local_lock = threading.Lock()


def for_realm(realm_id: str, limits: Limits | None = None, use_prefect: bool = False) -> Pacer:
    """The one place that picks the pacer (settings: push.pacer, push.time_scale).

    Prefect's limits are opt-in, not automatic: Prefect's temporary server (a flow run
    without PREFECT_API_URL, or the test harness) serves one process, where the
    in-process pacer is exact and costs no API calls.
    """
    limits = limits or Limits()
    if use_prefect:
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            raise RuntimeError("push.pacer prefect needs PREFECT_API_URL (a Prefect server shared by the workers)")
        return PrefectPacer(realm_id, limits)
    with _local_lock:
        return _local.setdefault((realm_id, limits), LocalPacer(limits))
