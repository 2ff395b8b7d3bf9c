"""Projects end to end: the PM system's CSV export → staging → the local QBO sandbox.

Every test runs on SQLite and on PostgreSQL (the staging_url fixture), against a fresh
sandbox company, over real HTTP with python-quickbooks and intuit-oauth.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from qbo_sync.db.models import FieldChange, Record, RecordLink, SyncAttempt
from qbo_sync.entities import PROJECTS
from qbo_sync.pipeline import mapping, stages
from qbo_sync.pipeline.pushing import ProjectsNotEnabled
from qbo_sync.sources.base import SourceError
from qbo_sync.views import history, payload, status_rows

DEFECTS = {
    "P-00009": 'Project status "Pending" is not one of Active, On Hold, Completed, Closed',
    "P-00011": "End date 2024-07-22 is before start date 2024-09-05",
    "P-00012": 'no QBO customer is named "Lakeshore Dental Studio"',
}


def sync_once(res, mode="all", ids=None):
    """import → validate → map → preview → push, as the sync flow's tasks run them."""
    imports = stages.run_import(res, ["projects"], mode, ids=ids)
    stages.run_validate(res, ["projects"])
    stages.run_map(res, ["projects"])
    preview = stages.run_preview(res, ["projects"], ids if mode == "selected" else None)
    pushes = stages.run_push(res, preview)
    return imports, preview, pushes


def by_id(res) -> dict[str, dict]:
    return {row["source_id"]: row for row in status_rows(res.db, entity="projects")}


def qbo_customer(res, qbo_id: str) -> dict:
    return res.qbo.client().get_single_object("Customer", qbo_id)["Customer"]


def customers_named(res, name: str) -> list[dict]:
    escaped = name.replace("'", "\\'")
    return res.qbo.client().query(
        f"SELECT * FROM Customer WHERE DisplayName = '{escaped}'").get("QueryResponse", {}).get("Customer", [])


# --- import ----------------------------------------------------------------------------
def test_import_new_then_all_then_selected(res, source):
    first = stages.run_import(res, ["projects"], "new")[0]
    assert (first.read, first.new, first.changed) == (12, 12, 0)
    assert {r["status"] for r in by_id(res).values()} == {"Needs Sync"}

    source.edit("projects", "project_id", "P-00003", name="Harbor View Lobby Remodel (Phase 1)")
    frame = source.frame("projects")
    extra = frame.iloc[[0]].copy()
    extra["project_id"], extra["name"] = "P-09999", "Harbor View Parking Deck"
    source.save("projects", __import__("pandas").concat([frame, extra]))

    new_only = stages.run_import(res, ["projects"], "new")[0]
    assert (new_only.new, new_only.changed) == (1, 0), "import new leaves edits alone"
    assert by_id(res)["P-00003"]["name"] == "Harbor View Lobby Remodel"

    everything = stages.run_import(res, ["projects"], "all")[0]
    assert (everything.new, everything.changed, everything.unchanged) == (0, 1, 12)
    assert by_id(res)["P-00003"]["name"] == "Harbor View Lobby Remodel (Phase 1)"

    source.edit("projects", "project_id", "P-00004", status="On Hold")
    source.edit("projects", "project_id", "P-00005", address="1 Unselected Way")
    selected = stages.run_import(res, ["projects"], "selected", ids=["P-00004", "P-00404"])[0]
    assert (selected.read, selected.changed) == (1, 1)
    assert selected.not_in_source == ["P-00404"]
    with res.db.session() as session:
        p5 = session.scalar(select(Record).where(Record.source_id == "P-00005"))
    assert p5.data["address"] != "1 Unselected Way", "a record that was not selected is not re-read"


def test_sync_rules_hold_back_scheduled_imports(res, source):
    stages.run_import(res, ["projects"], "all")
    res.settings.sync.rules["projects"] = type(res.settings.sync.rule("projects"))(auto_create=False, auto_update=False)
    source.edit("projects", "project_id", "P-00003", name="Renamed")
    result = stages.run_import(res, ["projects"], "all", scheduled=True)[0]
    assert result.changed == 0 and result.skipped_by_rule == 1
    assert by_id(res)["P-00003"]["name"] == "Harbor View Lobby Remodel"
    manual = stages.run_import(res, ["projects"], "all")[0]
    assert manual.changed == 1, "a manual import is not bound by the scheduled rules"


