"""Pause CPython's cyclic garbage collector while a stage works through a set of records.

A stage builds hundreds of thousands of short-lived, acyclic objects (rows, dicts, strings)
while a large heap of long-lived objects (Great Expectations, pandas, SQLAlchemy) stays
alive. Each time the young objects pile up, the collector runs, and every few runs it walks
the whole heap, none of which it can free. Measured at size 212 (bench/bench_staging.py),
that walking was a fifth of import and validate. Reference counting still frees everything
as usual; only cycles wait until the stage ends, when the collector is on again.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_paused = 0   # stages running now with the collector paused (the console runs them in threads)


def paused(stage: Callable[P, R]) -> Callable[P, R]:
    """Run `stage` with the cyclic collector off; it is on again once no paused stage runs."""

    @functools.wraps(stage)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        global _paused
        with _lock:
            ours = _paused > 0 or gc.isenabled()   # turned off by someone else: leave it to them
            if ours:
                _paused += 1
                gc.disable()
        if not ours:
            return stage(*args, **kwargs)
        try:
            return stage(*args, **kwargs)
        finally:
            with _lock:
                _paused -= 1
                if _paused == 0:
                    gc.enable()

    return run
