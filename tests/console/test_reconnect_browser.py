"""Reconnect to QuickBooks from the console, in Chromium, against the sandbox's OAuth server:
an expired connection shows the button, the authorization goes through the sandbox's
authorize endpoint and back to the console, and a sync works afterwards. A callback with a
state that is not the session's is refused and saves nothing."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.console.conftest import ARTIFACTS, PASSWORDS


@pytest.fixture
def console_res(make_resources, console_users, admin):
    """Resources whose stored authorization runs out two seconds after it is made: QuickBooks
    answers the next token refresh with invalid_grant (the sandbox ends tokens sooner when told)."""
    before = admin.settings()
    admin.settings(access_token_seconds=1, refresh_token_seconds=2)
    try:
        res = make_resources(console={"users": console_users, "secret_key": "test-session-key"})
    finally:
        admin.settings(access_token_seconds=before["access_token_seconds"],
                       refresh_token_seconds=before["refresh_token_seconds"])
    time.sleep(2.5)
    return res


def _sign_in(browser, url: str, user: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{url}/login?next=/overview")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url("**/overview")
    return context, page


def test_an_expired_connection_is_reconnected_from_the_overview_and_syncs_again(prefect, console, browser,
                                                                               console_res, sandbox):
    from qbo_sync.pipeline import stages

    qbo = console_res.qbo
    # The console under "localhost", QuickBooks (the sandbox) under 127.0.0.1: two sites, as the
    # console and Intuit are.
    url = console.url.replace("127.0.0.1", "localhost")
    assert "127.0.0.1" in sandbox.info["discovery_url"]

    viewer, page = _sign_in(browser, url, "vic")
    connection = page.locator("#qbo-connection")
    expect(connection.locator(".problem")).to_have_text(
        "The QuickBooks connection has expired: syncs cannot reach QuickBooks until it is reconnected.")
    expect(connection.locator(".expiry")).to_contain_text("The authorization ran out on")
    expect(connection.get_by_role("button", name="Reconnect to QuickBooks")).to_have_count(0)   # viewers look
    expect(connection).to_contain_text("An administrator can reconnect QuickBooks from this page.")
    viewer.close()

    context, page = _sign_in(browser, url, "ada")
    connection = page.locator("#qbo-connection")
    for command in ("qbo-sync connect", "run `"):   # no command line in the console
        expect(connection).not_to_contain_text(command)
    page.screenshot(path=str(ARTIFACTS / "reconnect-expired.png"))
    visited = []
    page.on("request", lambda r: visited.append(r.url) if r.is_navigation_request() else None)
    connection.get_by_role("button", name="Reconnect to QuickBooks").click()
    page.wait_for_url(re.compile(r"/overview$"))
    expect(connection.locator(".connected")).to_have_text(re.compile(r"^Connected to .+\.$"))
    company = qbo.client().get_single_object("CompanyInfo", qbo.realm_id)["CompanyInfo"]["CompanyName"]
    expect(connection.locator(".connected")).to_have_text(f"Connected to {company}.")
    expect(connection.locator(".company")).to_have_text(company)
    expect(connection.locator(".problem")).to_have_count(0)
    expect(connection.locator(".expiry")).to_contain_text("The authorization runs out on")
    expect(connection.get_by_role("button", name="Reconnect to QuickBooks")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "reconnect-done.png"))
    # Through the sandbox's authorize endpoint, back to the console's own callback.
    assert any(u.startswith(sandbox.info["base_url"]) and "/oauth2/authorize" in u for u in visited), visited
    assert any(u.startswith(url + "/connection/callback?") for u in visited), visited
    # The tokens saved are good for a year-long (sandbox: 101-day) authorization again.
    assert qbo._tokens.load(qbo.realm_id).refresh_expires_at > time.time() + 90 * 86400

    # A sync works: one project, chosen and confirmed in the console.
    stages.run_import(console_res, ["projects"], "new")
    stages.run_validate(console_res, ["projects"])
    stages.run_map(console_res, ["projects"])
    page.goto(url + "/e/projects")
    page.locator('#records tbody tr[data-source-id="P-00010"] .serial-btn').click()
    page.click("#sync")
    page.locator("#modal #confirm-sync").click()
    expect(page.locator("#flash")).to_contain_text("Done: 1 created, 0 updated, 0 failed", timeout=90_000)
    expect(page.locator('#records tbody tr[data-source-id="P-00010"] .status')).to_have_text("Synced")
    context.close()


def test_a_callback_with_a_state_not_of_this_session_is_refused_and_saves_nothing(console, console_res):
    qbo = console_res.qbo
    before = qbo._tokens.load(qbo.realm_id)
    http = requests.Session()
    login = http.get(console.url + "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
    http.post(console.url + "/login", data={"username": "ada", "password": PASSWORDS["ada"], "csrf_token": token})
    overview = http.get(console.url + "/overview")
    token = re.search(r'name="csrf_token" value="([^"]+)"', overview.text).group(1)

    # Reconnect without its CSRF token: refused, no authorization started.
    assert http.post(console.url + "/connection/reconnect").status_code == 403
    started = http.post(console.url + "/connection/reconnect", data={"csrf_token": token})
    assert started.status_code == 200
    authorize = re.search(r'id="continue-to-quickbooks" href="([^"]+)"', started.text).group(1).replace("&amp;", "&")
    state = re.search(r"[?&]state=([^&]+)", authorize).group(1)
    # The sandbox answers with a good code, which an attacker's page delivers with its own state.
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    code = re.search(r"[?&]code=([^&]+)", answer.headers["Location"]).group(1)
    forged = http.get(console.url + "/connection/callback",
                      params={"code": code, "state": "x" + state[1:], "realmId": qbo.realm_id})
    assert forged.status_code == 400
    assert "wrong state" in forged.text and "nothing was saved" in forged.text
    assert qbo._tokens.load(qbo.realm_id).access_token == before.access_token
    # The state is spent: the right one afterwards is refused as well.
    late = http.get(console.url + "/connection/callback",
                    params={"code": code, "state": state, "realmId": qbo.realm_id})
    # No authorization pending: the page loads the callback once more from the console (as a
    # browser that left the cookie out would), and then refuses it.
    again = re.search(r'<a href="([^"]+)">Continue</a>', late.text).group(1).replace("&amp;", "&")
    late = http.get(console.url + again)
    assert late.status_code == 400 and "nothing was saved" in late.text
    assert qbo._tokens.load(qbo.realm_id).access_token == before.access_token