# --- validate and map --------------------------------------------------------------------
def test_each_seeded_defect_is_needs_action_with_its_reason(res):
    sync_once(res)
    rows = by_id(res)
    for source_id, reason in DEFECTS.items():
        assert rows[source_id]["status"] == "Needs Action"
        assert any(reason in r for r in rows[source_id]["reasons"]), rows[source_id]["reasons"]
        assert rows[source_id]["qbo_id"] is None
        assert rows[source_id]["synced"] == "Not Synced"
    synced = [r for r in rows.values() if r["status"] == "Synced"]
    assert len(synced) == 9
    for row in synced:
        customer = qbo_customer(res, row["qbo_id"])
        assert customer["DisplayName"] == row["name"]
        assert customer["Job"] is True and customer["ParentRef"]["value"] == row["qbo_customer"]["qbo_id"]


def test_duplicate_source_ids_need_action(res, source):
    import pandas as pd

    frame = source.frame("projects")
    source.save("projects", pd.concat([frame, frame.iloc[[2]]]))
    sync_once(res)
    row = by_id(res)["P-00003"]
    assert row["status"] == "Needs Action"
    assert "The source has 2 rows with project_id P-00003" in row["reasons"][0]


def test_project_name_with_colon_is_cleaned(res, source):
    source.edit("projects", "project_id", "P-00004", name="Cedar Ridge: Gym\tAddition")
    sync_once(res)
    row = by_id(res)["P-00004"]
    assert row["status"] == "Synced"
    assert qbo_customer(res, row["qbo_id"])["DisplayName"] == "Cedar Ridge - Gym Addition"


def test_suggestion_waits_for_confirmation_and_the_link_is_permanent(make_resources, admin):
    res = make_resources(sync={"auto_confirm_customer": False})
    sync_once(res)
    row = by_id(res)["P-00004"]
    assert row["status"] == "Needs Action"
    assert row["reasons"] == ['Select the QBO customer (the client) for this project: '
                              'confirm the suggested "Cedar Ridge School District"']
    assert row["suggested_customer"]["name"] == "Cedar Ridge School District"

    linked = mapping.confirm_link(res.db, PROJECTS, "P-00004", "Cedar Ridge School District")
    with pytest.raises(mapping.MappingError, match="already linked .* permanent and was not changed"):
        mapping.confirm_link(res.db, PROJECTS, "P-00004", "Northgate Medical Group")
    # The database itself refuses a change or removal, whatever code tries it.
    with pytest.raises(DBAPIError, match="permanent"):
        with res.db.engine.begin() as conn:
            conn.execute(update(RecordLink).values(qbo_id="1"))
    with pytest.raises(DBAPIError, match="permanent"):
        with res.db.engine.begin() as conn:
            conn.execute(text("DELETE FROM record_links"))
    with res.db.session() as session:
        links = list(session.scalars(select(RecordLink)))
    assert [(l.qbo_id, l.qbo_name) for l in links] == [(linked.qbo_id, "Cedar Ridge School District")]

    sync_once(res)
    row = by_id(res)["P-00004"]
    assert row["status"] == "Synced"
    assert qbo_customer(res, row["qbo_id"])["ParentRef"]["value"] == linked.qbo_id


def test_manual_mapping_updates_the_existing_qbo_object(res):
    client = res.qbo.client()
    from quickbooks.objects.customer import Customer

    existing = Customer()
    existing.DisplayName = "Cedar Ridge Gym (entered by hand)"
    existing.save(qb=client)
    stages.run_import(res, ["projects"], "all")
    with pytest.raises(mapping.MappingError, match="no staged projects record"):
        mapping.link_existing(res.db, PROJECTS, "P-77777", existing.Id, {})
    mapping.link_existing(res.db, PROJECTS, "P-00004", existing.Id, {"SyncToken": existing.SyncToken})
    sync_once(res)
    row = by_id(res)["P-00004"]
    assert row["status"] == "Synced" and row["qbo_id"] == existing.Id
    updated = qbo_customer(res, existing.Id)
    assert updated["DisplayName"] == "Cedar Ridge Elementary Gym Addition"
    assert int(updated["SyncToken"]) > int(existing.SyncToken)
    assert customers_named(res, "Cedar Ridge Elementary Gym Addition") == [updated], "no duplicate"


def test_existing_sub_customer_with_the_same_name_is_adopted_not_duplicated(res):
    # The demo company already has "Pier 9 Renovation" under Harbor View Properties LLC.
    before = customers_named(res, "Pier 9 Renovation")
    assert len(before) == 1
    sync_once(res)
    row = by_id(res)["P-00001"]
    assert row["status"] == "Synced" and row["qbo_id"] == before[0]["Id"]
    assert len(customers_named(res, "Pier 9 Renovation")) == 1


