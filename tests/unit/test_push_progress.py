"""The push's progress updater: off the engine's hot path, at most once an interval, the end always shown."""

from __future__ import annotations

import time

from qbo_sync.tasks.progress import ProgressUpdater


def test_many_counts_become_few_updates_and_the_last_count_is_shown():
    shown: list[tuple[int, int]] = []
    with ProgressUpdater(lambda done, total: shown.append((done, total)), every_seconds=0.2) as updater:
        for done in range(1, 2001):          # 2,000 settled requests in about half a second
            updater(done, 2000)
            time.sleep(0.00025)
    assert shown[-1] == (2000, 2000)
    assert 1 <= len(shown) <= 6
    assert shown == sorted(shown)


def test_a_failing_update_never_stops_the_push(capsys):
    def broken(done, total):
        raise RuntimeError("Prefect API unreachable")

    with ProgressUpdater(broken, every_seconds=0.05) as updater:
        updater(1, 2)
    assert "Progress not updated: Prefect API unreachable" in capsys.readouterr().out
