"""HTTP routes of the OAuth side: discovery, authorize, token, revoke, userinfo, keys."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from qbo_sync.sandbox.core import Sandbox
from qbo_sync.sandbox.faults import QboError
from qbo_sync.sandbox.oauth import PATHS, OAuthError, discovery_document

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(exc: OAuthError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=NO_STORE)


def router(sandbox: Sandbox) -> APIRouter:
    api = APIRouter()
    oauth = sandbox.oauth

    @api.get("/.well-known/openid_configuration")
    @api.get("/.well-known/openid_configuration/")
    async def discovery(request: Request):
        return discovery_document(str(request.base_url).rstrip("/"))

    @api.get(PATHS["authorization_endpoint"])
    async def authorize(request: Request):
        try:
            location = oauth.authorize(dict(request.query_params))
        except OAuthError as exc:
            return _error(exc)
        return RedirectResponse(location, status_code=302)

    @api.post(PATHS["token_endpoint"])
    async def token(request: Request):
        try:
            oauth.check_client(request.headers.get("authorization"))
            form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
            return JSONResponse(oauth.token(form), headers=NO_STORE)
        except OAuthError as exc:
            return _error(exc)

    @api.post(PATHS["revocation_endpoint"])
    async def revoke(request: Request):
        try:
            oauth.check_client(request.headers.get("authorization"))
            raw = await request.body()
            try:
                body = json.loads(raw) if raw.strip().startswith(b"{") else dict(parse_qsl(raw.decode()))
            except (ValueError, UnicodeDecodeError):
                raise OAuthError(400, "invalid_request", "body is not JSON") from None
            oauth.revoke(str(body.get("token", "")) if isinstance(body, dict) else "")
        except OAuthError as exc:
            return _error(exc)
        return JSONResponse({}, status_code=200)

    @api.get(PATHS["userinfo_endpoint"])
    async def userinfo(request: Request):
        try:
            realm = oauth.realm_of(request.headers.get("authorization"))
        except QboError:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return {"sub": f"sandbox-user-{realm}", "givenName": "Sandbox", "familyName": "User",
                "email": "owner@example.com", "emailVerified": True}

    @api.get(PATHS["jwks_uri"])
    async def keys():
        return {"keys": []}   # no id_token is issued, so there is nothing to verify

    return api
