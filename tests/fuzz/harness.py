"""Run a generated source through import and validate, and check what a user would check.

Every case must end in one of two ways:
- a SourceError: one line, naming the file or table (and, for a bad value, its row and column),
  with nothing of the import staged;
- staged records holding exactly the text the source holds (nothing changed silently), each
  Needs Sync, or Needs Action with a reason in words.
Never any other exception (a traceback for the user).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy import select

from qbo_sync import statuses
from qbo_sync.db.models import Import, Record
from qbo_sync.pipeline import stages
from qbo_sync.sources.base import SourceError
from qbo_sync.sources.demo import DemoSource
from tests.sources.staging import resources_for


class Company:
    """The demo company as a CSV folder and a staging database holding it, made once; each
    example works on copies of both."""

    def __init__(self, root: Path):
        self.root = root
        self.folder = root / "csv"
        DemoSource().write_csv(self.folder)
        self.db_file = root / "staging.db"
        res = resources_for(self.source(self.folder), f"sqlite:///{self.db_file}", root / "data")
        stages.run_import(res, None, "all")
        stages.run_validate(res, None)
        res.close()

    @staticmethod
    def source(folder: Path):
        from qbo_sync.sources.csv_folder import CsvSource

        return CsvSource(folder)

    def copy(self) -> Path:
        """A fresh work folder: csv/ (the company's files) and staging.db."""
        work = Path(tempfile.mkdtemp(dir=self.root))
        shutil.copytree(self.folder, work / "csv")
        shutil.copy(self.db_file, work / "staging.db")
        return work


def run(source, work: Path, entities: list[str]):
    """Import then validate `entities` from `source` on the work copy's staging database.
    Returns (the Resources, the SourceError or None)."""
    res = resources_for(source, f"sqlite:///{work / 'staging.db'}", work / "data")
    imports_before = _count_imports(res)
    staged_before = _staged(res, entities)
    try:
        stages.run_import(res, entities, "all")
    except SourceError as error:
        message = str(error)
        assert message and "\n" not in message and "Traceback" not in message, message
        assert _count_imports(res) == imports_before, "a failed import left an import behind"
        assert _staged(res, entities) == staged_before, "a failed import staged something"
        return res, error
    stages.run_validate(res, entities)
    return res, None


def assert_staged_as_written(res, entity: str, key: str, rows: list[dict]) -> None:
    """Each source row (one of the rows of a duplicated id) is staged with exactly its text, and
    its status is one a user can act on."""
    by_id: dict[str, list[dict]] = {}
    for row in rows:
        by_id.setdefault(row[key], []).append(row)
    with res.db.session() as session:
        staged = {r.source_id: r for r in session.scalars(select(Record).where(
            Record.entity == entity, Record.deleted_in_source.is_(False)))}
    assert set(staged) == set(by_id)
    for source_id, candidates in by_id.items():
        record = staged[source_id]
        # Of rows sharing an id, the source's order decides which is staged (and Needs Action).
        assert any(all(record.data[c] == v for c, v in row.items()) for row in candidates), \
            (source_id, record.data, candidates)
        assert record.status in (statuses.NEEDS_SYNC, statuses.NEEDS_ACTION), record.status
        if record.status == statuses.NEEDS_ACTION:
            texts = statuses.reason_texts(record.reasons)
            assert texts and all(t.strip() for t in texts), record.reasons
    for source_id in (k for k, candidates in by_id.items() if len(candidates) > 1):
        assert staged[source_id].status == statuses.NEEDS_ACTION


def _count_imports(res) -> int:
    with res.db.session() as session:
        return len(session.scalars(select(Import.id)).all())


def _staged(res, entities) -> list[tuple]:
    with res.db.session() as session:
        return sorted(session.execute(select(Record.entity, Record.source_id, Record.content_hash,
                                             Record.deleted_in_source).where(Record.entity.in_(entities))).all())


PLAIN_HOURS = r"\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*"


def accepted_timesheets_are_plain(res) -> None:
    """What validation lets through is what docs/source-format.md promises: hours plain ASCII
    decimals from 0 to 24, a week ending an ISO date that is a Sunday. Anything else (1e3,
    1,234.50, NaN, Arabic-Indic or full-width digits) is Needs Action, never read some other way."""
    import re
    from datetime import date

    with res.db.session() as session:
        accepted = session.scalars(select(Record).where(Record.entity == "timesheets",
                                                        Record.status == statuses.NEEDS_SYNC,
                                                        Record.deleted_in_source.is_(False))).all()
    for record in accepted:
        data = record.data
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            value = data[day]
            assert value.strip() == "" or re.fullmatch(PLAIN_HOURS, value), (record.source_id, day, value)
            assert value.strip() == "" or 0 <= float(value) <= 24, (record.source_id, day, value)
        assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", data["week_ending"]), data["week_ending"]
        assert date.fromisoformat(data["week_ending"]).weekday() == 6


def staged_data(res, entity: str) -> dict[str, dict]:
    with res.db.session() as session:
        return {r.source_id: r.data for r in session.scalars(select(Record).where(
            Record.entity == entity, Record.deleted_in_source.is_(False)))}
