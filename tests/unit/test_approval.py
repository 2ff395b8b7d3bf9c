"""Approval counts every write the push would make, deletes included; a run with nothing to
write says so, and is never reported as "Not approved"."""

from __future__ import annotations

from qbo_sync.ops.approval import DRY_RUN, NOT_APPROVED, NOTHING_TO_PUSH, REJECTED, decide_by_schedule
from qbo_sync.ops.approval_summary import ApprovalSummary, EntityPlan
from qbo_sync.pipeline.preview import CREATE, DELETE, LINK, SKIP, TO_DELETE, Preview, PreviewRow
from qbo_sync.pipeline.report import to_markdown
from qbo_sync.tasks.approving import approve_stage


def _preview(*actions: str) -> Preview:
    return Preview(rows=[PreviewRow("vendor_bills", i, f"B-{i}", f"Bill {i}", action, str(i),
                                    TO_DELETE if action == DELETE else "")
                         for i, action in enumerate(actions, start=1)])


def test_a_delete_only_run_has_writes_and_is_approved():
    preview = _preview(DELETE, SKIP)
    assert preview.writes() == 1
    assert approve_stage.fn(preview, "yes").approved is True


def test_links_are_writes_and_the_form_says_what_the_push_does():
    """A record linked to an object QBO already has is written (an update of that object);
    the form counts it apart, and timesheets' QBO objects are counted too."""
    preview = Preview(rows=[PreviewRow("vendors", 1, "V-1", "Acme Supply", LINK, "57",
                                       "links to existing QBO vendor Acme Supply (id 57)")],
                      objects={"timesheets": {"create": 5, "update": 2, "delete": 1}})
    assert preview.writes() == 1
    assert approve_stage.fn(preview, "yes").approved is True
    shown = ApprovalSummary(entities=[EntityPlan("vendors", "Vendors", link=1)], projects=[], needs_action=0,
                            top_reasons=[], console_url="http://console", objects=preview.objects).to_markdown()
    assert "| [Vendors](http://console/e/vendors) | 0 | 0 | 1 | 0 | 0 | 0 |" in shown
    assert "Timesheets are written as TimeActivity objects: 5 to create, 2 to update, 1 to delete." in shown


def test_nothing_to_write_says_nothing_to_push_not_not_approved():
    assert _preview(SKIP).writes() == 0
    decision = approve_stage.fn(_preview(SKIP), "yes")
    assert decision.outcome == NOTHING_TO_PUSH and decision.approved is None
    assert decision.note.startswith("Nothing to push")
    report = {"approved": decision.approved, "note": decision.note, "outcome": decision.outcome,
              "counts": {}, "problems": []}
    text = to_markdown(report)
    assert "Nothing to push" in text and "Not approved" not in text


def test_dry_runs_and_refusals_push_nothing_and_say_why():
    dry = approve_stage.fn(_preview(DELETE), "yes", dry_run=True)
    assert (dry.outcome, dry.approved) == (DRY_RUN, False)
    refused = approve_stage.fn(_preview(CREATE), "no")
    assert (refused.outcome, refused.approved) == (NOT_APPROVED, False)
    held = decide_by_schedule(_preview(DELETE, CREATE), "no-deletes")
    assert (held.outcome, held.approved) == (REJECTED, False)
    assert held.note.startswith("Rejected by the schedule.approve setting (no-deletes)")
    report = {"approved": False, "note": held.note, "outcome": held.outcome, "counts": {}, "problems": []}
    assert "**Rejected: nothing was pushed.**" in to_markdown(report)
