"""Stale SyncToken (5010): QBO changed the object between the preview and the push.

The rule (docs/push-engine.md): refetch; when QBO changed none of the fields we set, our
sparse update is applied again on QBO's new version; when it changed one of ours, the
record is Needs Action with the fields named, and QBO's change is kept.
"""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync.db.models import SyncAttempt
from qbo_sync.pipeline import reconcile, stages
from qbo_sync.pipeline.stale import conflicting_fields
from tests.e2e.test_timesheets_sync import qbo, record, rows, sync, write

PROJECT = "P-00003"


def edit_then_preview(res, source, **values):
    """A source edit, staged and previewed: the push has not run yet."""
    source.edit("projects", "project_id", PROJECT, **values)
    stages.run_import(res, ["projects"], "all")
    stages.run_validate(res, ["projects"])
    stages.run_map(res, ["projects"])
    return stages.run_preview(res, ["projects"])


def change_in_quickbooks(res, qbo_id, **fields):
    obj = qbo(res, "Customer", qbo_id)
    write(res, "Customer", {"Id": qbo_id, "SyncToken": obj["SyncToken"], "sparse": True, **fields})
    return qbo(res, "Customer", qbo_id)


def test_change_to_a_field_we_do_not_set_is_kept_and_ours_reapplied(res, source):
    sync(res, ["projects"])
    before = rows(res, "projects")[PROJECT]
    preview = edit_then_preview(res, source, name="Harbor View Lobby Remodel (Phase 2)")
    assert [r.action for r in preview.rows if r.source_id == PROJECT] == ["update"]
    theirs = change_in_quickbooks(res, before["qbo_id"], PrimaryPhone={"FreeFormNumber": "(555) 010-2000"})

    [push] = stages.run_push(res, preview)
    assert (push.updated, push.reapplied, push.failed, push.needs_action) == (1, 1, [], [])
    obj = qbo(res, "Customer", before["qbo_id"])
    assert obj["DisplayName"] == "Harbor View Lobby Remodel (Phase 2)"          # ours
    assert obj["PrimaryPhone"]["FreeFormNumber"] == "(555) 010-2000"             # theirs, kept
    assert int(obj["SyncToken"]) == int(theirs["SyncToken"]) + 1
    after = rows(res, "projects")[PROJECT]
    assert after["status"] == "Synced"
    assert record(res, "projects", PROJECT).sync_token == obj["SyncToken"]


def test_change_to_a_field_we_set_is_needs_action_and_not_overwritten(res, source):
    sync(res, ["projects"])
    before = rows(res, "projects")[PROJECT]
    preview = edit_then_preview(res, source, name="Harbor View Lobby Remodel (Phase 2)")
    theirs = change_in_quickbooks(res, before["qbo_id"], Notes="Client asked to hold; do not bill")

    [push] = stages.run_push(res, preview)
    assert (push.updated, push.failed) == (0, [])
    obj = qbo(res, "Customer", before["qbo_id"])
    assert obj["SyncToken"] == theirs["SyncToken"]                 # nothing written over
    assert obj["Notes"] == "Client asked to hold; do not bill"
    after = rows(res, "projects")[PROJECT]
    assert after["status"] == "Needs Action"
    [reason] = after["reasons"]
    assert reason.startswith("Changed in QuickBooks since the last sync, in fields this sync also sets (Notes)")
    assert f"qbo-sync reconcile --accept projects/{PROJECT}" in reason
    with res.db.session() as session:
        attempt = session.scalars(select(SyncAttempt).where(SyncAttempt.record_id == record(res, "projects", PROJECT).id)
                                  .order_by(SyncAttempt.id.desc())).first()
    assert attempt.outcome == "needs_action"

    # The person decides the source wins: accept, and the next push overwrites with QBO's token.
    reconcile.accept(res.db, f"projects/{PROJECT}")
    [push] = stages.run_push(res, stages.run_preview(res, ["projects"]))
    assert push.updated == 1
    assert qbo(res, "Customer", before["qbo_id"])["DisplayName"] == "Harbor View Lobby Remodel (Phase 2)"
    assert rows(res, "projects")[PROJECT]["status"] == "Synced"


def test_conflicting_fields_follow_our_payload_shape():
    body = {"Id": "7", "SyncToken": "2", "sparse": True, "DisplayName": "A", "ParentRef": {"value": "3"},
            "Notes": "n"}
    baseline = {"DisplayName": "A", "ParentRef": {"value": "3", "name": "Old"}, "Notes": "n", "Mobile": "1"}
    current = {"DisplayName": "A", "ParentRef": {"value": "3", "name": "New"}, "Notes": "n", "Mobile": "2"}
    assert conflicting_fields(body, baseline, current) == []                 # a parent's rename, a phone
    assert conflicting_fields(body, baseline, {**current, "Notes": "x"}) == ["Notes"]
    assert conflicting_fields(body, baseline, {**current, "ParentRef": {"value": "4"}}) == ["ParentRef"]
    # No record of our last write: any field of ours QBO holds differently is a conflict.
    assert conflicting_fields(body, None, {**current, "DisplayName": "B"}) == ["DisplayName"]
