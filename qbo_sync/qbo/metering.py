"""Every QBO call counted by company, kind (read or write) and run; monthly totals kept.

Intuit's App Partner Program meters reads ("CorePlus" calls: 500,000 a month on the free
Builder tier, then the app is blocked and shows as offline); writes are not metered. The
reader and the push engine count each request they send here. Counts are kept in memory
and added to the staging database's monthly row (table qbo_calls) every FLUSH_EVERY calls
and when a stage ends, so a crash loses at most a few counts, never a run's worth.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timezone
from typing import Callable

READ, WRITE = "read", "write"
FLUSH_EVERY = 50
WARN_AT = 0.8        # share of the monthly read budget that sends the warning


def this_month() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m")


class ReadBudgetSpent(Exception):
    """The month's read budget is used up: optional reads are skipped, writes continue."""


class CallMeter:
    def __init__(self, db, realm_id: str, read_budget: int = 0,
                 warn: Callable[[str], None] | None = None,
                 current_run: Callable[[], str | None] = lambda: None):
        self.db, self.realm_id, self.read_budget = db, realm_id, read_budget
        self._warn, self._current_run = warn, current_run
        self._lock = threading.Lock()
        self._pending: Counter = Counter()
        self._by_run: dict[str | None, Counter] = {}
        self._stored_reads: int | None = None       # the month's reads at the last flush
        self._stored_writes = 0

    # --- counting ---------------------------------------------------------------------
    def current_run(self) -> str | None:
        return self._current_run()

    def add(self, kind: str, run: str | None = None) -> None:
        """run: the flow run, when the caller is a thread outside the run's context (the engine's workers)."""
        run = run or self._current_run()
        with self._lock:
            self._pending[kind] += 1
            self._by_run.setdefault(run, Counter())[kind] += 1
            due = sum(self._pending.values()) >= FLUSH_EVERY
        if due:
            self.flush()

    def of_run(self, run: str | None) -> dict[str, int]:
        counts = self._by_run.get(run, Counter())
        return {"reads": counts[READ], "writes": counts[WRITE]}

    # --- the monthly totals -------------------------------------------------------------
    def flush(self) -> None:
        """Add the counts not stored yet to this month's row; warn once at 80% of the budget."""
        from sqlalchemy import select, update

        from qbo_sync.db.models import QboCallMonth

        with self._lock:
            pending, self._pending = self._pending, Counter()
        month = this_month()
        warn = None
        try:
            with self.db.session() as session, session.begin():
                _ensure_row(session, self.realm_id, month)
                session.execute(update(QboCallMonth).where(
                    QboCallMonth.realm_id == self.realm_id, QboCallMonth.month == month).values(
                    reads=QboCallMonth.reads + pending[READ], writes=QboCallMonth.writes + pending[WRITE]))
                row = session.execute(select(QboCallMonth).where(
                    QboCallMonth.realm_id == self.realm_id, QboCallMonth.month == month)).scalar_one()
                self._stored_reads, self._stored_writes = row.reads, row.writes
                if self.read_budget and row.reads >= WARN_AT * self.read_budget and not row.read_warning_sent:
                    row.read_warning_sent = True
                    warn = budget_warning(row.reads, self.read_budget, month)
        except Exception:
            with self._lock:          # not stored: keep them for the next flush
                self._pending.update(pending)
            raise
        if warn and self._warn:
            self._warn(warn)

    def summary(self, run: str | None) -> dict:
        """For the run report: this run's calls and the month's, with the read budget."""
        self.flush()
        return {"run": self.of_run(run), "month": this_month(), "month_reads": self._stored_reads or 0,
                "month_writes": self._stored_writes, "read_budget": self.read_budget}

    def month_reads(self) -> int:
        if self._stored_reads is None:
            self.flush()
        with self._lock:
            return (self._stored_reads or 0) + self._pending[READ]

    def check_optional(self, what: str) -> None:
        """Before an optional read (reference lists, reconcile): ReadBudgetSpent past the budget."""
        if self.read_budget and self.month_reads() >= self.read_budget:
            raise ReadBudgetSpent(
                f"The monthly QuickBooks read budget is used up ({self.month_reads():,} of "
                f"{self.read_budget:,} reads in {this_month()}): {what} were not read from QuickBooks; "
                "writes continue. Raise qbo.monthly_read_budget, or wait for next month.")


def _ensure_row(session, realm_id: str, month: str) -> None:
    from qbo_sync.db.engine import upsert
    from qbo_sync.db.models import QboCallMonth

    upsert(session, QboCallMonth, [dict(realm_id=realm_id, month=month, reads=0, writes=0,
                                        read_warning_sent=False)],
           keys=["realm_id", "month"], columns=["realm_id"])


def summary_line(calls: dict) -> str:
    """One line for reports and the console: this run's calls, the month's, the budget used."""
    run = calls.get("run") or {}
    budget = calls.get("read_budget") or 0
    share = f" ({calls['month_reads'] / budget:.0%} of the {budget:,} budget)" if budget else ""
    spent = ("; the monthly read budget is used up: the reference lists and reconcile are not read "
             "from QuickBooks until next month, writes continue") if budget and calls["month_reads"] >= budget else ""
    return (f"QuickBooks calls: this run {run.get('reads', 0):,} reads and {run.get('writes', 0):,} writes; "
            f"{calls['month']}: {calls['month_reads']:,} reads{share} and {calls['month_writes']:,} writes{spent}")


def month_line(calls: dict) -> str:
    """The month's calls, for the console's runs page (as of the run that reported them)."""
    budget = calls.get("read_budget") or 0
    share = f" ({calls['month_reads'] / budget:.0%} of the monthly budget of {budget:,})" if budget else ""
    return (f"QuickBooks calls in {calls['month']}: {calls['month_reads']:,} reads{share} and "
            f"{calls['month_writes']:,} writes, as of the last run")


def budget_warning(reads: int, budget: int, month: str) -> str:
    return (f"qbo-sync has made {reads:,} QuickBooks reads in {month}, {reads / budget:.0%} of the monthly "
            f"budget of {budget:,} (qbo.monthly_read_budget). Past it, the reference lists and reconcile "
            "stop reading from QuickBooks until next month; writes continue.")
