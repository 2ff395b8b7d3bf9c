"""Preview = push, and a lost staging database duplicates nothing (issue 14's first bullet,
issue 13 defect 10): objects QBO already holds are found in the map stage and linked."""

from __future__ import annotations

import contextlib

from sqlalchemy import select

from qbo_sync import statuses
from qbo_sync.db.models import Record
from qbo_sync.pipeline import stages
from qbo_sync.qbo.references import REFERENCE_ENTITIES
from tests.fixtures import postgres_schema

QBO_ENTITIES = ("Customer", "Employee", "Vendor", "Item", "Account", "Class", "TimeActivity", "Bill")


def sync_with_preview(res, entities=None):
    """The stages as the sync flow runs them: (the preview, the push results)."""
    stages.run_import(res, entities, "all")
    stages.run_validate(res, entities)
    stages.run_map(res, entities)
    preview = stages.run_preview(res, entities)
    return preview, stages.run_push(res, preview)


def assert_preview_equals_push(preview, results):
    """Every entity's preview counts are what its push did: records, and for records of
    several QBO objects (timesheets) the objects too."""
    pushed = {r.entity: r for r in results}
    counts = preview.counts()
    assert counts, "the preview lists something"
    for entity, c in counts.items():
        result = pushed.get(entity)
        done = {"link": result.linked if result else 0, "delete": result.deleted if result else 0}
        if entity in preview.objects:
            objects = preview.objects[entity]
            assert {k: objects[k] for k in ("create", "update", "delete")} == {
                "create": result.created if result else 0, "update": result.updated if result else 0,
                "delete": result.deleted if result else 0}, entity
            assert c["link"] == done["link"], entity
        else:
            done.update(create=result.created if result else 0, update=result.updated if result else 0)
            assert {k: c[k] for k in done} == done, entity
        assert not (result and result.failed), (entity, result.failed)


def qbo_counts(res) -> dict[str, int]:
    # Name lists answer only active objects unless asked; transactions have no Active field.
    return {e: len(res.reader.query_all(e, inactive_too=e in REFERENCE_ENTITIES)) for e in QBO_ENTITIES}


def synced_objects(res) -> dict[tuple[str, str], tuple]:
    """Each Synced record's QBO object: its id, or its parts' ids (a timesheet's days)."""
    with res.db.session() as session:
        rows = session.execute(select(Record.entity, Record.source_id, Record.status, Record.qbo_id,
                                      Record.qbo_objects)).all()
    found = {}
    for r in rows:
        if r.status == statuses.SYNCED:
            held = {k: v["id"] for k, v in (r.qbo_objects or {}).items() if isinstance(v, dict) and "hash" in v}
            found[(r.entity, r.source_id)] = (None, held) if held else (r.qbo_id, {})
    return found


@contextlib.contextmanager
def another_staging_database(staging_url, tmp_path, name):
    if staging_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / name}.db"
    else:
        with postgres_schema(name) as url:
            yield url


def test_preview_counts_equal_push_counts_on_the_demo(res):
    preview, results = sync_with_preview(res)
    links = [r for r in preview.rows if r.action == "link"]
    assert links, "the demo company already has some of the customers, employees and vendors"
    assert all(r.reason.startswith("links to existing QBO ") and "(id" in r.reason for r in links)
    assert_preview_equals_push(preview, results)


