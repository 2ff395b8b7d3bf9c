"""Approval counts every write the push would make, deletes included."""

from __future__ import annotations

from qbo_sync.pipeline.preview import DELETE, SKIP, TO_DELETE, Preview, PreviewRow
from qbo_sync.tasks.approving import approve_stage


def _preview(*actions: str) -> Preview:
    return Preview(rows=[PreviewRow("vendor_bills", i, f"B-{i}", f"Bill {i}", action, str(i),
                                    TO_DELETE if action == DELETE else "")
                         for i, action in enumerate(actions, start=1)])


def test_a_delete_only_run_has_writes_and_is_approved():
    preview = _preview(DELETE, SKIP)
    assert preview.writes() == 1
    assert approve_stage.fn(preview, "yes") is True


def test_nothing_to_write_is_not_approved():
    assert _preview(SKIP).writes() == 0
    assert approve_stage.fn(_preview(SKIP), "yes") is False
    assert approve_stage.fn(_preview(DELETE), "yes", dry_run=True) is False
