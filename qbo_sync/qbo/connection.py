"""The QBO connection of one company: tokens, python-quickbooks clients, GraphQL.

Flows and tasks never build clients themselves; they ask this resource for one.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlencode, urlparse

import requests

from qbo_sync.qbo.faults import CONNECTION_EXPIRED
from qbo_sync.qbo.tokens import Tokens, TokenStore

# Refresh this long before the access token expires, so no call races its expiry.
REFRESH_MARGIN_SECONDS = 300


class NotConnected(Exception):
    """No usable QuickBooks tokens: the user must connect (again)."""


@dataclass(frozen=True)
class Endpoints:
    """Where the company's QBO lives and which app talks to it."""

    discovery_url: str
    api_url_v3: str
    graphql_url: str
    realm_id: str
    client_id: str
    client_secret: str
    redirect_uri: str

    def __repr__(self) -> str:   # the client secret stays out of logs and tracebacks
        return f"Endpoints(api_url_v3={self.api_url_v3!r}, realm_id={self.realm_id!r})"


class QboConnection:
    def __init__(self, endpoints: Endpoints, tokens: TokenStore, minorversion: int = 75,
                 timeout_seconds: float = 60):
        self.endpoints = endpoints
        self.minorversion = minorversion
        self.timeout_seconds = timeout_seconds
        self._tokens = tokens
        self._lock = threading.Lock()
        self._auth_client = None
        self._local = threading.local()
        if _is_loopback(endpoints.api_url_v3):
            # requests-oauthlib refuses plain http; the local sandbox serves http on loopback.
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

    @property
    def realm_id(self) -> str:
        return self.endpoints.realm_id

    # --- tokens -----------------------------------------------------------------
    def auth_client(self):
        from intuitlib.client import AuthClient

        if self._auth_client is None:
            e = self.endpoints
            self._auth_client = AuthClient(e.client_id, e.client_secret, e.redirect_uri,
                                           environment=e.discovery_url)
        return self._auth_client

    def current_tokens(self, force_refresh: bool = False) -> Tokens:
        """Valid tokens, refreshed when close to expiry; one refresh at a time."""
        with self._lock:
            tokens = self._load()
            if not (force_refresh or _expiring(tokens)):
                return tokens
            # Exactly one process refreshes at a time (a lease row in the staging database);
            # one that waited uses what the other stored instead of refreshing again.
            with self._tokens.refresh_lock(self.realm_id):
                latest = self._load()
                if latest.access_token != tokens.access_token and not _expiring(latest):
                    return latest
                return self._refresh(latest)

    def health(self, warn_days: float) -> dict | None:
        """When the stored refresh token expires, and whether to warn (None: not connected)."""
        tokens = self._tokens.load(self.realm_id)
        if tokens is None:
            return None
        days = (tokens.refresh_expires_at - time.time()) / 86400
        expires = datetime.fromtimestamp(tokens.refresh_expires_at, timezone.utc)
        return {"expires_on": expires.date().isoformat(), "days_left": max(0, int(days)),
                "warn": days <= warn_days}

    def _load(self) -> Tokens:
        tokens = self._tokens.load(self.realm_id)
        if tokens is None:
            raise NotConnected(f"not connected to QuickBooks company {self.realm_id}: run qbo-sync connect")
        return tokens

    def _refresh(self, tokens: Tokens) -> Tokens:
        from intuitlib.exceptions import AuthClientError

        auth = self.auth_client()
        try:
            auth.refresh(refresh_token=tokens.refresh_token)
        except AuthClientError as exc:
            if exc.status_code in (400, 401):
                raise NotConnected(CONNECTION_EXPIRED) from None
            raise
        fresh = _tokens_from(auth)
        # Persist the rotated refresh token before the new access token is used:
        # losing it would force the user to reconnect.
        self._tokens.save(self.realm_id, fresh)
        return fresh

    def connect_headless(self) -> None:
        """The authorization-code flow without a browser, for an app that authorizes at once.

        The local sandbox's demo app does (its authorization endpoint redirects straight
        back); Intuit's real one shows a sign-in page, which `qbo-sync connect` handles.
        """
        from intuitlib.enums import Scopes

        auth = self.auth_client()
        state = secrets.token_urlsafe(24)
        url = auth.get_authorization_url([Scopes.ACCOUNTING], state_token=state)
        url += "&" + urlencode({"realm_id": self.realm_id})
        answer = requests.get(url, allow_redirects=False, timeout=self.timeout_seconds)
        location = answer.headers.get("Location", "")
        query = parse_qs(urlparse(location).query)
        if answer.status_code not in (301, 302, 303, 307) or "code" not in query:
            raise NotConnected("this QuickBooks authorization server needs a person to sign in: "
                               "run qbo-sync connect")
        if query.get("state", [""])[0] != state:
            raise NotConnected("the authorization answer carried the wrong state; nothing was saved")
        realm = query.get("realmId", [self.realm_id])[0]
        if realm != self.realm_id:
            raise NotConnected(f"authorized company {realm}, expected {self.realm_id}")
        auth.get_bearer_token(query["code"][0], realm_id=realm)
        self._tokens.save(self.realm_id, _tokens_from(auth))

    def ensure_connected(self) -> None:
        if self._tokens.load(self.realm_id) is None:
            self.connect_headless()

    # --- clients ----------------------------------------------------------------
    def client(self, force_refresh: bool = False):
        """A python-quickbooks client with a valid access token; one per thread."""
        from quickbooks import QuickBooks

        tokens = self.current_tokens(force_refresh=force_refresh)
        cached = getattr(self._local, "client", None)
        if cached is not None and cached[0] == tokens.access_token:
            return cached[1]
        with self._lock:
            # python-quickbooks reads the access token off the AuthClient only while it is built.
            auth = self.auth_client()
            auth.access_token, auth.refresh_token = tokens.access_token, tokens.refresh_token
            client = QuickBooks(auth_client=auth, refresh_token=tokens.refresh_token,
                                company_id=self.realm_id, minorversion=self.minorversion)
        client.api_url_v3 = self.endpoints.api_url_v3
        self._local.client = (tokens.access_token, client)
        return client

    def graphql(self, query: str, variables: dict) -> dict:
        """POST a GraphQL operation to Intuit's GraphQL API (Projects live there)."""
        tokens = self.current_tokens()
        answer = requests.post(self.endpoints.graphql_url, json={"query": query, "variables": variables},
                               headers={"Authorization": f"Bearer {tokens.access_token}",
                                        "Accept": "application/json"},
                               timeout=self.timeout_seconds)
        try:
            body = answer.json()
        except ValueError:
            body = {"errors": [{"message": f"HTTP {answer.status_code}: {answer.text[:200]}"}]}
        body.setdefault("status_code", answer.status_code)
        return body


def _expiring(tokens: Tokens) -> bool:
    return tokens.access_expires_at - time.time() < REFRESH_MARGIN_SECONDS


def _tokens_from(auth) -> Tokens:
    now = time.time()
    return Tokens(access_token=auth.access_token, refresh_token=auth.refresh_token,
                  access_expires_at=now + float(auth.expires_in or 3600),
                  refresh_expires_at=now + float(auth.x_refresh_token_expires_in or 8_640_000))


def _is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
