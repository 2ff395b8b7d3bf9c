"""The push's progress artifact, updated from a thread of its own at most once a second.

The engine reports every settled request; updating Prefect's artifact there (an API call)
would hold the workers back. The engine only records the latest count here, and this
updater sends it on when it changed.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Callable


class ProgressUpdater:
    def __init__(self, show: Callable[[int, int], None], every_seconds: float = 1.0):
        self._show, self._every = show, every_seconds
        self._latest: tuple[int, int] | None = None
        self._shown: tuple[int, int] | None = None
        self._stop = threading.Event()
        # The task's context goes along, so prints still reach the flow run's log.
        self._thread = threading.Thread(target=contextvars.copy_context().run, args=(self._loop,),
                                        name="push-progress", daemon=True)

    def __call__(self, done: int, total: int) -> None:
        self._latest = (done, total)      # one assignment: safe from any worker thread

    def __enter__(self) -> "ProgressUpdater":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._flush()                      # the final count is always shown

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            self._flush()

    def _flush(self) -> None:
        latest = self._latest
        if latest is not None and latest != self._shown:
            self._shown = latest
            try:
                self._show(*latest)
            except Exception as exc:      # progress is a courtesy: it never stops a push
                print(f"Progress not updated: {exc}")