# --- the three project modes ---------------------------------------------------------------
def test_customer_mode(make_resources):
    res = make_resources(sync={"project_mode": "customer"})
    sync_once(res)
    row = by_id(res)["P-00003"]
    customer = qbo_customer(res, row["qbo_id"])
    assert customer.get("ParentRef") is None and not customer.get("Job")
    assert customer["CompanyName"] == "Harbor View Properties LLC"


def test_project_mode_with_projects_enabled(make_resources):
    res = make_resources(sync={"project_mode": "project"})
    sync_once(res)
    row = by_id(res)["P-00003"]
    assert row["status"] == "Synced"
    project = qbo_customer(res, row["qbo_id"])
    assert project["IsProject"] is True
    assert project["ParentRef"]["value"] == row["qbo_customer"]["qbo_id"]
    assert project["FullyQualifiedName"] == "Harbor View Properties LLC:Harbor View Lobby Remodel"


def test_project_mode_without_projects_is_a_clear_error_and_pushes_nothing(make_resources, admin):
    realm = admin.create_realm(projects_enabled=False, seed=True)
    res = make_resources(realm_id=realm, sync={"project_mode": "project"})
    writes_before = admin.counts(realm)["writes"]
    stages.run_import(res, ["projects"], "all")
    stages.run_validate(res, ["projects"])
    with pytest.raises(ProjectsNotEnabled, match="does not have Projects turned on"):
        stages.run_map(res, ["projects"])
    assert admin.counts(realm)["writes"] == writes_before
    assert "Synced" not in {r["status"] for r in by_id(res).values()}


# --- updates, history, no-op re-runs ----------------------------------------------------------
def test_source_edit_updates_qbo_and_records_history(res, source, admin, realm):
    sync_once(res)
    before = by_id(res)["P-00003"]
    token_before = qbo_customer(res, before["qbo_id"])["SyncToken"]
    status_before = source.frame("projects").set_index("project_id").loc["P-00003", "status"]

    source.edit("projects", "project_id", "P-00003", name="Harbor View Lobby Remodel II", status="On Hold")
    imports, preview, pushes = sync_once(res)
    assert imports[0].changed == 1
    assert [(r.source_id, r.action) for r in preview.rows if r.action != "skip"] == [("P-00003", "update")]
    assert (pushes[0].created, pushes[0].updated) == (0, 1)

    after = by_id(res)["P-00003"]
    customer = qbo_customer(res, after["qbo_id"])
    assert after["qbo_id"] == before["qbo_id"]
    assert int(customer["SyncToken"]) == int(token_before) + 1
    assert customer["DisplayName"] == "Harbor View Lobby Remodel II"
    assert "On Hold" in customer["Notes"]

    log = history(res.db, "projects/P-00003")
    assert {(c["field"], c["old"], c["new"]) for c in log["changes"]} == {
        ("name", "Harbor View Lobby Remodel", "Harbor View Lobby Remodel II"),
        ("status", status_before, "On Hold")}
    assert [a["operation"] for a in log["sync_activity"]] == ["create", "update"]
    assert all(a["outcome"] == "synced" for a in log["sync_activity"])
    sent = payload(res.db, "projects/P-00003")
    assert sent["request"]["sparse"] is True and sent["request"]["SyncToken"] == token_before
    assert sent["response"]["Customer"]["SyncToken"] == customer["SyncToken"]


def test_unchanged_rerun_writes_nothing_to_qbo(res, admin, realm):
    sync_once(res)
    writes = admin.counts(realm)["writes"]
    imports, preview, pushes = sync_once(res)
    assert imports[0].changed == 0 and imports[0].new == 0
    assert not preview.to_push("projects") and pushes == []
    assert admin.counts(realm)["writes"] == writes


# --- failure and retry -------------------------------------------------------------------------
def test_qbo_rejection_is_failed_with_a_readable_reason_then_retry_succeeds(res, source):
    # A vendor in QBO already has this name; QBO refuses a customer with it (6240).
    source.edit("projects", "project_id", "P-00006", name="Ace Concrete Supply")
    sync_once(res)
    row = by_id(res)["P-00006"]
    assert row["status"] == "Failed"
    # Vendors were not pulled in a projects-only run: the reason names the name, never QBO's "Id=".
    assert row["reasons"][0].startswith('QuickBooks already has a customer, vendor or employee named '
                                        '"Ace Concrete Supply"')
    assert "Id=" not in row["reasons"][0]
    attempts = history(res.db, "P-00006")["sync_activity"]
    assert attempts[-1]["outcome"] == "failed" and attempts[-1]["operation"] == "create"

    # An unrelated re-run leaves the failure alone until the user retries it.
    _, preview, _ = sync_once(res)
    assert [r.action for r in preview.rows if r.source_id == "P-00006"] == ["skip"]

    source.edit("projects", "project_id", "P-00006", name="Northgate Imaging Suite Fit-Out")
    with res.db.session() as session:
        failed = stages.failed_records(res)
    assert [r.source_id for r in failed] == ["P-00006"]
    selection = stages.prepare_retry(res, failed)
    assert selection == {"projects": ["P-00006"]}
    stages.run_validate(res, ["projects"])
    stages.run_map(res, ["projects"])
    preview = stages.run_preview(res, ["projects"], ["P-00006"])
    assert [(r.source_id, r.action) for r in preview.rows] == [("P-00006", "create")]
    pushes = stages.run_push(res, preview)
    assert pushes[0].created == 1
    row = by_id(res)["P-00006"]
    assert row["status"] == "Synced" and row["reasons"] == []
    assert qbo_customer(res, row["qbo_id"])["DisplayName"] == "Northgate Imaging Suite Fit-Out"


