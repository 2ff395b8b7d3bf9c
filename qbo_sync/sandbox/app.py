"""The sandbox's ASGI application: FastAPI routes for OAuth, the v3 API, GraphQL and the
admin surface, QBO-shaped errors for anything that goes wrong, behind the API gate."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from qbo_sync.sandbox import admin, api, oauth_routes, web
from qbo_sync.sandbox.core import Sandbox
from qbo_sync.sandbox.faults import QboError, fault_body
from qbo_sync.sandbox.gate import Gate

log = logging.getLogger("qbo_sync.sandbox")


def create_app(sandbox: Sandbox, admin_key: str | None = None) -> Gate:
    app = FastAPI(title="qbo-sync QBO sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(oauth_routes.router(sandbox))
    app.include_router(admin.router(sandbox, admin_key))
    app.include_router(web.router(sandbox))   # the web app's object pages the console links to
    app.router.routes[:0] = api.routes(sandbox)   # first: the hot path matches at once
    app.include_router(api.graphql_router(sandbox))
    app.include_router(api.files_router(sandbox))

    def fault(error: QboError):
        return api.json_response(fault_body(error, sandbox.clock.iso_ms()), error.http_status)

    @app.exception_handler(QboError)
    async def qbo_error(request: Request, error: QboError):
        return fault(error)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if exc.status_code == 404:
            return fault(QboError(500, f"Operation Could not find resource for relative : "
                                       f"{request.url.path} is not supported.", status=404))
        if exc.status_code == 405:
            return fault(QboError(500, f"Method {request.method} is not supported for "
                                       f"{request.url.path}", status=405))
        return fault(QboError(10000, str(exc.detail), status=exc.status_code))

    @app.exception_handler(RequestValidationError)
    async def bad_params(request: Request, exc: RequestValidationError):
        return fault(QboError(2010, "Property Name:invalid request parameters"))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        # Logged here with its traceback; the client gets QBO's system fault, never a trace.
        log.exception("sandbox error on %s %s", request.method, request.url.path)
        return fault(QboError(10000, "An unexpected error occurred in the sandbox"))

    return Gate(app, sandbox)
