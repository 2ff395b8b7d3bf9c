"""`qbo-sync connect`: the OAuth 2.0 authorization-code flow with a loopback callback.

start_authorization / finish_authorization are the flow's two halves, shared with the
console's Reconnect button (console/reconnect.py), whose callback is a route of its own.

intuit-oauth's own state token is not cryptographically random and it never checks the
state on the callback, so both happen here (RFC 6749 §10.12). The callback listens on
127.0.0.1 only, on the port of the configured redirect URI (0 = any free port, which
Intuit accepts for loopback redirect URIs registered as such; the sandbox always does).
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

from qbo_sync.qbo.connection import NotConnected, QboConnection, _tokens_from


@dataclass
class Callback:
    params: dict[str, str] | None = None


class _CallbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, path: str):
        self.callback = Callback()
        self.done = threading.Event()
        self.path = path
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _CallbackServer

    def do_GET(self):   # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        if url.path != self.server.path:
            self.send_error(404)
            return
        self.server.callback.params = {k: v[0] for k, v in parse_qs(url.query).items()}
        ok = "code" in self.server.callback.params
        body = (b"<html><body><h1>qbo-sync</h1><p>" +
                (b"Connected. You can close this window." if ok else b"Not connected: see the terminal.") +
                b"</p></body></html>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.done.set()

    def log_message(self, *args):   # the query string holds the code: keep it out of logs
        pass


@dataclass(frozen=True)
class Authorization:
    """One authorization in flight: where to send the person, and what the answer must carry."""

    url: str
    state: str
    redirect_uri: str


def start_authorization(connection: QboConnection, redirect_uri: str) -> Authorization:
    """The authorization URL for this app, answering to `redirect_uri`, with a random state."""
    from intuitlib.enums import Scopes

    state = secrets.token_urlsafe(32)
    url = _auth_client(connection, redirect_uri).get_authorization_url([Scopes.ACCOUNTING], state_token=state)
    if connection.realm_id:
        url += "&" + urlencode({"realm_id": connection.realm_id})   # the sandbox picks this company
    return Authorization(url, state, redirect_uri)


def finish_authorization(connection: QboConnection, pending: Authorization, params: dict[str, str]) -> str:
    """Check the answer against `pending`, exchange its code, save the tokens (encrypted).

    Returns the company name. Raises NotConnected with a plain reason; then nothing is saved.
    """
    from intuitlib.exceptions import AuthClientError

    if not isinstance(params.get("state"), str) or not hmac.compare_digest(params["state"], pending.state):
        raise NotConnected("the authorization answer carried the wrong state (a forged or stale callback): "
                           "nothing was saved")
    if "error" in params:
        raise NotConnected(f"QuickBooks refused the connection: {params['error']} "
                           f"{params.get('error_description', '')}".rstrip())
    realm = params.get("realmId", "")
    if not params.get("code") or not realm:
        raise NotConnected("the authorization answer had no code or company id: nothing was saved")
    if connection.realm_id and realm != connection.realm_id:
        raise NotConnected(f"you authorized company {realm}, but the settings name {connection.realm_id}")
    auth = _auth_client(connection, pending.redirect_uri)   # the code is bound to this redirect URI
    try:
        auth.get_bearer_token(params["code"], realm_id=realm)
    except AuthClientError as exc:
        raise NotConnected(f"QuickBooks refused the authorization code (HTTP {exc.status_code})") from None
    connection._tokens.save(realm, _tokens_from(auth))
    return company_name(connection)


def _auth_client(connection: QboConnection, redirect_uri: str):
    # Its own client: the connection's shared one keeps the configured redirect URI.
    from intuitlib.client import AuthClient

    e = connection.endpoints
    return AuthClient(e.client_id, e.client_secret, redirect_uri, environment=e.discovery_url)


def connect(connection: QboConnection, open_url=None, timeout: float = 300) -> str:
    """Authorize, exchange the code, save the tokens (encrypted), read CompanyInfo.

    open_url(url) shows the authorization URL to the user (a browser, or printing it).
    Returns the company name. Raises NotConnected with a plain reason on any refusal.
    """
    redirect = urlparse(connection.endpoints.redirect_uri)
    if redirect.hostname not in ("127.0.0.1", "localhost"):
        raise NotConnected(f"qbo.redirect_uri must be a loopback address (http://127.0.0.1:PORT/callback) "
                           f"for qbo-sync connect, not {connection.endpoints.redirect_uri}")
    server = _CallbackServer(redirect.port or 0, redirect.path or "/")
    redirect_uri = urlunparse(redirect._replace(netloc=f"{redirect.hostname}:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, name="qbo-sync-oauth-callback", daemon=True)
    thread.start()
    try:
        pending = start_authorization(connection, redirect_uri)
        (open_url or print)(pending.url)
        if not server.done.wait(timeout):
            raise NotConnected(f"no answer from QuickBooks within {timeout:.0f} s: nothing was saved")
        params = server.callback.params or {}
    finally:
        server.shutdown()
        server.server_close()
    return finish_authorization(connection, pending, params)


def company_name(connection: QboConnection) -> str:
    client = connection.client()
    answer = client.get_single_object("CompanyInfo", connection.realm_id)
    info = answer.get("CompanyInfo") or {}
    return info.get("CompanyName") or info.get("LegalName") or connection.realm_id


def disconnect(connection: QboConnection) -> bool:
    """Revoke the refresh token at Intuit and delete the stored tokens. False: none stored."""
    from intuitlib.exceptions import AuthClientError

    tokens = connection._tokens.load(connection.realm_id)
    if tokens is None:
        return False
    try:
        connection.auth_client().revoke(token=tokens.refresh_token)
    except AuthClientError as exc:
        if exc.status_code not in (400, 401):   # already revoked or expired: still delete ours
            raise NotConnected(f"QuickBooks did not revoke the connection (HTTP {exc.status_code}); "
                               "the tokens are kept, try again") from None
    connection._tokens.delete(connection.realm_id)
    return True
