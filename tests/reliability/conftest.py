"""Fault-suite fixtures: the shared ones (tests/fixtures.py), on one staging database (PostgreSQL when set)."""

from __future__ import annotations

import pytest

from tests.fixtures import POSTGRES_URL, postgres_schema

TIME_SCALE = 60    # one QBO minute lasts a second, on both sides


@pytest.fixture
def staging_url(request, tmp_path):
    """PostgreSQL when QBO_SYNC_TEST_POSTGRES_URL is set (what production runs), else SQLite."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'staging.db'}"
        return
    with postgres_schema("r") as url:
        yield url


@pytest.fixture
def scaled(admin, monkeypatch):
    """QBO's limits with the minute scaled down, on the sandbox and in the pacer."""
    before = admin.settings()
    admin.settings(time_scale=TIME_SCALE)
    monkeypatch.setenv("QBO_SYNC_PUSH__TIME_SCALE", str(TIME_SCALE))
    monkeypatch.setenv("QBO_SYNC_PUSH__PACER", "local")
    yield admin
    admin.settings(**{k: before[k] for k in ("time_scale", "fault_rate", "drop_after_write_rate",
                                             "requests_per_minute", "batch_requests_per_minute",
                                             "slow_rate", "slow_seconds", "fault_seed",
                                             "access_token_seconds")})
