"""The console's actions (POST, admin only, CSRF-checked): import, link, map, preview, sync, retry.

Each calls the existing pipeline; long ones run as jobs the page polls.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy import func, select

from qbo_sync import entities as registry
from qbo_sync.console import csrf, queries
from qbo_sync.console.jobs import Job
from qbo_sync.console.state import admin, entity, render, staged_record, state, user
from qbo_sync.ops import temporary_server
from qbo_sync.settings import ConsoleUser

# Signed in first: an ended session goes to the sign-in page, not to a CSRF refusal.
router = APIRouter(dependencies=[Depends(user), Depends(csrf.require)])

IMPORT_MODES = {"new": "Import New Items", "all": "Import All", "selected": "Import Selected"}


def _record_ids(ids: str) -> list[int]:
    try:
        chosen = sorted({int(part) for part in ids.replace(",", " ").split()})
    except ValueError:
        raise HTTPException(400, "the selection must be record numbers") from None
    if not chosen:
        raise HTTPException(400, "select records first: click their numbers (Shift or Ctrl/Cmd for several)")
    return chosen


def _selection(request: Request, spec, ids: str, every: str = "", status: str = "", q: str = "") -> list[str]:
    """The chosen records' source ids: the ids clicked, or (Select All) every record matching
    the list's filter, on every page."""
    if every == "1":
        from qbo_sync import statuses

        try:
            status_code = statuses.parse(status) if status else None
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        chosen = queries.matching_source_ids(state(request).res.db, queries.ListQuery(spec.name, status_code, q[:200]))
        if not chosen:
            raise HTTPException(400, f"no {spec.label.lower()} match this filter")
        return chosen
    chosen = queries.source_ids(state(request).res.db, spec.name, _record_ids(ids))
    if not chosen:
        raise HTTPException(400, f"none of the selected records are {spec.label}")
    return chosen


def _job(job: Job) -> dict:
    return {"job": job.id, "title": job.title}


@router.post("/e/{name}/import")
def import_records(request: Request, name: str, mode: str = Form("new"), ids: str = Form(""),
                   all: str = Form(""), status: str = Form(""), q: str = Form(""),
                   me: ConsoleUser = Depends(admin)):
    spec = entity(name)
    if mode not in IMPORT_MODES:
        raise HTTPException(400, f"unknown import mode {mode!r}: use new, all or selected")
    chosen = _selection(request, spec, ids, all, status, q) if mode == "selected" else None
    res = state(request).res

    def work(_job) -> str:
        from qbo_sync.pipeline import stages

        results = stages.run_import(res, [spec.name], mode, ids=chosen)
        # Check at once so the list shows what needs action and the QBO lists for linking are fresh.
        stages.run_validate(res, [spec.name])
        stages.run_map(res, [spec.name])
        return "Imported " + "; ".join(r.summary() for r in results)

    job = state(request).jobs.start(f"{IMPORT_MODES[mode]}: {spec.label}", me.username, work)
    return _job(job)


@router.post("/records/{record_id:id}/link")
def link(request: Request, record_id: int, target: str = Form(""), role: str = Form("customer"),
         me: ConsoleUser = Depends(admin)):
    from qbo_sync.pipeline import mapping

    st = state(request)
    found = staged_record(request, record_id)
    if not target.strip():
        raise HTTPException(400, "choose a QBO customer first")
    spec = registry.get(found[0])
    linked = mapping.confirm_link(st.res.db, spec, found[1], target.strip(), role=role, linked_by=me.username)
    mapping.map_entity(st.res.db, spec, st.settings.sync, record_ids=[record_id])   # settle its status
    return {"detail": f"Linked {spec.label.removesuffix('s').lower()} {found[1]} to \"{linked.name}\" "
                      "for good.", "qbo_id": linked.qbo_id, "name": linked.name}


