"""The staged copy of QBO's lists (customers, items, employees, vendors) that matching and the
console's dropdowns read: a push adds what it wrote, so the next pull has nothing to rewrite;
a change made in QuickBooks still reaches it with the next pull."""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync.db.models import QboRef
from qbo_sync.qbo import references
from tests.e2e.test_reconcile_and_balances import edit_in_qbo
from tests.e2e.test_timesheets_sync import rows, sync


def held(res) -> dict[tuple[str, str], QboRef]:
    with res.db.session() as session:
        return {(r.entity, r.qbo_id): r for r in session.scalars(select(QboRef))}


def in_qbo(res, entity) -> dict[str, str]:
    return {o["Id"]: o["SyncToken"] for o in res.reader.query_all(entity, inactive_too=True)}


def test_a_push_adds_what_it_wrote_and_the_next_pull_rewrites_nothing(res):
    sync(res)
    copy = held(res)
    for entity, qbo_entity in (("employees", "Employee"), ("vendors", "Vendor")):
        synced = [r for r in rows(res, entity).values() if r["status"] == "Synced"]
        assert synced, f"the demo data has {entity} to sync"
        for record in synced:
            ref = copy.get((qbo_entity, record["qbo_id"]))
            assert ref is not None, f"{entity}/{record['source_id']} is not in the reference copy"
            assert ref.sync_token == in_qbo(res, qbo_entity)[record["qbo_id"]]
            assert ref.active and ref.name

    for entity in ("Customer", "Item", "Employee", "Vendor"):
        assert {i: r.sync_token for (e, i), r in copy.items() if e == entity} == in_qbo(res, entity), \
            f"the {entity} copy after the push is QBO's list"
    pulled_at = {key: ref.pulled_at for key, ref in copy.items()}
    references.pull(res.db, res.reader)
    assert {key: ref.pulled_at for key, ref in held(res).items()} == pulled_at, "the pull rewrote nothing"


def test_a_change_made_in_quickbooks_reaches_the_copy_with_the_next_pull(res):
    sync(res)
    vendor = next(r for r in rows(res, "vendors").values() if r["status"] == "Synced")
    edit_in_qbo(res, "Vendor", vendor["qbo_id"], DisplayName="Renamed In QuickBooks")
    assert held(res)[("Vendor", vendor["qbo_id"])].name != "Renamed In QuickBooks"

    references.pull(res.db, res.reader)
    ref = held(res)[("Vendor", vendor["qbo_id"])]
    assert ref.name == "Renamed In QuickBooks"
    assert ref.sync_token == in_qbo(res, "Vendor")[vendor["qbo_id"]]
