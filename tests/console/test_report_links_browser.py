"""A run's report and Data Docs links, as a user follows them from the Prefect UI: the link
artifacts point at the console (console.public_url + /reports/...), which serves them to
signed-in users, viewers too; the Data Docs load nothing from outside the console."""

from __future__ import annotations

import pytest

from qbo_sync.console.auth import hash_password
from qbo_sync.flows.sync import sync
from tests.console.conftest import ARTIFACTS, PASSWORDS, _free_port, start_server
from tests.ops.test_run_reports_and_notifications import _artifacts_and_logs

pytestmark = pytest.mark.slow


def _links(flow_run_id: str) -> dict[str, str]:
    from concurrent.futures import ThreadPoolExecutor

    # In a thread of its own: Playwright's sync API keeps an event loop running on this one.
    with ThreadPoolExecutor(1) as pool:
        artifacts, _ = pool.submit(_artifacts_and_logs, flow_run_id).result()
    return {a.key: a.data.rsplit("(", 1)[-1].rstrip(")") for a in artifacts
            if a.key in ("sync-report-html", "sync-report-csv", "validation-data-docs")}   # "[text](link)"


@pytest.fixture
def serve():
    servers = []

    def start(app, port: int) -> str:
        servers.append(start_server(app, port))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def test_a_runs_links_open_in_the_console_for_a_viewer(prefect, make_resources, config_for, browser, serve, tmp_path):
    from qbo_sync.console import create_app

    port = _free_port()
    users = [{"username": "vic", "password_hash": hash_password(PASSWORDS["vic"]), "role": "viewer"}]
    res = make_resources(console={"users": users, "secret_key": "test-session-key",
                                  "public_url": f"http://127.0.0.1:{port}"})
    config = config_for(res)
    report = sync(entities=["projects"], mode="all", approval="yes", config=config)
    links = _links(report["flow_run_id"])
    url = serve(create_app(config=config, resources=res), port)
    assert links["validation-data-docs"] == f"{url}/reports/data-docs/{report['flow_run_id']}/index.html"
    assert links["sync-report-html"].startswith(f"{url}/reports/run-")

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    requested, problems = [], []
    page.on("request", lambda request: requested.append(request.url))
    # (The console's own sign-in page has no icon: the browser's /favicon.ico 404 is not about reports.)
    page.on("console", lambda message: problems.append(f"{page.url}: {message.text}") if message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)

    # Opened from the Prefect UI by someone not signed in: the sign-in page, then the docs.
    page.goto(links["validation-data-docs"])
    assert "/login" in page.url
    page.fill("input[name=username]", "vic")
    page.fill("input[name=password]", PASSWORDS["vic"])
    page.click("button[type=submit]")
    page.wait_for_url(links["validation-data-docs"])
    assert page.locator("h1").inner_text() == "Great Expectations Data Docs"
    assert page.locator("tr", has_text="projects").locator("td.failed").inner_text() == "Failed"
    page.locator("tr", has_text="projects").get_by_text("the checks and the rows that failed them").click()
    page.wait_for_load_state()
    # P-00009's status "Pending" is a sample unexpected value of the failed value-set check.
    assert "Pending" in page.content() and page.locator(".fa-times").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "data-docs-validation.png"))

    # The HTML report opens too, and links the same Data Docs (a relative link).
    page.goto(links["sync-report-html"])
    assert "Needs your attention" in page.content()
    page.get_by_text("Great Expectations Data Docs").click()
    page.wait_for_url(links["validation-data-docs"])

    # Everything came from the console: no CDN, no script blocked or failing.
    assert requested and all(u.startswith(url) for u in requested), [u for u in requested if not u.startswith(url)]
    assert problems == [], problems

    # Nothing outside reports_dir: the settings file beside the data folder stays private.
    outside = page.request.get(f"{url}/reports/%2e%2e/%2e%2e/settings.yaml")
    # (The 404 is the console's own "no such page"; none of the settings file's content.)
    assert outside.status == 404 and "password_hash" not in outside.text() and "secret_key" not in outside.text()
    context.close()

    # Signed out: no report (a script gets 401, a browser the sign-in page).
    anonymous = browser.new_context()
    answer = anonymous.request.get(links["sync-report-html"], headers={"accept": "application/json"},
                                   max_redirects=0)
    assert answer.status == 401
    anonymous.close()

    # A nightly re-run with nothing new to check links the Data Docs of the run that checked.
    again = sync(entities=["projects"], mode="all", approval="yes", config=config)
    assert _links(again["flow_run_id"])["validation-data-docs"] == links["validation-data-docs"]