@router.post("/records/{record_id:id}/mapping")
def manual_mapping(request: Request, record_id: int, qbo_id: str = Form(""),
                   me: ConsoleUser = Depends(admin)):
    from qbo_sync.console.outage import explain
    from qbo_sync.qbo.outage import QuickBooksDown
    from qbo_sync.qbo.reader import QboReadError

    from qbo_sync.pipeline import mapping

    st = state(request)
    found = staged_record(request, record_id)
    qbo_id = qbo_id.strip()
    if not qbo_id.isdigit():
        raise HTTPException(400, "give the QBO id (a number) of the existing object")
    spec = registry.get(found[0])
    try:
        qbo_object = st.res.reader.get(spec.qbo_entity, qbo_id)
    except QuickBooksDown as exc:   # QBO is down: that says nothing about the id
        raise HTTPException(503, explain(exc)) from None
    except QboReadError as exc:
        raise HTTPException(400, f"QBO has no {spec.qbo_entity.lower()} with id {qbo_id} "
                                 f"({exc})") from None
    mapping.link_existing(st.res.db, spec, found[1], qbo_id, qbo_object)
    name = qbo_object.get("DisplayName") or qbo_object.get("Name") or qbo_id
    return {"detail": f"{found[1]} now maps to QBO {spec.qbo_entity.lower()} {qbo_id} \"{name}\": "
                      "the next sync updates it instead of creating a new one."}


@router.post("/e/{name}/preview")
def preview(request: Request, name: str, ids: str = Form(""), all: str = Form(""), status: str = Form(""),
            q: str = Form(""), me: ConsoleUser = Depends(admin)):
    from qbo_sync.pipeline import stages

    spec = entity(name)
    chosen = _selection(request, spec, ids, all, status, q)
    res = state(request).res
    stages.run_validate(res, [spec.name])
    stages.run_map(res, [spec.name])
    plan = stages.run_preview(res, [spec.name], chosen)
    counts = plan.counts().get(spec.name, {})
    from qbo_sync.ops import approval_summary

    return render(request, "preview.html", spec=spec, plan=plan, counts=counts, ids=ids,
                  writes=counts.get("create", 0) + counts.get("update", 0) + counts.get("link", 0),
                  summary=approval_summary.build(res.db, plan, ""), hours=approval_summary.hours,
                  money=approval_summary.money)


def _push_progress(res, since: datetime, planned: int):
    from qbo_sync.db.models import SyncAttempt

    def progress() -> str:
        with res.db.session() as session:
            done = session.scalar(select(func.count()).select_from(SyncAttempt)
                                  .where(SyncAttempt.attempted_at >= since))
        return f"{min(done, planned) if planned else done} of {planned} pushed" if planned else \
            f"{done} pushed"
    return progress


def failed_count(report: dict | None) -> int:
    """Records QBO refused in a sync or retry run: its outcome shows red, not green."""
    return sum(p.get("failed", 0) for p in ((report or {}).get("pushed") or []))


def _outcome(report: dict) -> str:
    if not report:
        return "Nothing to retry."
    pushed = report.get("pushed") or []
    created = sum(p["created"] for p in pushed)
    updated = sum(p["updated"] + p.get("linked", 0) for p in pushed)
    failed = sum(p["failed"] for p in pushed)
    if not report.get("approved"):
        return "Nothing was pushed (nothing to create or update)."
    return f"Done: {created} created, {updated} updated, {failed} failed."


@router.post("/e/{name}/sync")
def sync(request: Request, name: str, ids: str = Form(""), all: str = Form(""), status: str = Form(""),
         q: str = Form(""), planned: int = Form(0), me: ConsoleUser = Depends(admin)):
    spec = entity(name)
    chosen = _selection(request, spec, ids, all, status, q)
    st = state(request)

    def work(job: Job) -> str:
        from qbo_sync.flows.sync import sync as sync_flow

        temporary_server.start()   # without PREFECT_API_URL: a busy machine's slow start, waited for
        job.report = sync_flow(entities=[spec.name], mode="selected", ids=chosen, approval="yes",
                               config=st.config)
        return _outcome(job.report)

    job = st.jobs.start(f"Sync to QBO: {len(chosen)} {spec.label.lower()}", me.username, work,
                        progress=_push_progress(st.res, datetime.now(timezone.utc), planned))
    return _job(job)


