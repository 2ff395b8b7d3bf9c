"""Console fixtures: the e2e fixtures (sandbox, realm, CSV source, resources) on SQLite,
the console served by uvicorn on a free loopback port, and Debian's Chromium."""

from __future__ import annotations

import contextvars
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from qbo_sync.console.auth import hash_password
# The shared fixtures (tests/fixtures.py) serve here too; staging_url is narrowed below.

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
PASSWORDS = {"ada": "ada-admin-pass", "vic": "vic-viewer-pass"}


@pytest.fixture
def staging_url(tmp_path):
    """Browser tests use SQLite only; queries.py is covered on PostgreSQL by its own test."""
    return f"sqlite:///{tmp_path / 'staging.db'}"


@pytest.fixture(scope="session")
def console_users() -> list[dict]:
    # Hashing costs ~50 ms each: once per session.
    return [{"username": "ada", "password_hash": hash_password(PASSWORDS["ada"]), "role": "admin"},
            {"username": "vic", "password_hash": hash_password(PASSWORDS["vic"]), "role": "viewer"}]


@pytest.fixture
def console_res(make_resources, console_users):
    return make_resources(console={"users": console_users, "secret_key": "test-session-key"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningConsole:
    def __init__(self, app, url: str):
        self.app, self.url = app, url

    @property
    def jobs(self):
        return self.app.state.console.jobs


@pytest.fixture
def console(console_res, config_for):
    from qbo_sync.console import create_app

    app = create_app(config=config_for(console_res), resources=console_res)
    port = _free_port()
    server, thread = start_server(app, port)
    yield RunningConsole(app, f"http://127.0.0.1:{port}")
    app.state.console.jobs.wait_idle(60)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (Playwright's own download fails here); installed when missing."""
    if not CHROMIUM.exists() and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
                       capture_output=True, timeout=600)
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium and `apt-get install -y chromium` "
                    "could not install it (run it as root first)")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def browser(chromium_path):
    # Module scope, not session: Playwright's sync API holds an event loop on this thread
    # while it runs, and later tests call asyncio.run() (Prefect) on the same thread.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def signed_in(browser, console):
    """sign_in(user) -> a Playwright page signed in to the console as that user."""
    contexts = []

    def sign_in(username: str):
        context, page = open_console(browser, console, (1500, 950), username)
        contexts.append(context)
        return page

    yield sign_in
    for context in contexts:
        context.close()


def open_console(browser, console, viewport=(1280, 800), username="ada"):
    """A new browser context signed in to the console as `username`: (context, page)."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(console.url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_url("**/e/**")
    return context, page


def start_server(app, port: int):
    """Serve `app` with uvicorn in a thread on 127.0.0.1:`port`, started: (server, thread)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    # Carry the test's context (Prefect's test-harness settings) into the server thread.
    thread = threading.Thread(target=contextvars.copy_context().run, args=(server.run,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the console did not start within 20 s"
        time.sleep(0.05)
    return server, thread
