"""The approve stage: whether a run may push, and what its report says when it may not."""

from __future__ import annotations

import sys

from prefect import task

from qbo_sync.ops.approval import APPROVED, NOT_APPROVED, Decision, settled_without_asking
from qbo_sync.pipeline.preview import Preview

APPROVALS = ("yes", "no", "prompt")


@task(name="approve", task_run_name="approve")
def approve_stage(preview: Preview, approval: str, dry_run: bool = False) -> Decision:
    """Decide whether the run may push. "prompt" asks on the terminal that started it."""
    if approval not in APPROVALS:
        raise ValueError(f"approval must be one of {', '.join(APPROVALS)}")
    decision = settled_without_asking(preview, dry_run)
    if decision is None:
        decision = _ask(preview, approval)
    if decision.note:
        print(decision.note)
    return decision


def _ask(preview: Preview, approval: str) -> Decision:
    if approval == "yes":
        return Decision(APPROVED)
    if approval == "prompt" and sys.stdin is not None and sys.stdin.isatty():
        answer = input(f"Push {preview.writes()} change(s) to QuickBooks? [y/N] ")
        if answer.strip().lower() in ("y", "yes"):
            return Decision(APPROVED, "Approved on the terminal.")
        return Decision(NOT_APPROVED, "Not approved on the terminal: nothing was pushed.")
    return Decision(NOT_APPROVED, "Not approved (answer the prompt, or pass --yes): nothing was pushed.")
