"""Fingerprints of what a stage checked, so that a re-run over unchanged input skips the check.

A stage's outcome is a function of its inputs (the staged records' content, the suite, the
known ids...). When the fingerprint of those inputs equals the one stored at the last check,
the reasons the stage wrote then are still right, and checking again would only cost time.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from importlib import metadata

import orjson
from sqlalchemy import select

from qbo_sync.db.engine import upsert
from qbo_sync.db.models import StageCheck

# A new release may check differently: its first run checks everything again.
try:
    _RELEASE = metadata.version("qbo-sync")
except metadata.PackageNotFoundError:   # running from a source tree that is not installed
    _RELEASE = "source"


def of(*parts) -> str:
    """One hash of JSON-able parts (lists of ids and hashes, suite text, parameters)."""
    digest = hashlib.blake2b(digest_size=32)
    digest.update(_RELEASE.encode())
    for part in parts:
        digest.update(orjson.dumps(part, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS))
    return digest.hexdigest()


def matches(session, entity: str, stage: str, fingerprint: str) -> bool:
    stored = session.scalar(select(StageCheck.fingerprint).where(StageCheck.entity == entity,
                                                                 StageCheck.stage == str(stage)))
    return stored == fingerprint


def remember(session, entity: str, stage: str, fingerprint: str) -> None:
    """Store the fingerprint (insert or replace, safe when two runs store at once)."""
    upsert(session, StageCheck, [dict(entity=entity, stage=str(stage), fingerprint=fingerprint,
                                      checked_at=datetime.now(timezone.utc))],
           keys=["entity", "stage"], columns=["fingerprint", "checked_at"])


def pending_again(session, entity: str) -> None:
    """Records of `entity` came back to pending without an edit (retry, a change in QBO flagged
    or accepted, manual mapping). They were not among the records validation last checked
    together, so the next run checks the entity again ("validate": validating.STAGE)."""
    forget(session, entity, "validate")


def forget(session, entity: str, stage: str) -> None:
    """The next run checks again: a partial check, or records pending again without an edit."""
    session.execute(StageCheck.__table__.delete().where(StageCheck.entity == entity, StageCheck.stage == str(stage)))
