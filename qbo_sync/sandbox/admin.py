"""The admin surface for tests and benchmarks, under /admin only (never a QBO path).

No authentication by default: the sandbox binds to 127.0.0.1 and is a local tool. Started
with an admin key (the embedded sandbox behind the console and the CLI always is), every
admin call must carry it in the X-Sandbox-Admin-Key header: anyone else on the machine
could otherwise reset the company or issue its tokens.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from qbo_sync.sandbox import graphql
from qbo_sync.sandbox.core import Sandbox
from qbo_sync.sandbox.webhooks import check_config as check_webhooks


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json(request: Request) -> dict:
    raw = await request.body()
    if not raw:
        return {}
    try:
        import json
        body = json.loads(raw)
    except ValueError:
        raise ValueError("body is not JSON") from None
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    return body


ADMIN_KEY_HEADER = "x-sandbox-admin-key"


def router(sandbox: Sandbox, admin_key: str | None = None) -> APIRouter:
    def key_required(request: Request) -> None:
        sent = request.headers.get(ADMIN_KEY_HEADER, "")
        if admin_key and not hmac.compare_digest(sent.encode(), admin_key.encode()):
            raise HTTPException(403, "the sandbox's admin surface needs its admin key")

    api = APIRouter(prefix="/admin", dependencies=[Depends(key_required)])

    def company_or_404(realm: str):
        return sandbox.company(realm)

    @api.get("/info")
    async def info(request: Request):
        return sandbox.info(str(request.base_url).rstrip("/"))

    @api.post("/reset")
    async def reset():
        sandbox.reset()
        return {"realm_id": sandbox.demo_realm}

    @api.get("/realms")
    async def realms():
        return {"realms": sandbox.realms(), "demo_realm": sandbox.demo_realm}

    @api.post("/realms")
    async def create_realm(request: Request):
        try:
            body = await _json(request)
        except ValueError as exc:
            return _bad(str(exc))
        projects, seed = body.get("projects_enabled", True), body.get("seed", True)
        if not isinstance(projects, bool) or not isinstance(seed, bool):
            return _bad("projects_enabled and seed must be true or false")
        projects_api = body.get("projects_api", "allowed")
        if projects_api not in graphql.PROJECTS_API:
            return _bad(f"projects_api must be one of {', '.join(graphql.PROJECTS_API)}")
        realm = sandbox.create_realm(projects_enabled=projects, seed=seed,
                                     company_name=body.get("company_name"), projects_api=projects_api)
        return {"realm_id": realm}

    @api.post("/realms/snapshot")
    async def create_realm_from_snapshot(request: Request):
        try:
            realm, copied = sandbox.create_realm_from_snapshot(await _json(request))
        except ValueError as exc:   # SnapshotError included: one line naming the object
            return _bad(f"snapshot refused: {exc}")
        return {"realm_id": realm, "copied": copied}

    @api.get("/realms/{realm}/counts")
    async def counts(realm: str):
        company = company_or_404(realm)
        if company is None:
            return _bad(f"no realm {realm}", 404)
        return {"reads": dict(company.reads), "writes": dict(company.writes)}

    @api.get("/realms/{realm}/requests")
    async def requests_log(realm: str, limit: int = 100):
        if sandbox.company(realm) is None:
            return _bad(f"no realm {realm}", 404)
        log = list(sandbox.request_log.get(realm, ()))
        return {"requests": log[-limit:] if limit > 0 else []}

    @api.post("/realms/{realm}/forget-requests")
    async def forget_requests(realm: str):
        """Forget the realm's request ids, as QBO does after a while: a request sent again
        later is new work, not a replay (tests of "the staging database was lost")."""
        if sandbox.company(realm) is None:
            return _bad(f"no realm {realm}", 404)
        return {"forgotten": sandbox.store.drop(f"r:{realm}:_reqid")}

    @api.post("/realms/{realm}/tokens")
    async def tokens(realm: str):
        if sandbox.company(realm) is None:
            return _bad(f"no realm {realm}", 404)
        return sandbox.oauth.issue_for_realm(realm)

    @api.post("/realms/{realm}/webhooks")
    async def set_webhooks(realm: str, request: Request):
        if sandbox.company(realm) is None:
            return _bad(f"no realm {realm}", 404)
        try:
            body = await _json(request)
            config = None if body.get("url") is None else check_webhooks(body)
        except (TypeError, ValueError) as exc:
            return _bad(str(exc))
        sandbox.webhooks.configure(realm, config)
        return {"webhooks": config}

    @api.get("/realms/{realm}/webhooks/deliveries")
    async def webhook_deliveries(realm: str):
        return {"deliveries": list(sandbox.webhooks.deliveries.get(realm, ()))}

    @api.post("/app/redirect-uris")
    async def redirect_uris(request: Request):
        try:
            return {"redirect_uris": sandbox.oauth.register_redirect_uris((await _json(request)).get("redirect_uris"))}
        except (TypeError, ValueError) as exc:
            return _bad(str(exc))

    @api.get("/settings")
    async def get_settings():
        return sandbox.settings.as_dict()

    @api.post("/settings")
    async def set_settings(request: Request):
        try:
            sandbox.settings.update(await _json(request))
        except ValueError as exc:
            return _bad(str(exc))
        return sandbox.settings.as_dict()

    @api.post("/clock/advance")
    async def advance(request: Request):
        try:
            seconds = float((await _json(request)).get("seconds"))
        except (TypeError, ValueError):
            return _bad("seconds must be a number")
        if seconds < 0:
            return _bad("the clock only moves forward")
        offset = sandbox.clock.advance(seconds)
        return {"offset_seconds": offset, "now": sandbox.clock.iso()}

    return api
