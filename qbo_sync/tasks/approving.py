from __future__ import annotations

import sys

from prefect import task

from qbo_sync.pipeline.preview import Preview

APPROVALS = ("yes", "no", "prompt")


@task(name="approve")
def approve_stage(preview: Preview, approval: str, dry_run: bool = False) -> bool:
    """Decide whether the run may push. "prompt" asks on the terminal that started it."""
    if approval not in APPROVALS:
        raise ValueError(f"approval must be one of {', '.join(APPROVALS)}")
    writes = preview.writes()
    if dry_run:
        print("Dry run: nothing will be pushed.")
        return False
    if writes == 0:
        print("Nothing to push.")
        return False
    if approval == "yes":
        return True
    if approval == "prompt" and sys.stdin is not None and sys.stdin.isatty():
        answer = input(f"Push {writes} change(s) to QuickBooks? [y/N] ")
        return answer.strip().lower() in ("y", "yes")
    print("Not approved (answer the prompt, or pass --yes): nothing will be pushed.")
    return False
