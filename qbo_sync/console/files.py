"""Run reports and Data Docs over HTTP: reports_dir served read-only at /reports/ to any
signed-in user (viewers too). The Prefect UI's run artifacts link here (qbo_sync.ops.report_links).

The pages are static: Data Docs are made self-contained when built (no script, nothing
from a CDN), and the policy below lets them keep their own inline styles but run nothing.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse

from qbo_sync.console.state import state, user
from qbo_sync.ops.report_links import REPORTS_PATH

router = APIRouter(dependencies=[Depends(user)])

STATIC_PAGE_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                      "font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@router.get(REPORTS_PATH + "/{path:path}")
def report_file(request: Request, path: str):
    root = Path(state(request).settings.reports_dir).resolve()
    target = (root / path).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(root) or not target.is_file():   # no way out of reports_dir
        raise HTTPException(404, f"no report file {path}")
    return FileResponse(target, headers={"Content-Security-Policy": STATIC_PAGE_POLICY})
