"""One token refresh at a time across processes: two processes that find the access token
expired at the same moment send one refresh to QBO between them, both go on with working
tokens, and the staging database keeps the newest refresh token (the one QBO will accept)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from qbo_sync.sandbox.oauth import _digest

REPO = Path(__file__).resolve().parents[2]

# Waits for a shared start time so that both processes read the expired token together,
# refreshes if needed, proves the token works with a QBO query, and prints a fingerprint
# of the access token it ended with (never the token itself).
WORKER = """
import hashlib, sys, time
from qbo_sync.resources import for_config
res = for_config(sys.argv[1])
res.db
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
tokens = res.qbo.current_tokens()
res.qbo.client().query("SELECT * FROM CompanyInfo")
print(hashlib.sha256(tokens.access_token.encode()).hexdigest()[:16])
"""


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def test_two_processes_refreshing_at_once_send_one_refresh(res, sandbox, realm, config_for):
    store, oauth_store = res.qbo._tokens, sandbox.sandbox.store
    stale = store.load(realm)
    stale.access_expires_at = 0          # our clock says the access token has expired
    store.save(realm, stale)
    issued_before = len(oauth_store.namespace("oauth:access"))

    start_at = str(time.time() + 4)      # after both have imported and opened the database
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, config_for(res), start_at], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    answers = [w.communicate(timeout=180) for w in workers]
    for worker, (out, err) in zip(workers, answers):
        assert worker.returncode == 0, err[-3000:]

    refreshes = len(oauth_store.namespace("oauth:access")) - issued_before
    ended_with = {out.strip() for out, _ in answers}
    stored = store.load(realm)
    print(f"\nrefresh lock: 2 processes, {refreshes} refresh sent to QBO, "
          f"{len(ended_with)} distinct access token(s) in use")
    assert refreshes == 1, "exactly one process refreshes; the other uses what it stored"
    assert ended_with == {fingerprint(stored.access_token)}, "both use the refreshed access token"
    assert stored.refresh_token != stale.refresh_token
    newest = oauth_store.get("oauth:refresh", _digest(stored.refresh_token))
    assert newest is not None and newest.get("superseded_at") is None, "the stored refresh token is the newest"
    res.qbo.client().query("SELECT * FROM CompanyInfo")   # and this process goes on with it too
