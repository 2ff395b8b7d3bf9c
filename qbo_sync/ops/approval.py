"""Approval: in the Prefect UI for on-demand runs, by a setting for scheduled ones."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import Field

from qbo_sync.pipeline.preview import Preview

APPROVAL_TIMEOUT_SECONDS = 3600

# What a run's approval came to; each is also the Run row's outcome when nothing was pushed.
APPROVED = "approved"
NOTHING_TO_PUSH = "nothing to push"
DRY_RUN = "dry run"
NOT_APPROVED = "not approved"
REJECTED = "rejected"          # refused in the Prefect UI, by its timeout, or by the schedule rule


@dataclass(frozen=True)
class Decision:
    outcome: str
    note: str = ""             # the report's sentence: who decided, and why

    @property
    def approved(self) -> bool | None:
        """True: push. None: there was nothing to decide (nothing to write). False: held back."""
        if self.outcome == NOTHING_TO_PUSH:
            return None
        return self.outcome == APPROVED


def settled_without_asking(preview: Preview, dry_run: bool) -> Decision | None:
    """Dry runs and runs with nothing to write need no answer from anyone."""
    if dry_run:
        return Decision(DRY_RUN, "Dry run: nothing was pushed.")
    if preview.writes() == 0:
        return Decision(NOTHING_TO_PUSH, "Nothing to push: QuickBooks already has every change.")
    return None


def preview_summary(res, preview: Preview, artifact_key: str = "sync-preview-rows") -> str:
    """The markdown shown above the approval form: what pushing would write per entity, the
    hours and amounts per project, and what is held back (ops/approval_summary.py)."""
    from qbo_sync.ops.approval_summary import build

    return build(res.db, preview, res.settings.console.public_url).to_markdown(artifact_key)


def deletes_in(preview: Preview) -> int:
    return sum(1 for row in preview.rows if getattr(row, "action", None) == "delete")


def scheduled_approval(preview: Preview, rule: str) -> bool:
    """A nightly run approves by setting: always, or only when it deletes nothing in QBO."""
    if rule == "always":
        return True
    if rule == "no-deletes":
        return deletes_in(preview) == 0
    raise ValueError(f"schedule.approve must be always or no-deletes, not {rule!r}")


def decide_by_schedule(preview: Preview, rule: str) -> Decision:
    if scheduled_approval(preview, rule):
        return Decision(APPROVED, f"Approved by the schedule.approve setting ({rule}).")
    return Decision(REJECTED, f"Rejected by the schedule.approve setting ({rule}): the run would delete "
                              f"{deletes_in(preview)} record(s) in QBO. Nothing was pushed.")


@cache
def push_approval_form():
    """The approval form (a Prefect RunInput): an explicit Approve or Reject, nothing preset.

    Built on first use so that importing this module does not import Prefect.
    """
    from prefect.input import RunInput

    class PushApproval(RunInput):
        decision: Literal["Approve", "Reject"] = Field(
            title="Approve or reject this push",
            description="Approve pushes the changes above to QuickBooks; Reject ends the run with "
                        "nothing pushed. There is no default: choose one.")
        reviewer: str = Field(min_length=1, title="Your name",
                              description="Kept in the run report with your decision.")
        comment: str = Field("", title="Comment", description="Optional: why, for the run report.")

    return PushApproval


def ask_in_ui(res, preview: Preview, timeout: float = APPROVAL_TIMEOUT_SECONDS) -> Decision:
    """Pause the flow run until someone answers the form in the Prefect UI.

    No answer before the timeout is a rejection, said as such.
    """
    from prefect.exceptions import FlowPauseTimeout
    from prefect.flow_runs import pause_flow_run

    form = push_approval_form().with_initial_data(description=preview_summary(res, preview))
    try:
        answer = pause_flow_run(wait_for_input=form, timeout=int(timeout), poll_interval=2)
    except FlowPauseTimeout:
        _running_again()
        minutes = f"{timeout / 60:g} minutes" if timeout >= 120 else f"{timeout:g} s"
        return Decision(REJECTED, f"Rejected: no answer in the Prefect UI within {minutes}. Nothing was pushed.")
    why = f": {answer.comment}" if answer.comment else ""
    if answer.decision == "Approve":
        return Decision(APPROVED, f"Approved by {answer.reviewer} in the Prefect UI{why}.")
    return Decision(REJECTED, f"Rejected by {answer.reviewer} in the Prefect UI{why}. Nothing was pushed.")


def _running_again() -> None:
    """After the pause's deadline the server refuses to move the run out of Paused (and may
    mark it Failed): set it Running, forced, so that it writes its report and ends Rejected."""
    from prefect.client.orchestration import get_client
    from prefect.runtime import flow_run
    from prefect.states import Running

    with get_client(sync_client=True) as client:
        client.set_flow_run_state(flow_run.id, Running(message="No answer before the timeout: nothing will be pushed"),
                                  force=True)
