"""How long the timesheets suite takes on 100,000 weekly entries (a report, not a test).

    python -m tests.validation.bench_timesheets [rows]
"""

from __future__ import annotations

import random
import sys
import time

from qbo_sync.validation import validate_frame
from tests.validation.conftest import KNOWN, source_frame

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekly_rows(count: int, bad_every: int = 97) -> list[dict[str, str]]:
    rng = random.Random(7)
    rows = []
    for i in range(count):
        row = dict(entry_id=f"T{i}", employee_id=rng.choice(KNOWN["known_employee_ids"]),
                   project_id=rng.choice(KNOWN["known_project_ids"]), cost_code=rng.choice(KNOWN["known_cost_codes"]),
                   week_ending="2026-03-08", billable=rng.choice(["true", "false"]), hourly_rate="65",
                   description="framing")
        row.update({day: str(rng.choice([0, 4, 7.5, 8, 10])) for day in DAYS[:5]})
        if i % bad_every == 0:
            row[rng.choice(DAYS)] = rng.choice(["abc", "25", "-3"])
        rows.append(row)
    return rows


def main(count: int) -> None:
    frame = source_frame("timesheets", weekly_rows(count))
    started = time.perf_counter()
    validate_frame(suite_name="timesheets", df=frame.head(10), key="entry_id", parameters=KNOWN)
    print(f"first call (imports GX, builds the context): {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    outcome = validate_frame(suite_name="timesheets", df=frame, key="entry_id", parameters=KNOWN)
    elapsed = time.perf_counter() - started
    print(f"{outcome.checked:,} timesheet rows, {len(outcome.expectations)} expectations: {elapsed:.2f} s; "
          f"{len(outcome.reasons):,} entries Needs Action")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