# --- bad source files ---------------------------------------------------------------------------
@pytest.mark.parametrize("breakage, message", [
    ("missing_column", 'missing required column "status"'),
    ("missing_file", "projects.csv"),
    ("bad_encoding", "not valid UTF-8"),
])
def test_bad_source_files_fail_clearly_and_change_nothing(res, source, breakage, message):
    sync_once(res)
    with res.db.session() as session:
        before = [(r.source_id, r.status, r.content_hash, r.qbo_id) for r in session.scalars(select(Record))]
        changes_before = len(list(session.scalars(select(FieldChange))))
    path = source.path / "projects.csv"
    if breakage == "missing_column":
        source.save("projects", source.frame("projects").drop(columns=["status"]).assign(name="Changed"))
    elif breakage == "missing_file":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes().replace(b"Harbor", b"Harb\xffor"))
    with pytest.raises(SourceError, match=message):
        stages.run_import(res, ["projects"], "all")
    with res.db.session() as session:
        after = [(r.source_id, r.status, r.content_hash, r.qbo_id) for r in session.scalars(select(Record))]
        assert len(list(session.scalars(select(FieldChange)))) == changes_before
    assert after == before


def test_every_sync_attempt_keeps_request_and_response_without_secrets(res, sandbox):
    sync_once(res)
    tokens = res.qbo.current_tokens()
    secrets_ = [tokens.access_token, tokens.refresh_token, sandbox.info["client_secret"]]
    with res.db.session() as session:
        attempts = list(session.scalars(select(SyncAttempt)))
    assert attempts
    import json

    dump = json.dumps([[a.request, a.response] for a in attempts])
    assert not any(s in dump for s in secrets_)
    with res.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT ciphertext FROM tokens")).scalar_one()
    assert not any(s in stored for s in secrets_), "tokens are encrypted at rest"


def test_project_mode_reads_new_projects_sync_tokens_in_one_counted_query_not_one_per_project(
        make_resources, admin, realm):
    """Intuit's GraphQL answer has no SyncToken, so the engine reads it (reconcile needs it):
    one query per 30 projects, paced and counted by the reader, never a read per project."""
    res = make_resources(sync={"project_mode": "project"})
    stages.run_import(res, ["projects"], "all")
    stages.run_validate(res, ["projects"])
    stages.run_map(res, ["projects"])
    preview = stages.run_preview(res, ["projects"])
    seen = len(admin.requests(realm, limit=100000))
    reads_counted = res.reader.meter.month_reads()
    stages.run_push(res, preview)
    during_push = admin.requests(realm, limit=100000)[seen:]

    created = [r for r in during_push if r["method"] == "POST" and r["path"] == "/graphql"]
    reads = [r for r in during_push if r["method"] == "GET" or r["path"].endswith("/query")]
    assert len(created) >= 2, during_push       # several projects went through GraphQL...
    assert not [r for r in reads if "/customer/" in r["path"]], reads    # ...no read by id after each
    assert len(reads) == 1 and reads[0]["entity"] == "Customer", reads  # one query for all their SyncTokens
    assert res.reader.meter.month_reads() - reads_counted == len(reads)  # counted as a read
    # The SyncTokens kept are QuickBooks' own: reconcile sees nothing changed.
    projects = {o["Id"]: o for o in res.reader.query_all("Customer") if o.get("IsProject")}
    with res.db.session() as session:
        synced = session.scalars(select(Record).where(Record.entity == "projects",
                                                      Record.qbo_id.in_(list(projects)))).all()
        assert len(synced) >= len(created)
        assert all(r.sync_token == projects[r.qbo_id]["SyncToken"] for r in synced)
