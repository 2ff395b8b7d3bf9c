"""A table with a header and no rows is a table with nothing in it yet (a contractor with no
bills), for every table and every kind of source: import and validate take it as such."""

from __future__ import annotations

import pandas as pd
import pytest

from qbo_sync.entities import ENTITIES
from qbo_sync.pipeline import stages
from qbo_sync.sources.schema import TABLES

from .staging import resources_for


def _without(company: dict[str, pd.DataFrame], empty: set[str]) -> dict[str, pd.DataFrame]:
    return {t: (f.iloc[0:0] if t in empty else f) for t, f in company.items()}


def _read_counts(results) -> dict[str, int]:
    return {r.entity: r.read for r in results}


@pytest.mark.parametrize("table", list(TABLES))
def test_each_table_may_have_no_rows(store, company, tmp_path, table):
    """Imported first with nothing staged yet, then again with the rest staged (the rows that
    were there once are then no longer in the source)."""
    res = resources_for(store.build(_without(company, {table})), f"sqlite:///{tmp_path / 'staging.db'}",
                        tmp_path / "data")
    first = _read_counts(stages.run_import(res, None, "all"))
    # A child table's rows are staged inside their parent's records: its parents stay, without lines.
    parent = next((spec.name for spec in ENTITIES.values() if spec.child_table == table), table)
    expected = 0 if parent == table else len(company[parent])
    assert first[parent] == expected
    assert sum(first.values()) > 0
    res.__dict__["source"] = store.build(_without(company, set(TABLES)))
    again = stages.run_import(res, None, "all")
    assert all(r.read == 0 and r.new == 0 for r in again)
    assert sum(r.deleted_in_source for r in again) == sum(first.values())
    res.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def staging(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'staging.db'}"
        return
    from tests.fixtures import POSTGRES_URL, postgres_schema

    if not POSTGRES_URL:
        pytest.skip("QBO_SYNC_TEST_POSTGRES_URL is not set")
    with postgres_schema("inputs_zero") as url:
        yield url


def test_a_company_with_nothing_yet_imports_and_validates(store, company, staging, tmp_path):
    res = resources_for(store.build(_without(company, set(TABLES))), staging, tmp_path / "data")
    imported = stages.run_import(res, None, "all")
    assert [r.read for r in imported] == [0] * len(imported)
    checked = stages.run_validate(res, None)
    assert {v.entity for v in checked} == {r.entity for r in imported}
    res.close()


def test_demo_source_selection_that_matches_nothing(demo, tmp_path):
    """The demo never has an empty table; a selection of ids it does not hold reads none."""
    res = resources_for(demo, f"sqlite:///{tmp_path / 'staging.db'}", tmp_path / "data")
    results = stages.run_import(res, None, "selected", ids=["NO-SUCH-ID"])
    assert all(r.read == 0 and r.not_in_source == ["NO-SUCH-ID"] for r in results)
    res.close()
