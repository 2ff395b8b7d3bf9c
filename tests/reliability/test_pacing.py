"""The in-process pacer: never more requests in any window than QBO allows, per lane."""

from __future__ import annotations

import threading
import time

from qbo_sync.qbo.pacing import BATCH, SINGLE, Limits, LocalPacer


def test_local_pacer_keeps_every_window_under_the_limits():
    # A QBO minute of 0.5 s: 8 batches and 12 singles per window, 3 at once.
    limits = Limits(requests_per_minute=20, batch_requests_per_minute=8, concurrent_requests=3,
                    time_scale=120)
    pacer = LocalPacer(limits)
    sent: dict[str, list[tuple[float, float]]] = {BATCH: [], SINGLE: []}
    in_flight, most = [0], [0]
    lock = threading.Lock()

    def send(kind: str) -> None:
        for _ in range(12):
            with pacer.slot(kind):
                with lock:
                    in_flight[0] += 1
                    most[0] = max(most[0], in_flight[0])
                began = time.monotonic()
                time.sleep(0.005)
                with lock:
                    in_flight[0] -= 1
                    sent[kind].append((began, time.monotonic()))

    threads = [threading.Thread(target=send, args=(k,)) for k in (BATCH, BATCH, SINGLE, SINGLE, SINGLE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] <= 3
    for kind, cap in ((BATCH, 8), (SINGLE, 12)):
        starts = sorted(b for b, _ in sent[kind])
        worst = max(sum(1 for s in starts if t <= s < t + limits.window) for t in starts)
        assert worst <= cap, f"{worst} {kind} requests in one window (cap {cap})"
    total = sorted(b for k in sent for b, _ in sent[k])
    assert max(sum(1 for s in total if t <= s < t + limits.window) for t in total) <= 20
    assert len(sent[BATCH]) == 24 and len(sent[SINGLE]) == 36


def test_ceiling_is_forty_batches_of_thirty_plus_the_remaining_singles():
    assert Limits().ceiling() == 1660
    assert Limits().ceiling(batch_size=10) == 860


def test_prefect_pacer_shares_one_budget_through_prefects_limits(prefect):
    from prefect.client.orchestration import get_client

    from qbo_sync.qbo.pacing import PrefectPacer

    limits = Limits(time_scale=60)
    pacer = PrefectPacer("9130000000000001", limits)
    started = time.monotonic()
    for _ in range(4):            # a burst of 2 batches, then the bucket drains at ~0.6 a (scaled) second
        with pacer.slot(BATCH):
            pass
    with pacer.slot(SINGLE):
        pass
    with get_client(sync_client=True) as client:
        batch = client.read_global_concurrency_limit_by_name("qbo-9130000000000001-batch")
        inflight = client.read_global_concurrency_limit_by_name("qbo-9130000000000001-inflight")
    # 38 batches a scaled minute (1 s) after the burst of 2, at 97%
    assert batch.limit == 2 and abs(batch.slot_decay_per_second - 38 * 0.97) < 0.01
    assert inflight.limit == 10 and inflight.active_slots == 0
    assert time.monotonic() - started < 30
