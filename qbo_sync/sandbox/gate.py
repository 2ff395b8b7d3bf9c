"""What stands before every QBO API request (/v3 and /graphql), as pure ASGI:
body-size limit, bearer-token check (401 / 403), per-realm throttle (429), injected
faults (500/503, slow answers, dropped connections after a write) and the request log.

Pure ASGI rather than FastAPI middleware: dropping the connection needs the server's own
`send`, and the hot path stays short when throttling and faults are off.
"""

from __future__ import annotations

import asyncio
import logging
import time

import orjson

from qbo_sync.sandbox.core import Sandbox
from qbo_sync.sandbox.faults import QboError, fault_body, throttle_xml

log = logging.getLogger("qbo_sync.sandbox")
UNAVAILABLE_HTML = b"<html><body><h1>503 Service Unavailable</h1>Please try again later.</body></html>"


def _header(scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def _send_body(send, status: int, body: bytes, content_type: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Gate:
    def __init__(self, app, sandbox: Sandbox) -> None:
        self.app, self.sandbox = app, sandbox

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path.startswith("/v3/") or path == "/graphql"):
            await self.app(scope, receive, send)
            return
        sb = self.sandbox
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        status = [0]

        async def fault(error: QboError) -> None:
            status[0] = error.http_status
            await _send_body(send, error.http_status,
                             orjson.dumps(fault_body(error, sb.clock.iso_ms())), b"application/json")

        parts = path.split("/")
        realm = parts[3] if len(parts) > 3 and parts[2] == "company" else None
        length = _header(scope, b"content-length")
        limit = sb.settings.max_body_bytes
        if path.endswith("/upload"):   # a file, base64 or not, plus its metadata
            limit = max(limit, sb.settings.max_upload_bytes * 4 // 3 + 64 * 1024)
        if length and length.isdigit() and int(length) > limit:
            await fault(QboError(2010, f"Request body of {length} bytes exceeds the limit of "
                                       f"{limit} bytes", status=413))
            return
        try:
            token_realm = sb.oauth.realm_of(_header(scope, b"authorization"))
            if realm is None and path != "/graphql":
                raise QboError(500, f"Operation Could not find resource for relative : {path} "
                                    "is not supported.")
            realm = realm or token_realm
            if realm != token_realm or sb.company(realm) is None:
                raise QboError(3100, f"The access token was not granted for company {realm}")
        except QboError as error:
            await fault(error)
            return
        state["realm"] = realm

        if not sb.throttle.enter(realm, batch=path.endswith("/batch")):
            status[0] = 429
            if sb.settings.throttle_body == "xml":
                await _send_body(send, 429, throttle_xml(sb.clock.iso_ms()).encode(), b"application/xml")
            else:
                await fault(QboError(3001, "Too many requests for this company; wait and retry"))
            self._log(scope, realm, 429, state, started)
            return
        try:
            await self._serve(scope, receive, send, state, status)
        finally:
            sb.throttle.leave(realm)
            self._log(scope, realm, status[0], state, started)

    async def _serve(self, scope, receive, send, state, status) -> None:
        chaos = self.sandbox.chaos
        error = chaos.server_error()
        if error == 500:
            status[0] = 500
            await _send_body(send, 500, orjson.dumps(fault_body(
                QboError(10000, "Injected server error"), self.sandbox.clock.iso_ms())), b"application/json")
            return
        if error == 503:
            status[0] = 503
            await _send_body(send, 503, UNAVAILABLE_HTML, b"text/html")
            return
        delay = chaos.delay()
        if delay:
            await asyncio.sleep(delay)
        drop = scope["method"] == "POST" and chaos.drop_after_write()
        held: list = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            if drop:
                held.append(message)
            else:
                await send(message)

        await self.app(scope, receive, capture)
        if not drop:
            return
        if state.get("wrote"):
            status[0] = 0   # the write happened; the client never hears of it
            await _drop_connection(send)
            return
        for message in held:
            await send(message)

    def _log(self, scope, realm: str, status: int, state: dict, started: float) -> None:
        self.sandbox.request_log[realm].append({
            "time": self.sandbox.clock.iso(), "method": scope["method"], "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"), "status": status,
            "entity": state.get("entity"), "replayed": bool(state.get("replayed")),
            "duration": round(time.perf_counter() - started, 6)})


async def _drop_connection(send) -> None:
    """Close the socket without an answer. uvicorn's `send` is a bound method of the
    request cycle, which holds the transport; any other server gets a cut-off body."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()
        await asyncio.sleep(0)   # let the server see the connection is gone
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")]})
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
    raise ConnectionAbortedError("dropped after write (fault injection)")
