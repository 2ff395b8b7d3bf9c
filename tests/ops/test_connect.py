"""`qbo-sync connect` / `disconnect` end to end against the sandbox's OAuth endpoints.

The sandbox's demo app authorizes at once (a 302 back to the redirect URI), so following
the authorization URL with requests stands in for the person in the browser.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from sqlalchemy import select

from qbo_sync.db.models import StoredToken
from qbo_sync.ops.connect import connect, disconnect
from qbo_sync.qbo.connection import NotConnected


def _browser(url: str) -> None:
    requests.get(url, allow_redirects=True, timeout=10)


def test_connect_cli_prints_the_url_and_confirms_the_company(res, config_for, tmp_path):
    res.qbo._tokens.delete(res.qbo.realm_id)
    config = config_for(res)
    proc = subprocess.Popen([sys.executable, "-m", "qbo_sync.cli", "--config", config, "connect",
                             "--no-browser", "--timeout", "30"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.strip().startswith("http"):
                _browser(line.strip())
                break
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Connected to " in out
    company = res.qbo.client().get_single_object("CompanyInfo", res.qbo.realm_id)["CompanyInfo"]["CompanyName"]
    assert f"Connected to {company}" in out
    assert "&state=" in "".join(lines), "the URL carries our state"


def test_tokens_are_encrypted_at_rest_and_disconnect_revokes_them(res):
    connection = res.qbo
    connection._tokens.delete(connection.realm_id)
    name = connect(connection, open_url=_browser, timeout=30)
    assert name
    tokens = connection._tokens.load(connection.realm_id)
    with res.db.session() as session:
        stored = session.scalar(select(StoredToken).where(StoredToken.realm_id == connection.realm_id))
    assert tokens.access_token not in stored.ciphertext and tokens.refresh_token not in stored.ciphertext
    assert tokens.access_token not in repr(tokens)

    assert disconnect(connection) is True
    assert connection._tokens.load(connection.realm_id) is None
    # Revoked at the server: the old refresh token no longer works.
    auth = connection.auth_client()
    from intuitlib.exceptions import AuthClientError

    with pytest.raises(AuthClientError):
        auth.refresh(refresh_token=tokens.refresh_token)
    assert disconnect(connection) is False, "nothing left to disconnect"


def test_a_forged_callback_with_the_wrong_state_saves_nothing(res):
    connection = res.qbo
    connection._tokens.delete(connection.realm_id)

    def forged(url: str) -> None:
        answer = requests.get(url, allow_redirects=False, timeout=10)
        location = answer.headers["Location"].replace("state=", "state=forged")
        requests.get(location, timeout=10)

    with pytest.raises(NotConnected, match="wrong state"):
        connect(connection, open_url=forged, timeout=30)
    assert connection._tokens.load(connection.realm_id) is None


def test_no_answer_ends_with_a_clear_error(res):
    connection = res.qbo
    connection._tokens.delete(connection.realm_id)
    with pytest.raises(NotConnected, match="no answer from QuickBooks within 1 s"):
        connect(connection, open_url=lambda url: None, timeout=1)
