"""Intuit's OAuth 2.0 endpoints as intuit-oauth's AuthClient uses them.

Discovery document, an authorize endpoint that answers the demo app at once with a
redirect (no consent page), the token endpoint (authorization_code and refresh_token
grants, client checked by HTTP Basic auth), revocation, and bearer-token checks for the
API. Tokens are random; only their SHA-256 is stored, and they are never logged.
Every refresh rotates the refresh token; the previous one keeps working for a grace
period (QBO: about 24 hours). Revoking any token of a grant ends the whole grant at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from urllib.parse import urlencode, urlsplit

from qbo_sync.sandbox.faults import QboError

DEFAULT_REDIRECT_URI = "http://localhost:8765/callback"
AUTH_CODE_SECONDS = 300
PATHS = {
    "authorization_endpoint": "/oauth2/authorize",
    "token_endpoint": "/oauth2/v1/tokens/bearer",
    "revocation_endpoint": "/oauth2/v1/tokens/revoke",
    "userinfo_endpoint": "/v1/openid_connect/userinfo",
    "jwks_uri": "/oauth2/v1/keys",
}


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str = "") -> None:
        super().__init__(error)
        self.status, self.error, self.description = status, error, description

    def body(self) -> dict:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_app_credentials() -> dict:
    return {"client_id": "AB" + secrets.token_hex(20), "client_secret": secrets.token_urlsafe(30),
            "redirect_uri": DEFAULT_REDIRECT_URI}


def discovery_document(base_url: str) -> dict:
    doc = {key: base_url + path for key, path in PATHS.items()}
    doc.update(issuer=base_url, response_types_supported=["code"],
               grant_types_supported=["authorization_code", "refresh_token"],
               scopes_supported=["com.intuit.quickbooks.accounting", "openid", "profile", "email",
                                 "project-management.project"],
               token_endpoint_auth_methods_supported=["client_secret_basic"])
    return doc


def registered_redirect_uris(app: dict) -> list[str]:
    """The app's redirect URIs, as listed in its settings on Intuit's developer portal."""
    return [app["redirect_uri"], *app.get("redirect_uris", [])]


def redirect_allowed(uri: str, registered: list[str]) -> bool:
    """A registered URI exactly (Intuit compares the whole URI), or any loopback http URI on
    any port (RFC 8252 section 7.3: a native app's local callback)."""
    if uri in registered:
        return True
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


class OAuth:
    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox

    @property
    def _store(self):
        return self.sandbox.store

    @property
    def _settings(self):
        return self.sandbox.settings

    def _now(self) -> float:
        return self.sandbox.clock.now()

    # --- authorize -------------------------------------------------------------------
    def authorize(self, params: dict) -> str:
        """The redirect location for a GET on the authorization endpoint."""
        app = self.sandbox.app_credentials
        if params.get("client_id") != app["client_id"]:
            raise OAuthError(400, "invalid_client", "unknown client_id")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_allowed(redirect_uri, registered_redirect_uris(app)):
            raise OAuthError(400, "invalid_request", "redirect_uri is not registered for this app")
        state = params.get("state", "")

        def back(**query) -> str:
            if state:
                query["state"] = state
            sep = "&" if "?" in redirect_uri else "?"
            return redirect_uri + sep + urlencode(query)

        if params.get("response_type") != "code":
            return back(error="unsupported_response_type")
        if not params.get("scope"):
            return back(error="invalid_scope")
        realm = params.get("realm_id") or self.sandbox.demo_realm
        if self.sandbox.company(realm) is None:
            return back(error="access_denied", error_description="no such realm in the sandbox")
        code = "AB" + secrets.token_urlsafe(32)
        self._store.put("oauth:code", _digest(code), {
            "realm": realm, "redirect_uri": redirect_uri, "expires": self._now() + AUTH_CODE_SECONDS,
        })
        return back(code=code, realmId=realm)

    def register_redirect_uris(self, uris: list[str]) -> list[str]:
        """Add redirect URIs to the app's list (a web app's callback, such as the console's)."""
        if not isinstance(uris, list) or not all(isinstance(u, str) and urlsplit(u).scheme in ("http", "https")
                                                 and urlsplit(u).hostname for u in uris):
            raise ValueError("redirect_uris must be a list of absolute http(s) URIs")
        app = self.sandbox.app_credentials
        extra = list(dict.fromkeys([*app.get("redirect_uris", []), *uris]))
        self._store.put("meta", "app", {**app, "redirect_uris": extra})
        return registered_redirect_uris({**app, "redirect_uris": extra})

    # --- token -----------------------------------------------------------------------
    def check_client(self, authorization: str | None) -> None:
        app = self.sandbox.app_credentials
        try:
            scheme, _, encoded = (authorization or "").partition(" ")
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise OAuthError(401, "invalid_client") from None
        if (scheme.lower() != "basic" or not hmac.compare_digest(client_id, app["client_id"])
                or not hmac.compare_digest(secret, app["client_secret"])):
            raise OAuthError(401, "invalid_client")

    def token(self, form: dict) -> dict:
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            key = _digest(form.get("code") or "")
            code = self._store.get("oauth:code", key)
            if code is None or code["expires"] < self._now():
                raise OAuthError(400, "invalid_grant")
            if form.get("redirect_uri") != code["redirect_uri"]:
                raise OAuthError(400, "invalid_grant", "redirect_uri does not match")
            self._store.delete("oauth:code", key)   # a code works once
            return self._issue(self._new_grant(code["realm"]))
        if grant_type == "refresh_token":
            key = _digest(form.get("refresh_token") or "")
            record = self._store.get("oauth:refresh", key)
            if record is None or not self._refresh_usable(record):
                raise OAuthError(400, "invalid_grant")
            if record.get("superseded_at") is None:
                self._store.put("oauth:refresh", key, {**record, "superseded_at": self._now()})
            return self._issue(record["grant"])
        raise OAuthError(400, "unsupported_grant_type")

    def _refresh_usable(self, record: dict) -> bool:
        now = self._now()
        grant = self._store.get("oauth:grant", record["grant"])
        if grant is None or grant["revoked"] or record["expires"] < now:
            return False
        superseded = record.get("superseded_at")
        return superseded is None or now < superseded + self._settings.refresh_grace_seconds

    def _new_grant(self, realm: str) -> str:
        grant = secrets.token_hex(16)
        self._store.put("oauth:grant", grant, {"realm": realm, "revoked": False})
        return grant

    def _issue(self, grant: str) -> dict:
        s, now = self._settings, self._now()
        access, refresh = "eyJ" + secrets.token_urlsafe(48), "AB" + secrets.token_urlsafe(40)
        self._store.put("oauth:access", _digest(access),
                        {"grant": grant, "expires": now + s.access_token_seconds})
        self._store.put("oauth:refresh", _digest(refresh),
                        {"grant": grant, "expires": now + s.refresh_token_seconds})
        return {"token_type": "bearer", "access_token": access, "refresh_token": refresh,
                "expires_in": s.access_token_seconds,
                "x_refresh_token_expires_in": s.refresh_token_seconds}

    def issue_for_realm(self, realm: str) -> dict:
        tokens = self._issue(self._new_grant(realm))
        tokens["realm_id"] = realm
        return tokens

    # --- revoke ------------------------------------------------------------------------
    def revoke(self, token: str) -> None:
        key = _digest(token or "")
        record = self._store.get("oauth:refresh", key) or self._store.get("oauth:access", key)
        if record is None:
            raise OAuthError(400, "invalid_request", "unknown token")
        grant = self._store.get("oauth:grant", record["grant"])
        self._store.put("oauth:grant", record["grant"], {**grant, "revoked": True})

    # --- API calls -----------------------------------------------------------------------
    def realm_of(self, authorization: str | None) -> str:
        """The realm a bearer token was granted for; QboError 3200 when it is not valid."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise QboError(3200, "Authorization header with a bearer access token is required")
        record = self._store.get("oauth:access", _digest(token.strip()))
        if record is None or record["expires"] < self._now():
            raise QboError(3200, "Token expired or not valid")
        grant = self._store.get("oauth:grant", record["grant"])
        if grant is None or grant["revoked"]:
            raise QboError(3200, "Token revoked")
        return grant["realm"]
