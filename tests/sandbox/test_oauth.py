"""OAuth 2.0 as intuit-oauth's AuthClient drives it, against the sandbox's endpoints."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks.exceptions import AuthorizationException
from quickbooks.objects import CompanyInfo, Customer


def auth_client(info, redirect_uri=None, secret=None) -> AuthClient:
    return AuthClient(info["client_id"], secret or info["client_secret"],
                      redirect_uri or info["redirect_uri"], environment=info["discovery_url"])


def authorize(client: AuthClient, extra: str = "") -> dict:
    url = client.get_authorization_url([Scopes.ACCOUNTING], state_token="st4te") + extra
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(client.redirect_uri)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def connect(info, client: AuthClient) -> QuickBooks:
    qb = QuickBooks(auth_client=client, refresh_token=client.refresh_token,
                    company_id=client.realm_id, minorversion=75)
    qb.api_url_v3 = info["api_url_v3"]
    return qb


def test_authorization_code_flow_gives_working_tokens(info):
    client = auth_client(info)
    callback = authorize(client)
    assert callback["state"] == "st4te" and callback["realmId"] == info["realm_id"]
    client.get_bearer_token(callback["code"], realm_id=callback["realmId"])
    assert client.expires_in == 3600 and client.refresh_token and client.access_token
    company = CompanyInfo.get(info["realm_id"], qb=connect(info, client))
    assert company.CompanyName


def test_code_works_once_and_wrong_secret_is_refused(info):
    client = auth_client(info)
    code = authorize(client)["code"]
    client.get_bearer_token(code, realm_id=info["realm_id"])
    with pytest.raises(AuthClientError) as again:
        client.get_bearer_token(code, realm_id=info["realm_id"])
    assert again.value.status_code == 400 and b"invalid_grant" in again.value.content
    bad = auth_client(info, secret="not-the-secret")
    with pytest.raises(AuthClientError) as refused:
        bad.get_bearer_token(authorize(bad)["code"])
    assert refused.value.status_code == 401


def test_any_loopback_redirect_is_accepted_other_hosts_are_not(info):
    loopback = auth_client(info, redirect_uri="http://127.0.0.1:54321/cb")
    assert "code" in authorize(loopback)
    outsider = auth_client(info, redirect_uri="https://evil.example.com/cb")
    response = requests.get(outsider.get_authorization_url([Scopes.ACCOUNTING]),
                            allow_redirects=False, timeout=10)
    assert response.status_code == 400 and "location" not in response.headers


def test_a_web_apps_callback_must_be_registered_and_match_exactly(info, admin):
    """As Intuit: a redirect URI that is not loopback works once it is in the app's list (the
    console's /connection/callback behind its host name), and only as registered."""
    callback = "https://console.example.com/connection/callback"
    console = auth_client(info, redirect_uri=callback)
    refused = requests.get(console.get_authorization_url([Scopes.ACCOUNTING]), allow_redirects=False, timeout=10)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"

    assert callback in admin.register_redirect_uris(callback)
    answer = authorize(console)
    console.get_bearer_token(answer["code"], realm_id=answer["realmId"])
    assert console.access_token and console.refresh_token
    other_path = auth_client(info, redirect_uri=callback + "/../../steal")
    response = requests.get(other_path.get_authorization_url([Scopes.ACCOUNTING]), allow_redirects=False, timeout=10)
    assert response.status_code == 400 and "location" not in response.headers


def test_realm_id_extension_authorizes_another_company(info, admin):
    other = admin.create_realm(projects_enabled=False, seed=False)
    client = auth_client(info)
    callback = authorize(client, extra=f"&realm_id={other}")
    assert callback["realmId"] == other
    client.get_bearer_token(callback["code"], realm_id=other)
    assert CompanyInfo.get(other, qb=connect(info, client)).Id == "1"


def test_refresh_rotates_and_old_token_has_a_grace_period(info, admin):
    client = auth_client(info)
    client.get_bearer_token(authorize(client)["code"], realm_id=info["realm_id"])
    first = client.refresh_token
    client.refresh()
    second = client.refresh_token
    assert second != first
    client.refresh(refresh_token=first)          # still inside the grace period
    admin.advance_clock(24 * 3600 + 1)
    with pytest.raises(AuthClientError) as expired:
        client.refresh(refresh_token=first)
    assert expired.value.status_code == 400 and b"invalid_grant" in expired.value.content
    client.refresh(refresh_token=second)          # never superseded before: still good... once
    assert client.refresh_token not in (first, second)


def test_access_token_expires_after_an_hour(info, admin):
    client = auth_client(info)
    client.get_bearer_token(authorize(client)["code"], realm_id=info["realm_id"])
    qb = connect(info, client)
    assert Customer.count(qb=qb) > 0
    admin.advance_clock(3601)
    with pytest.raises(AuthorizationException) as failed:
        Customer.count(qb=qb)
    assert failed.value.error_code == 401
    assert "AuthenticationFailed" in failed.value.detail


def test_revoked_token_stops_working_at_once(info):
    client = auth_client(info)
    client.get_bearer_token(authorize(client)["code"], realm_id=info["realm_id"])
    qb = connect(info, client)
    assert Customer.count(qb=qb) > 0
    assert client.revoke()
    with pytest.raises(AuthorizationException):
        Customer.count(qb=qb)
    with pytest.raises(AuthClientError):
        client.refresh()


def test_api_without_token_gets_authentication_fault(info):
    response = requests.get(f"{info['api_url_v3']}/company/{info['realm_id']}/customer/1", timeout=10)
    assert response.status_code == 401
    fault = response.json()["Fault"]
    assert fault["type"] == "AUTHENTICATION" and fault["Error"][0]["code"] == "3200"
