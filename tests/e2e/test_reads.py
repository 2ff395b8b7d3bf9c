"""Reads go through the one reader (qbo/reader.py): paced with the writes, retried by fault class.

Run through the installed command line against the sandbox over HTTP, as a user runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TIME_SCALE = 60    # one QBO minute lasts a second, in the sandbox and in the pacer
QBO_SYNC = str(Path(sys.executable).parent / "qbo-sync")


def cli(config: str, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    return subprocess.run([QBO_SYNC, "--config", config, *argv], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture
def sandbox_settings(admin):
    """Change the sandbox's behaviour for one test; everything changed is put back after it."""
    before = admin.settings()
    changed: set[str] = set()

    def change(**values):
        changed.update(values)
        admin.settings(**values)

    yield change
    admin.settings(**{k: before[k] for k in changed})


def answers(admin, realm: str, status: int) -> int:
    return sum(1 for r in admin.requests(realm, limit=100000) if r["status"] == status)


def test_a_429_storm_during_the_reference_pull_is_waited_out(make_resources, config_for, admin, realm,
                                                            sandbox_settings):
    res = make_resources(push={"time_scale": TIME_SCALE})
    config = config_for(res)
    # QBO allows 500 requests a minute; this company gets one a (scaled) minute: every
    # request after the first in each second is answered 429 until the minute has passed.
    sandbox_settings(time_scale=TIME_SCALE, requests_per_minute=1)
    done = cli(config, "pull", "--no-reconcile", "--json")
    sandbox_settings(requests_per_minute=500)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert answers(admin, realm, 429) >= 3, "the storm did not happen: the test proves nothing"
    pulled = json.loads(done.stdout)["pulled"]
    for entity, count in pulled.items():
        assert count == len(res.reader.query_all(entity, inactive_too=True)), entity
    assert pulled["Customer"] > 0 and pulled["Item"] > 0
