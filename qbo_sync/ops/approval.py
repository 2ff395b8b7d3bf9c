"""Approval: in the Prefect UI for on-demand runs, by a setting for scheduled ones."""

from __future__ import annotations

from qbo_sync.pipeline.preview import Preview

APPROVAL_TIMEOUT_SECONDS = 3600


def preview_summary(preview: Preview, needs_action: int, artifact_key: str = "sync-preview-rows") -> str:
    """The markdown shown above the approval form: what pushing would do, per entity."""
    lines = ["## Approve the push to QuickBooks?", "",
             "| Entity | Create | Update | Skip | Unchanged |", "|---|---|---|---|---|"]
    for entity, c in preview.counts().items():
        lines.append(f"| {entity} | {c.get('create', 0)} | {c.get('update', 0)} | {c.get('skip', 0)} "
                     f"| {c.get('unchanged', 0)} |")
    lines += ["", f"**Needs Action: {needs_action}** record(s) will not be pushed until fixed.", "",
              f"Every record is listed in the run's artifact `{artifact_key}` (Artifacts tab).",
              "Approve pushes; reject, or no answer before the timeout, ends the run with nothing pushed."]
    return "\n".join(lines)


def deletes_in(preview: Preview) -> int:
    return sum(1 for row in preview.rows if getattr(row, "action", None) == "delete")


def scheduled_approval(preview: Preview, rule: str) -> bool:
    """A nightly run approves by setting: always, or only when it deletes nothing in QBO."""
    if rule == "always":
        return True
    if rule == "no-deletes":
        return deletes_in(preview) == 0
    raise ValueError(f"schedule.approve must be always or no-deletes, not {rule!r}")


def ask_in_ui(preview: Preview, needs_action: int, timeout: int = APPROVAL_TIMEOUT_SECONDS) -> tuple[bool, str]:
    """Pause the flow run until someone answers the form in the Prefect UI.

    Returns (approved, who/why). No answer before the timeout counts as a rejection.
    """
    from prefect.exceptions import FlowPauseTimeout
    from prefect.flow_runs import pause_flow_run
    from prefect.input import RunInput

    class PushApproval(RunInput):
        approve: bool = False
        comment: str = ""

    form = PushApproval.with_initial_data(description=preview_summary(preview, needs_action),
                                          approve=False)
    try:
        answer = pause_flow_run(wait_for_input=form, timeout=timeout, poll_interval=2)
    except FlowPauseTimeout:
        return False, f"no answer within {timeout} s: nothing pushed"
    note = f" ({answer.comment})" if answer.comment else ""
    return bool(answer.approve), ("approved in the Prefect UI" if answer.approve else "rejected in the Prefect UI") + note
