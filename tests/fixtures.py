"""Shared fixtures (a pytest plugin, registered once in tests/conftest.py, so session
fixtures are one per session, not one per directory). End-to-end fixtures: the local QBO sandbox over real HTTP, a staging database on SQLite
and on PostgreSQL, and a CSV source folder that a test can edit like a PM system's export."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from qbo_sync.resources import Resources
from qbo_sync.sandbox.admin_client import SandboxAdmin
from qbo_sync.sandbox.server import SandboxServer
from qbo_sync.settings import load_settings
from qbo_sync.sources.demo import DemoSource

REPO = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("QBO_SYNC_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture(scope="session")
def admin(sandbox):
    return SandboxAdmin(sandbox.info["base_url"])


@pytest.fixture
def realm(admin):
    """A fresh demo company per test, so tests share one server but no QBO state."""
    return admin.create_realm(projects_enabled=True, seed=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def staging_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'staging.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("QBO_SYNC_TEST_POSTGRES_URL is not set")
    with postgres_schema("t") as url:
        yield url


@contextlib.contextmanager
def postgres_schema(prefix: str):
    """A URL of the test PostgreSQL server whose search_path is a fresh schema, dropped after."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


class SourceFolder:
    """The PM system's export as CSV files, editable by a test."""

    def __init__(self, path: Path):
        self.path = path

    def frame(self, table: str) -> pd.DataFrame:
        return pd.read_csv(self.path / f"{table}.csv", dtype=str, keep_default_na=False)

    def save(self, table: str, frame: pd.DataFrame) -> None:
        frame.to_csv(self.path / f"{table}.csv", index=False)

    def edit(self, table: str, key: str, source_id: str, **values) -> None:
        frame = self.frame(table)
        assert (frame[key] == source_id).any(), f"{source_id} not in {table}.csv"
        for column, value in values.items():
            frame.loc[frame[key] == source_id, column] = value
        self.save(table, frame)


@pytest.fixture
def source(tmp_path) -> SourceFolder:
    folder = tmp_path / "source"
    DemoSource(size=1, seed=7).write_csv(folder)
    return SourceFolder(folder)


@pytest.fixture
def make_resources(sandbox, realm, staging_url, source, tmp_path):
    """Resources for this test's realm, staging database and source; settings overridable."""
    made: list[Resources] = []

    def make(realm_id: str | None = None, **overrides) -> Resources:
        info = sandbox.info
        sync = {"auto_confirm_customer": True, **overrides.pop("sync", {})}
        settings = load_settings(
            None, data_dir=tmp_path / "data", database_url=overrides.pop("database_url", staging_url),
            validations_dir=overrides.pop("validations_dir", None),   # None: the shipped suites
            source={"kind": "csv", "csv": {"path": str(source.path)}},
            qbo={"kind": "remote", "discovery_url": info["discovery_url"],
                 "api_url_v3": info["api_url_v3"], "realm_id": realm_id or realm,
                 "client_id": info["client_id"], "client_secret": info["client_secret"],
                 "redirect_uri": info["redirect_uri"]},
            sync=sync, **overrides)
        res = Resources(settings)
        res.qbo.connect_headless()
        made.append(res)
        return res

    yield make
    for res in made:
        res.close()


@pytest.fixture
def res(make_resources) -> Resources:
    return make_resources()


@pytest.fixture
def config_for(tmp_path):
    """Write a Resources' settings to a YAML file, as a flow run reads them."""
    import yaml

    def write(res: Resources) -> str:
        path = tmp_path / "settings.yaml"
        path.write_text(yaml.safe_dump(res.settings.model_dump(mode="json")))
        return str(path)

    return write


@pytest.fixture(scope="session")
def prefect():
    """A temporary Prefect server for the session's flow runs (about 10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