def test_a_lost_staging_database_duplicates_nothing(make_resources, admin, realm, source, staging_url, tmp_path):
    first = make_resources()
    preview, results = sync_with_preview(first)
    assert_preview_equals_push(preview, results)
    in_qbo, synced = qbo_counts(first), synced_objects(first)
    assert in_qbo["TimeActivity"] > 100 and in_qbo["Bill"] > 10

    # The disk is gone: a new staging database, the same QuickBooks company, and days later,
    # so QBO no longer remembers the request ids.
    with another_staging_database(staging_url, tmp_path, "lost") as url:
        again = make_resources(database_url=url)
        assert admin.forget_requests(realm) > 0
        preview, results = sync_with_preview(again)
        assert_preview_equals_push(preview, results)
        assert [r for r in preview.rows if r.action == "create"] == [], "everything is in QBO already"
        assert sum(r.created for r in results) == 0
        assert qbo_counts(again) == in_qbo, "no new object in QuickBooks"
        assert synced_objects(again) == synced, "every record Synced, linked to its first object"
        links = {r.entity for r in preview.rows if r.action == "link"}
        assert {"projects", "employees", "vendors", "timesheets", "vendor_bills"} <= links

    # Lost again, and meanwhile a week's hours were corrected in the source: an update of that
    # day's TimeActivity, not a second one.
    week = source.frame("timesheets")
    entry = next(row for _, row in week.iterrows()
                 if ("timesheets", row.entry_id) in synced and row["mon"] not in ("", "0") and row["tue"] not in ("", "0"))
    source.edit("timesheets", "entry_id", entry.entry_id, mon=str(float(entry["mon"]) + 1))
    day_id = synced[("timesheets", entry.entry_id)][1]["mon"]
    with another_staging_database(staging_url, tmp_path, "lost_again") as url:
        edited = make_resources(database_url=url)
        admin.forget_requests(realm)
        preview, results = sync_with_preview(edited)
        assert_preview_equals_push(preview, results)
        assert qbo_counts(edited) == in_qbo
        assert preview.objects["timesheets"] == {"create": 0, "update": 1, "delete": 0}
        assert synced_objects(edited) == synced
        time = edited.qbo.client().query(f"SELECT * FROM TimeActivity WHERE Id = '{day_id}'")
        activity = time["QueryResponse"]["TimeActivity"][0]
        hours = float(entry["mon"]) + 1
        assert (activity["Hours"], activity["Minutes"]) == (int(hours), round((hours % 1) * 60))



def test_preview_equals_push_when_qbo_already_has_some_of_the_records(
        make_resources, admin, realm, staging_url, tmp_path):
    """An earlier install pushed everything but the bills; this one starts from nothing."""
    earlier = make_resources()
    sync_with_preview(earlier, ["projects", "cost_codes", "employees", "vendors", "timesheets"])
    in_qbo = qbo_counts(earlier)
    with another_staging_database(staging_url, tmp_path, "second_install") as url:
        second = make_resources(database_url=url)
        admin.forget_requests(realm)
        preview, results = sync_with_preview(second)
        assert_preview_equals_push(preview, results)
        actions = {(r.entity, r.action) for r in preview.rows}
        assert ("timesheets", "link") in actions and ("vendor_bills", "create") in actions
        assert ("timesheets", "create") not in actions
        pushed = {r.entity: r for r in results}
        grown = {e: n - in_qbo[e] for e, n in qbo_counts(second).items() if n != in_qbo[e]}
        assert grown == {"Bill": pushed["vendor_bills"].created}, "only the bills are new in QuickBooks"
        vendor = next(r for r in preview.rows if r.entity == "vendors" and r.action == "link")
        found = second.qbo.client().query(f"SELECT * FROM Vendor WHERE Id = '{vendor.qbo_id}'")
        name = found["QueryResponse"]["Vendor"][0]["DisplayName"]
        assert vendor.reason == f"links to existing QBO vendor {name} (id {vendor.qbo_id})"



def test_an_object_made_by_hand_after_the_map_stage_is_adopted_through_one_counted_cdc_read(
        res, admin, realm):
    """The push matches creates by name in the reference copy, refreshed by one CDC request
    through the reader (paced, counted), instead of a name query per 30 creates."""
    from tests.e2e.test_timesheets_sync import write

    stages.run_import(res, ["vendors"], "all")
    stages.run_validate(res, ["vendors"])
    stages.run_map(res, ["vendors"])
    preview = stages.run_preview(res, ["vendors"])
    creates = [row for row in preview.rows if row.action == "create"]
    assert len(creates) >= 2
    # Someone adds one of them in QuickBooks by hand while the run waits for approval.
    by_hand = write(res, "Vendor", {"DisplayName": creates[0].name})["Vendor"]
    seen = len(admin.requests(realm, limit=100000))
    metered = res.reader.meter.month_reads()

    [pushed] = stages.run_push(res, preview)
    during_push = admin.requests(realm, limit=100000)[seen:]
    reads = [r for r in during_push if r["method"] == "GET" or r["path"].endswith("/query")]
    assert [r["path"].rsplit("/", 1)[-1] for r in reads] == ["cdc"], reads   # no name query
    assert res.reader.meter.month_reads() - metered == 1
    assert pushed.failed == [] and pushed.created == len(creates) - 1
    with res.db.session() as session:
        adopted = session.scalar(select(Record).where(Record.entity == "vendors",
                                                      Record.source_id == creates[0].source_id))
    assert adopted.status == statuses.SYNCED and adopted.qbo_id == by_hand["Id"]
    assert len([v for v in res.reader.query_all("Vendor") if v["DisplayName"] == creates[0].name]) == 1
