"""Long actions (imports, sync and retry flow runs) in background threads, polled by the page.

One job at a time: two syncs of one staging database at once would race for the same
records, so a second start is refused with the running job's name.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import threading
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

log = logging.getLogger(__name__)


class Busy(Exception):
    pass


@dataclass
class Job:
    id: int
    title: str
    started_by: str
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    state: str = "running"             # running | done | failed
    message: str = ""                  # the outcome (or the error) in plain words
    progress: Callable[[], str] | None = None
    report: dict | None = None
    link: str = ""                     # a page of its own for the outcome (a rehearsal's report)

    def progress_text(self) -> str:
        if self.state != "running" or self.progress is None:
            return ""
        try:
            return self.progress()
        except Exception:   # progress is a courtesy; a failed count must not fail the poll
            return ""


class JobRunner:
    def __init__(self, user_errors: tuple[type[BaseException], ...] = ()):
        self._ids = itertools.count(1)
        self._jobs: dict[int, Job] = {}
        self._lock = threading.Lock()
        self._user_errors = user_errors

    def start(self, title: str, user: str, work: Callable[[Job], str],
              progress: Callable[[], str] | None = None) -> Job:
        with self._lock:
            running = next((j for j in self._jobs.values() if j.state == "running"), None)
            if running:
                raise Busy(f"\"{running.title}\" is still running (started by {running.started_by}); "
                           "wait for it to finish")
            job = Job(next(self._ids), title, user, progress=progress)
            self._jobs[job.id] = job
        # Prefect's settings (its API URL in tests) live in context variables: carry them over.
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(self._run, job, work), daemon=True,
                         name=f"console-job-{job.id}").start()
        return job

    def _run(self, job: Job, work: Callable[[Job], str]) -> None:
        try:
            job.message = work(job)
            job.state = "done"
        except Exception as exc:
            job.state = "failed"
            from qbo_sync.console.outage import explain

            if isinstance(exc, self._user_errors):
                job.message = str(exc)
            elif explain(exc):   # QBO out of reach: plain words, and what happens next
                log.warning("console job %s: QuickBooks out of reach: %s", job.title, exc)
                job.message = explain(exc)
            else:
                log.error("console job %s failed:\n%s", job.title, traceback.format_exc())
                job.message = f"{type(exc).__name__}: {exc}"

    def get(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def wait_idle(self, timeout: float = 60) -> None:
        """For tests and shutdown: wait until no job runs."""
        import time

        deadline = time.monotonic() + timeout
        while any(j.state == "running" for j in self._jobs.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
