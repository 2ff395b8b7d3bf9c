"""Fixtures: the demo company, and every adapter holding that same company."""

from __future__ import annotations

import pandas as pd
import pytest

from qbo_sync.sources.csv_folder import CsvSource
from qbo_sync.sources.demo import DemoSource
from qbo_sync.sources.schema import TABLES

from .stores import POSTGRES_URL, CsvStore, PostgresStore, SqliteStore

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="QBO_SYNC_TEST_POSTGRES_URL is not set")
POSTGRES = pytest.param("postgres", marks=[pytest.mark.postgres, needs_postgres])


@pytest.fixture(scope="session")
def demo() -> DemoSource:
    return DemoSource(size=1, seed=7)


@pytest.fixture(scope="session")
def company(demo) -> dict[str, pd.DataFrame]:
    """The demo company's logical frames: what every adapter must give back."""
    return {table: demo.read(table) for table in TABLES}


def _store(kind, folder):
    if kind == "csv":
        return CsvStore(folder)
    if kind == "sqlite":
        return SqliteStore(folder)
    return PostgresStore()


@pytest.fixture(scope="module", params=["demo", "csv", "sqlite", POSTGRES])
def adapter(request, demo, company, tmp_path_factory):
    """Each adapter over the demo company: the demo itself, a CsvSource over the folder
    DemoSource.write_csv wrote, and SqlSources over renamed, typed, shuffled tables."""
    kind = request.param
    folder = tmp_path_factory.mktemp(f"contract-{kind}")
    if kind == "demo":
        yield demo
        return
    if kind == "csv":
        demo.write_csv(folder)
        yield CsvSource(folder)
        return
    store = _store(kind, folder)
    source = store.build(company)
    yield source
    source.close()
    store.cleanup()


@pytest.fixture(params=["csv", "sqlite", POSTGRES])
def store(request, tmp_path):
    """A store an adapter reads from, built per test from whatever frames the test gives."""
    store = _store(request.param, tmp_path)
    yield store
    store.cleanup()
