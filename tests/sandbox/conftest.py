"""One sandbox server for the whole session, reset to the demo company before each test."""

from __future__ import annotations

import os

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")   # plain http to 127.0.0.1

import pytest
import requests
from intuitlib.client import AuthClient
from quickbooks import QuickBooks

from qbo_sync.sandbox.admin_client import SandboxAdmin
from qbo_sync.sandbox.server import SandboxServer


@pytest.fixture(scope="session")
def server():
    with SandboxServer() as srv:
        yield srv


@pytest.fixture
def info(server):
    SandboxAdmin(server.info["base_url"]).reset()
    return server.info


@pytest.fixture
def admin(info):
    return SandboxAdmin(info["base_url"])


def make_client(info: dict, admin: SandboxAdmin, realm: str | None = None) -> QuickBooks:
    """A python-quickbooks client of `realm` (default: the demo company)."""
    realm = realm or info["realm_id"]
    tokens = admin.issue_tokens(realm)
    auth = AuthClient(info["client_id"], info["client_secret"], info["redirect_uri"],
                      environment=info["discovery_url"], access_token=tokens["access_token"],
                      refresh_token=tokens["refresh_token"], realm_id=realm)
    client = QuickBooks(auth_client=auth, refresh_token=tokens["refresh_token"],
                        company_id=realm, minorversion=75)
    client.api_url_v3 = info["api_url_v3"]
    return client


@pytest.fixture
def qb(info, admin):
    return make_client(info, admin)


class Raw:
    """Plain `requests` against the v3 API of one realm, for what the clients cannot send."""

    def __init__(self, info: dict, token: str, realm: str) -> None:
        self.base = f"{info['api_url_v3']}/company/{realm}"
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def get(self, path: str, **kw):
        return self.http.get(self.base + path, timeout=10, **kw)

    def post(self, path: str, **kw):
        return self.http.post(self.base + path, timeout=10, **kw)


@pytest.fixture
def raw(info, admin):
    return Raw(info, admin.issue_tokens(info["realm_id"])["access_token"], info["realm_id"])


def fault_code(response) -> str:
    return response.json()["Fault"]["Error"][0]["code"]
