"""The console's app factory: sessions, security headers, error pages, and the routes."""

from __future__ import annotations

import gc
import logging
import time

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from qbo_sync.console import actions, auth, csrf, files, pages, reasons, reconnect
from qbo_sync.console.jobs import Busy, JobRunner
from qbo_sync.console.sessions import SESSION_HOURS, SESSION_ID
from qbo_sync.console.state import HERE, SESSION_USER, ConsoleState, NotSignedIn, render, state, templates
from qbo_sync.ops import webhook_receiver
from qbo_sync.resources import Resources
from qbo_sync.settings import Settings, load_settings

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    # Scripts and styles come only from our static files: an injected <script> would not run.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

CONSOLE_OUTAGE_SECONDS = 20


def user_errors() -> tuple[type[BaseException], ...]:
    """Failures whose message is the whole story for a user: shown as it is, no traceback."""
    from qbo_sync.pipeline.mapping import MappingError
    from qbo_sync.pipeline.records import RecordNotFound
    from qbo_sync.qbo.connection import NotConnected
    from qbo_sync.settings import SettingsError
    from qbo_sync.sources.base import SourceError

    return (MappingError, RecordNotFound, NotConnected, SettingsError, SourceError, ValueError, Busy)


def create_app(settings: Settings | None = None, config: str | None = None,
               resources: Resources | None = None, secure_cookie: bool = False) -> FastAPI:
    """The console for the settings file `config` (which the sync flows it starts read too).

    `secure_cookie`: send the session cookie over HTTPS only (the console is reached
    through the network, not on this machine's loopback).
    """
    settings = settings or (resources.settings if resources else load_settings(config))
    auth.check_users(settings)
    res = resources or Resources(settings)
    # A person waits on the console's own reads (imports, previews, links): say that QuickBooks
    # is out of reach after a short wait, not after a run's outage limit. Sync and retry jobs
    # run as flows with their own resources and the setting's limit.
    res.limit_outage(CONSOLE_OUTAGE_SECONDS)
    app = FastAPI(title="qbo-sync console", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = ConsoleState(settings, config, res, JobRunner(user_errors()), templates())

    @app.middleware("http")
    async def headers(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.add_middleware(SessionMiddleware, secret_key=auth.session_secret(settings),
                       session_cookie="qbo_sync_console", same_site="strict", max_age=SESSION_HOURS * 3600,
                       https_only=secure_cookie)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _errors(app)
    _sign_in(app)
    app.include_router(pages.router)
    app.include_router(actions.router)
    app.include_router(reconnect.router)   # the QuickBooks connection: Reconnect and its callback
    app.include_router(files.router)   # run reports and Data Docs, linked from the Prefect UI
    webhook_receiver.attach(app, res)  # QuickBooks' change notifications: no sign-in, a signature
    # What is alive now (the imports: Prefect, pandas, SQLAlchemy, some 200,000 objects) stays
    # alive: out of the collector's generations, a full collection no longer walks it in the
    # middle of a request (200-400 ms pauses on 200-row pages in bench/bench_console.py).
    gc.freeze()
    return app


def _wants_json(request: Request) -> bool:
    # The page's scripts ask for JSON; plain links and forms get an HTML page.
    return "application/json" in request.headers.get("accept", "")


def _from_script(request: Request) -> bool:
    # The page's scripts mark their requests (pop-ups too, which want HTML): a redirect to the
    # sign-in page would land inside the pop-up, so they get a 401 and go to sign in themselves.
    return _wants_json(request) or request.headers.get("x-requested-with") == "console"


def _errors(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc):
        if _from_script(request):
            return JSONResponse({"detail": "Sign in first (your session has ended)."}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(StarletteHTTPException)   # ours, and the router's "no such page"
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = "There is no such page in the console." if exc.detail == "Not Found" else exc.detail
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=exc.status_code)
        return render(request, "error.html", status_code=exc.status_code, message=detail)

    async def user_error(request: Request, exc: Exception):
        status = 409 if isinstance(exc, Busy) else 400
        message = reasons.console_text(str(exc))   # the CLI's advice ("run qbo-sync pull") is not ours
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=status)
        return render(request, "error.html", status_code=status, message=message)

    for error in user_errors():   # handled here, so they never reach the server's error log
        app.add_exception_handler(error, user_error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        from qbo_sync.console.outage import explain

        outage = explain(exc)
        if outage:   # not a fault of the console or the records: say what happens next
            log.warning("console request %s %s: QuickBooks out of reach: %s", request.method, request.url.path, exc)
            if _wants_json(request):
                return JSONResponse({"detail": outage}, status_code=503)
            return render(request, "error.html", status_code=503, message=outage)
        log.error("console request %s %s failed", request.method, request.url.path, exc_info=exc)
        message = "Something went wrong on the server; the console's log has the details."
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=500)
        return render(request, "error.html", status_code=500, message=message)


def _sign_in(app: FastAPI) -> None:
    @app.get("/login")
    async def login_page(request: Request, next: str = "/"):
        return render(request, "login.html", next=_safe_next(next), error="")

    @app.post("/login", dependencies=[Depends(csrf.require)])
    async def login(request: Request, username: str = Form(""), password: str = Form(""),
                    next: str = Form("/")):
        st = state(request)
        address = request.client.host if request.client else ""
        wait = st.throttle.wait_seconds(username, address)
        if wait > 0:   # checked before the password: a locked name cannot be guessed meanwhile
            return render(request, "login.html", status_code=429, next=_safe_next(next),
                          error=f"Too many wrong passwords: sign-in is locked for {_minutes(wait)}. "
                                "Try again then, or ask an administrator.")
        found = auth.authenticate(st.settings.console.users, username, password)
        if found is None:
            st.throttle.failed(username, address)
            return render(request, "login.html", status_code=401, next=_safe_next(next),
                          error="Wrong user name or password.")
        st.throttle.succeeded(username)
        st.sessions.end(request.session.get(SESSION_ID))
        request.session.clear()   # a fresh session (and CSRF token) on sign-in
        request.session[SESSION_USER] = found.username
        request.session[SESSION_ID] = st.sessions.start()
        return RedirectResponse(_safe_next(next), status_code=303)

    @app.post("/logout", dependencies=[Depends(csrf.require)])
    async def logout(request: Request):
        state(request).sessions.end(request.session.get(SESSION_ID))   # a kept copy of the cookie is dead too
        request.session.clear()
        return RedirectResponse("/login", status_code=303)


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _safe_next(target: str) -> str:
    # Only paths of this console: no open redirect to another site.
    return target if target.startswith("/") and not target.startswith("//") else "/"
