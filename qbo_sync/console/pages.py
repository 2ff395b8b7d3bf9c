"""The console's screens (GET): entity lists, pop-ups, job progress, runs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from qbo_sync import entities as registry
from qbo_sync import statuses, views
from qbo_sync.console import queries, reasons
from qbo_sync.console.state import entity, render, staged_record, state, user
from qbo_sync.pipeline.records import RecordNotFound

router = APIRouter(dependencies=[Depends(user)])


@router.get("/")
async def home():
    return RedirectResponse(f"/e/{next(iter(registry.ENTITIES))}", status_code=303)


def _column_header(spec, column: str) -> str:
    if column == "status":   # the source's own status, not the sync Status
        return f"{spec.label.removesuffix('s')} status"
    return column.replace("_", " ").capitalize()


@router.get("/overview")
def overview(request: Request):
    from datetime import timezone

    from qbo_sync.console import overview as parts
    from qbo_sync.console.reconnect import just_connected

    st = state(request)
    return render(request, "overview.html", counts=parts.status_counts(st.res.db), labels=statuses.LABELS,
                  last=parts.last_run(st.res.db), next=parts.next_run(st.settings), qbo=parts.connection(st.res),
                  connected=just_connected(request), utc=timezone.utc)


def _status_filter(status: str):
    """The list's status filter from the query string; a status that does not exist is a 400."""
    try:
        return statuses.parse(status) if status else None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/e/{name}")
def entity_list(request: Request, name: str, status: str = "", q: str = "", page: str = "1",
                per_page: str = ""):
    spec = entity(name)
    st = state(request)
    status_code = _status_filter(status)
    size = int(per_page) if per_page.isdigit() and int(per_page) in queries.PAGE_SIZES else \
        st.settings.console.page_size
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    listing = queries.list_page(st.res.db, spec, queries.ListQuery(spec.name, status_code, q[:200], number, size),
                                mappings=_mappings(st.res))
    for row in listing.rows:
        row["shown_reasons"] = reasons.for_row(row["reasons"])
        row["action"] = reasons.offered_action(row["status"], row["reasons"], row["reconcile"], spec.qbo_entity)
    link_choices = {rule.role: queries.qbo_choices(st.res.db, rule.qbo_entity, clients_only=rule.qbo_entity == "Customer")
                    for rule in spec.links if any(rule.role not in row["links"] for row in listing.rows)}
    # Records gone from the source stay visible, with what became of their QBO objects.
    deleted = views.deleted_in_source(st.res.db, spec.name)
    return render(request, "entity.html", spec=spec, listing=listing, link_choices=link_choices,
                  deleted=deleted,
                  choice_ids={role: {c["qbo_id"] for c in choices} for role, choices in link_choices.items()},
                  columns=[c.header for c in spec.columns] or
                          ["Name", *(_column_header(spec, c) for c in spec.list_columns)],
                  labels=statuses.LABELS, status=status_code or "", q=q, page_sizes=queries.PAGE_SIZES)


@router.get("/e/{name}/totals")
def entity_totals(request: Request, name: str, status: str = "", q: str = ""):
    """The table foot's totals for the list's filter, fetched by the page once it has shown."""
    spec = entity(name)
    st = state(request)
    status_code = _status_filter(status)
    query = queries.ListQuery(spec.name, status_code, q[:200])
    return {"totals": queries.totals(st.res.db, spec, query, _mappings(st.res))}


def _mappings(res):
    """The mappings (a cost code's QBO target before it is synced); none if they do not load."""
    from qbo_sync import mappings

    try:
        return mappings.for_resources(res)
    except (mappings.MappingsError, OSError):
        return None


def _record_view(fn, request: Request, record_id: int) -> dict:
    try:
        return fn(state(request).res.db, str(record_id))
    except RecordNotFound as exc:
        raise HTTPException(404, str(exc)) from None


def _qbo_links(request: Request, record_id: int) -> list[dict]:
    from qbo_sync.console.qbo_links import record_links

    return record_links(state(request).res, _record_view(views.payload, request, record_id))


@router.get("/records/{record_id:id}/history")
def history(request: Request, record_id: int):
    return render(request, "history.html", h=_record_view(views.history, request, record_id),
                  qbo_links=_qbo_links(request, record_id))


@router.get("/records/{record_id:id}/json")
def payload(request: Request, record_id: int):
    import json

    p = _record_view(views.payload, request, record_id)
    pretty = {k: (json.dumps(p[k], indent=2, sort_keys=True) if p[k] is not None else None)
              for k in ("request", "response", "payments")}
    from qbo_sync.console.qbo_links import record_links

    return render(request, "payload.html", p=p, pretty=pretty, qbo_links=record_links(state(request).res, p))


@router.get("/records/{record_id:id}/mapping")
def mapping_form(request: Request, record_id: int):
    found = staged_record(request, record_id)
    spec = registry.get(found[0])
    return render(request, "mapping.html", spec=spec, record_id=record_id, source_id=found[1],
                  choices=queries.qbo_choices(state(request).res.db, spec.qbo_entity))


@router.get("/jobs/{job_id:id}")
def job_status(request: Request, job_id: int):
    job = state(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id} (the console was restarted?)")
    from qbo_sync.console.actions import failed_count

    return {"id": job.id, "title": job.title, "state": job.state, "message": job.message,
            "progress": job.progress_text(), "failed": failed_count(job.report), "link": job.link}


def prefect_ui_url() -> str | None:
    try:
        from prefect.settings import PREFECT_UI_URL

        url = PREFECT_UI_URL.value()
    except Exception:
        return None
    return url.rstrip("/") if url else None


@router.get("/runs")
def runs(request: Request):
    from qbo_sync.qbo.metering import month_line

    recent = views.runs(state(request).res.db, limit=50)
    calls = next(((r.report or {}).get("qbo_calls") for r in recent if (r.report or {}).get("qbo_calls")), None)
    return render(request, "runs.html", runs=recent, prefect_ui=prefect_ui_url(),
                  calls=month_line(calls) if calls else "")


@router.get("/runs/{run_id:id}")
def run_report(request: Request, run_id: int):
    from qbo_sync.pipeline.report import to_markdown

    report = views.run_report(state(request).res.db, str(run_id))
    if report is None:
        raise HTTPException(404, f"no run {run_id}")
    return render(request, "report.html", run_id=run_id, report=report, markdown=to_markdown(report),
                  prefect_ui=prefect_ui_url())
