"""Session security, over real HTTP: sign-out ends the session on the server, wrong passwords
lock the name for a while, the cookie is Secure off loopback, an ended session in a pop-up
or an action leads to the sign-in page, odd record numbers are a clean 404, and the
embedded sandbox's admin surface wants its key."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import requests
from playwright.sync_api import expect

from tests.console.conftest import PASSWORDS, _free_port

QBO_SYNC = str(Path(sys.executable).with_name("qbo-sync"))


def _csrf(http: requests.Session, base: str) -> str:
    page = http.get(f"{base}/login", timeout=10)
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


def _sign_in(http: requests.Session, base: str, username: str, password: str) -> requests.Response:
    return http.post(f"{base}/login", data={"username": username, "password": password, "next": "/e/projects",
                                            "csrf_token": _csrf(http, base)},
                     allow_redirects=False, timeout=30)


def test_a_signed_out_cookie_no_longer_opens_the_console(console):
    http = requests.Session()
    assert _sign_in(http, console.url, "ada", PASSWORDS["ada"]).status_code == 303
    kept = http.cookies.get("qbo_sync_console")
    assert http.get(f"{console.url}/e/projects", allow_redirects=False, timeout=10).status_code == 200

    token = re.search(r'name="csrf-token" content="([^"]+)"', http.get(f"{console.url}/e/projects").text).group(1)
    assert http.post(f"{console.url}/logout", data={"csrf_token": token}, allow_redirects=False).status_code == 303

    # Someone who copied the cookie before sign-out gets the sign-in page, not the records.
    thief = requests.Session()
    thief.cookies.set("qbo_sync_console", kept)
    answer = thief.get(f"{console.url}/e/projects", allow_redirects=False, timeout=10)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    refused = thief.post(f"{console.url}/e/projects/import", data={"mode": "new"},
                         headers={"Accept": "application/json"}, timeout=10)
    assert refused.status_code == 401 and "Sign in" in refused.json()["detail"]


def test_wrong_passwords_lock_that_name_for_a_while(console):
    http = requests.Session()
    for _ in range(5):
        answer = _sign_in(http, console.url, "vic", "not-the-password")
        assert answer.status_code == 401 and "Wrong user name or password" in answer.text
    # Locked: even the right password waits, and the page says why and for how long.
    locked = _sign_in(http, console.url, "vic", PASSWORDS["vic"])
    assert locked.status_code == 429
    assert "Too many wrong passwords: sign-in is locked for 15 minutes" in locked.text
    assert http.get(f"{console.url}/e/projects", allow_redirects=False, timeout=10).status_code == 303
    # Another user on the same machine is not locked out by it.
    assert _sign_in(requests.Session(), console.url, "ada", PASSWORDS["ada"]).status_code == 303


def test_huge_or_non_numeric_record_numbers_are_a_clean_404(console):
    http = requests.Session()
    _sign_in(http, console.url, "ada", PASSWORDS["ada"])
    for path in ("/records/99999999999999999999999/history", "/records/2147483648/json",
                 "/records/abc/mapping", "/records/-1/history", "/runs/99999999999999999999",
                 "/jobs/x"):
        page = http.get(console.url + path, timeout=10)
        assert page.status_code == 404, path
        assert "There is no such page in the console." in page.text and "Traceback" not in page.text
    missing = http.get(f"{console.url}/records/123456789/history", timeout=10)
    assert missing.status_code == 404 and "123456789" in missing.text
    as_script = http.get(f"{console.url}/records/1e99/json", headers={"Accept": "application/json"}, timeout=10)
    assert as_script.status_code == 404 and as_script.json() == {"detail": "There is no such page in the console."}
    token = re.search(r'name="csrf-token" content="([^"]+)"', http.get(f"{console.url}/e/projects").text).group(1)
    post = http.post(f"{console.url}/records/99999999999/retry", headers={"X-CSRF-Token": token}, timeout=10)
    assert post.status_code == 404 and console.jobs.get(1) is None


def _serve_cli(config: str, host: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([QBO_SYNC, "--config", config, "console", "--host", host, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return proc
        except requests.ConnectionError:
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the console did not start within 60 s"
            time.sleep(0.2)


def test_the_session_cookie_is_secure_when_the_console_is_reached_over_the_network(console_res, config_for):
    config = config_for(console_res)
    flags = {}
    for host in ("127.0.0.1", "0.0.0.0"):
        port = _free_port()
        proc = _serve_cli(config, host, port)
        try:
            # The sign-in page starts the session (its CSRF token): that cookie carries the flag.
            cookie = requests.get(f"http://127.0.0.1:{port}/login", timeout=10).headers["set-cookie"]
            assert cookie.startswith("qbo_sync_console=") and "httponly" in cookie.lower()
            flags[host] = "; secure" in cookie.lower()
        finally:
            proc.terminate()
            proc.wait(10)
    assert flags == {"127.0.0.1": False, "0.0.0.0": True}


def test_the_embedded_sandboxs_admin_surface_needs_its_key(tmp_path):
    from qbo_sync.qbo import embedded
    from qbo_sync.resources import Resources
    from qbo_sync.settings import load_settings

    res = Resources(load_settings(None, data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 's.db'}"))
    try:
        company = res.qbo.client().get_single_object("CompanyInfo", res.qbo.realm_id)   # its QBO API works as ever
        assert company["CompanyInfo"]["CompanyName"]
        info = embedded.embedded_sandbox_info(tmp_path / "data")
        for method, path in (("GET", "/admin/info"), ("POST", "/admin/reset"), ("GET", "/admin/realms"),
                             ("POST", f"/admin/realms/{info['realm_id']}/tokens")):
            answer = requests.request(method, info["base_url"] + path, timeout=10)
            assert answer.status_code == 403, path
            wrong = requests.request(method, info["base_url"] + path, timeout=10,
                                     headers={"X-Sandbox-Admin-Key": "guess"})
            assert wrong.status_code == 403, path
        server = embedded._servers[(tmp_path / "data" / "sandbox.db").resolve()]
        keyed = requests.get(info["base_url"] + "/admin/info", timeout=10,
                             headers={"X-Sandbox-Admin-Key": server.admin_key})
        assert keyed.status_code == 200
    finally:
        res.close()


def test_an_ended_session_in_a_pop_up_or_an_action_goes_to_the_sign_in_page(console, signed_in, console_res):
    from qbo_sync.pipeline import stages

    stages.run_import(console_res, ["projects"], "new")
    page = signed_in("ada")
    expect(page.locator("#records tbody tr[data-id]")).to_have_count(12)

    def sign_out_in_another_tab():
        other = page.context.new_page()
        other.goto(console.url + "/e/projects")
        other.click("form.who button[type=submit]")
        other.wait_for_url("**/login")
        other.close()

    sign_out_in_another_tab()
    page.locator('#records tbody tr[data-source-id="P-00001"]').get_by_role("button", name="Change History").click()
    page.wait_for_url(re.compile(r"/login\?next=%2Fe%2Fprojects$"))
    expect(page.locator("#modal")).not_to_be_visible()
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORDS["ada"])
    page.click("button[type=submit]")
    page.wait_for_url("**/e/projects")

    sign_out_in_another_tab()
    page.click("#import-menu summary")
    page.click("button[data-import=new]")
    page.wait_for_url(re.compile(r"/login\?next=%2Fe%2Fprojects$"))
    expect(page.locator("form.login")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("CSRF")
    assert console.jobs.get(1) is None, "the ended session started nothing"


def test_the_lock_lifts_after_its_time_and_a_session_ends_after_its_hours():
    from qbo_sync.console.sessions import LiveSessions, LoginThrottle

    now = [1000.0]
    throttle = LoginThrottle(limit=3, window=60, lockout=300, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_seconds("vic", "10.0.0.1") == 0
        throttle.failed("vic", "10.0.0.1")
    assert throttle.wait_seconds("VIC ", "10.0.0.9") == 300   # the name, however typed, from anywhere
    now[0] += 299
    assert throttle.wait_seconds("vic", "10.0.0.1") == 1
    now[0] += 1
    assert throttle.wait_seconds("vic", "10.0.0.1") == 0
    # Failures spread wider than the window never add up to a lock.
    for _ in range(5):
        throttle.failed("ada", "10.0.0.2")
        now[0] += 31
    assert throttle.wait_seconds("ada", "10.0.0.3") == 0

    # Guessing with made-up names from many addresses does not grow the table without end.
    for i in range(10_050):
        throttle.failed(f"made-up-{i}", f"10.1.{i // 250}.{i % 250}")
    now[0] += 61
    throttle.failed("ada", "10.0.0.2")
    assert len(throttle._failures) < 10

    sessions = LiveSessions(lifetime_seconds=8 * 3600, clock=lambda: now[0])
    sid = sessions.start()
    assert sessions.is_live(sid) and not sessions.is_live("forged") and not sessions.is_live(None)
    now[0] += 8 * 3600
    assert not sessions.is_live(sid)
