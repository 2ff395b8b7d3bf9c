"""The web app pages the console links to (/app/customerdetail?nameId=ID...), as a plain
page per object: the same paths as QuickBooks' web app, on the sandbox's own host."""

from __future__ import annotations

import html
import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qbo_sync.qbo.web_links import PAGES
from qbo_sync.sandbox.core import Sandbox

_BY_PAGE = {page: (entity, param) for entity, (page, param) in PAGES.items()}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}"
                        f"</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>",
                        status_code=status, headers={"Content-Security-Policy": "default-src 'none'"})


def router(sandbox: Sandbox) -> APIRouter:
    web = APIRouter(prefix="/app")

    @web.get("/{page}")
    async def object_page(request: Request, page: str):
        if page not in _BY_PAGE:
            return _page("No such page", "<p>The sandbox serves the pages of customers, vendors, "
                                         "employees, bills, time activities and accounts.</p>", 404)
        entity, param = _BY_PAGE[page]
        realm, obj_id = request.query_params.get("realmId", sandbox.demo_realm), request.query_params.get(param, "")
        company = sandbox.company(realm)
        found = company.get(entity, obj_id) if company else None
        if found is None:
            return _page(f"No {entity} {obj_id}", f"<p>Company {html.escape(realm)} has no {entity} "
                                                  f"with id {html.escape(obj_id)}.</p>", 404)
        name = found.get("DisplayName") or found.get("FullyQualifiedName") or found.get("Name") or \
            found.get("DocNumber") or ""
        return _page(f"{entity} {name} (id {obj_id})".replace("  ", " "),
                     f"<p>Company {html.escape(realm)} · SyncToken {html.escape(str(found.get('SyncToken', '')))}"
                     f"</p><pre>{html.escape(json.dumps(found, indent=2, sort_keys=True))}</pre>")

    return web
