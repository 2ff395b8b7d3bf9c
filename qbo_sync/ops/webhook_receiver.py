"""POST /webhooks/intuit: QuickBooks' change notifications, verified, stored, reconciled.

Served by the console app and on its own by `qbo-sync webhooks`. The answer comes as soon as
the changes are stored (Intuit wants one within a few seconds); a background thread then
reconciles them (pipeline/notified.py) every few seconds, so a record changed or deleted
in QuickBooks shows as Needs Action within a minute while the server runs.
"""

from __future__ import annotations

import logging
import threading

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from qbo_sync.pipeline import notified
from qbo_sync.qbo import webhooks

log = logging.getLogger(__name__)

PATH = "/webhooks/intuit"
MAX_BODY_BYTES = 1024 * 1024           # Intuit bundles a few minutes of changes; far below this
RECONCILE_EVERY_SECONDS = 5.0


def router(res) -> APIRouter:
    """The receiver for one company's Resources (its staging database, realm and verifier token)."""
    api = APIRouter()

    @api.post(PATH)
    async def receive(request: Request):
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            return JSONResponse({"error": "notification too large"}, status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"error": "notification too large"}, status_code=413)
        token = res.settings.qbo.webhook_verifier_token
        if not webhooks.verified(body, request.headers.get("intuit-signature"), token):
            # Nothing is read or stored from a body whose signature does not check out.
            log.warning("webhook refused: %s", "bad intuit-signature" if token else "no verifier token is set")
            return JSONResponse({"error": "signature does not match"}, status_code=401)
        try:
            changes = webhooks.parse(body)
        except webhooks.BadNotification as problem:
            return JSONResponse({"error": f"not a QuickBooks notification: {problem}"}, status_code=400)
        stored = await run_in_threadpool(notified.store, res.db, res.qbo.realm_id, changes)
        return {"stored": stored}

    return api


class Reconciler:
    """Reconciles stored changes every few seconds while a server runs; never stops it."""

    def __init__(self, res, every_seconds: float = RECONCILE_EVERY_SECONDS):
        self.res, self.every = res, every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="webhook-reconcile", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.once()
            except Exception as exc:   # QuickBooks away, database busy: the next round tries again
                log.warning("webhook changes not reconciled yet: %s", exc)

    def once(self):
        from qbo_sync.pipeline import staging_lock

        res = self.res
        if not notified.pending(res.db):      # asked first: no QBO connection while nothing waits
            return None
        with staging_lock.staging(res.db):     # not while a run maps or imports
            return notified.reconcile_notified(res.db, res.reader)


def attach(app: FastAPI, res) -> None:
    """The receiver's route and its reconciler, started and stopped with the app."""
    app.include_router(router(res))
    reconciler = Reconciler(res)
    app.router.on_startup.append(reconciler.start)
    app.router.on_shutdown.append(reconciler.stop)


def create_app(res) -> FastAPI:
    """`qbo-sync webhooks`: the receiver alone, for a host that serves no console."""
    app = FastAPI(title="qbo-sync webhooks", docs_url=None, redoc_url=None, openapi_url=None)
    attach(app, res)
    return app
