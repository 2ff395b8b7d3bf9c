"""The newest migration, read from the migration files without importing Alembic.

Opening the staging database checks its alembic_version against this, so a database that
is up to date is opened without Alembic (and the read-only verbs without SQLAlchemy).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"
_ASSIGNMENT = re.compile(r"^(down_revision|revision)\s*(?::[^=]+)?=\s*(.+)$", re.MULTILINE)


@cache
def heads() -> frozenset[str]:
    """The revision(s) no other migration revises: what `alembic upgrade head` ends at."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _ASSIGNMENT.findall(script.read_text(encoding="utf-8")):
            ids = set(re.findall(r"[\"']([^\"']+)[\"']", value))
            (revisions if name == "revision" else parents).update(ids)
    return frozenset(revisions - parents)


def is_current(version_rows) -> bool:
    """Whether the rows of `SELECT version_num FROM alembic_version` are the newest migration."""
    current = {row[0] for row in version_rows}
    return bool(current) and current == heads()