@router.post("/e/{name}/rehearse")
def rehearse(request: Request, name: str, ids: str = Form(""), all: str = Form(""), status: str = Form(""),
             q: str = Form(""), me: ConsoleUser = Depends(admin)):
    """The selected records synced to a copy of the company: the rehearsal report opens when done."""
    spec = entity(name)
    chosen = _selection(request, spec, ids, all, status, q)
    st = state(request)

    def work(job: Job) -> str:
        from qbo_sync.rehearsal.run import refused, rehearse as rehearse_on_copies

        temporary_server.start()
        job.report = rehearse_on_copies(st.config, [spec.name], "selected", chosen)
        job.link = _report_link(st.settings, job.report["files"]["html"])
        count = refused(job.report)
        return f"QuickBooks would refuse {count} record(s)." if count else "QuickBooks would refuse nothing."

    job = st.jobs.start(f"Rehearse: {len(chosen)} {spec.label.lower()}", me.username, work)
    return _job(job)


def _report_link(settings, path: str) -> str:
    """The console's own address of a file in reports_dir (served at /reports/)."""
    from pathlib import Path
    from urllib.parse import quote

    from qbo_sync.ops.report_links import REPORTS_PATH

    relative = Path(path).resolve().relative_to(Path(settings.reports_dir).resolve())
    return f"{REPORTS_PATH}/{quote(relative.as_posix())}"


@router.post("/records/{record_id:id}/retry")
def retry(request: Request, record_id: int, me: ConsoleUser = Depends(admin)):
    st = state(request)
    found = staged_record(request, record_id)

    def work(job: Job) -> str:
        from qbo_sync.flows.retry import retry as retry_flow

        temporary_server.start()
        job.report = retry_flow(records=[str(record_id)], approval="yes", config=st.config)
        return _outcome(job.report)

    job = st.jobs.start(f"Retry {found[0]}/{found[1]}", me.username, work,
                        progress=_push_progress(st.res, datetime.now(timezone.utc), 1))
    return _job(job)


@router.post("/records/{record_id:id}/reconcile")
def answer_qbo_change(request: Request, record_id: int, choice: str = Form(""),
                      me: ConsoleUser = Depends(admin)):
    """A change made in QuickBooks after the sync: keep QuickBooks' version, or overwrite
    (or create again) with ours at the next sync."""
    from qbo_sync.pipeline import reconcile

    st = state(request)
    found = staged_record(request, record_id)
    if choice == "keep":
        reconcile.keep_quickbooks(st.res.db, str(record_id))
        return {"detail": f"Kept QuickBooks' version of {found[1]}: the sync leaves it as it is in QuickBooks."}
    if choice == "ours":
        reconcile.accept(st.res.db, str(record_id))
        return {"detail": f"{found[1]} will be written to QuickBooks from ours at the next sync."}
    raise HTTPException(400, "choose keep (QuickBooks' version) or ours")


@router.post("/records/{record_id:id}/link-existing")
def link_existing_by_name(request: Request, record_id: int, me: ConsoleUser = Depends(admin)):
    """A record QBO refused for a duplicate name: link it to QBO's object of that name."""
    from qbo_sync.console import existing

    st = state(request)
    found = staged_record(request, record_id)
    linked = existing.link_by_name(st.res, registry.get(found[0]), record_id)
    return {"detail": f"{found[1]} is now linked to the existing QuickBooks {linked.qbo_entity.lower()} "
                      f"\"{linked.name}\": the next sync updates it instead of creating a new one."}
