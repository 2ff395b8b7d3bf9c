"""The staging lease: one stage at a time per staging database, re-entrant in a thread."""

from __future__ import annotations

import threading
import time

from qbo_sync.db.engine import StagingDb
from qbo_sync.pipeline.staging_lock import staging


def test_a_second_holder_waits_for_the_first_and_the_holder_may_nest(tmp_path):
    db = StagingDb(f"sqlite:///{tmp_path / 'staging.db'}")
    events: list[str] = []

    def second() -> None:
        with staging(db):
            events.append("second in")

    with staging(db):
        with staging(db):   # a stage inside a stage of the same run: no wait for itself
            events.append("first in")
        other = threading.Thread(target=second)
        other.start()
        time.sleep(1.0)
        events.append("first out")
    other.join(timeout=30)
    assert events == ["first in", "first out", "second in"]
    db.dispose()
