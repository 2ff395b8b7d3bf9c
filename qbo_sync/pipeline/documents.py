"""Documents attached in QuickBooks to the objects the sync wrote (a bill's scanned invoice).

An entity declares `document=`: the source column naming a file under the source folder.
- check (map stage): a record whose document is missing, of a type QuickBooks refuses or
  over its size limit is Needs Action naming the file (stage "documents"); a pending record
  is then not written until the file is fixed or the column cleared. A fixed file lifts it.
- to_attach (preview, push): records in QBO whose document is not attached as it is now
  (never attached, or the file changed since); the preview counts them as writes.
- attach (push, after the entity's writes): each file uploaded as an Attachable linked to
  the object through the push engine (paced and counted as a write; its request id is the
  record's and the file's, so an upload sent again after a crash is answered, not repeated).
  The file's hash is kept in qbo_objects["document"]: a re-run does not attach it again, and
  a changed file's new Attachable replaces the old one, which is then deleted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from sqlalchemy import null

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import SyncAttempt
from qbo_sync.entities.base import EntitySpec
from qbo_sync.pipeline import fingerprints
from qbo_sync.pipeline import records as staged
from qbo_sync.qbo import attachments
from qbo_sync.qbo.engine import Operation, PushEngine

STAGE = statuses.Stage.DOCUMENTS
KEY = "document"             # the qbo_objects key of the attached file
NOT_FOUND = "610"            # QBO's "Object Not Found": a replaced Attachable deleted already
COLUMNS = ("source_id", "status", "reasons", "qbo_id", "qbo_objects", "data", "content_hash", "synced_hash")


@dataclass
class AttachResult:
    entity: str
    attached: int = 0
    replaced: int = 0
    refused: list[str] = field(default_factory=list)    # source ids: Needs Action, the file named


@dataclass(frozen=True)
class Document:
    name: str                # as the source names it
    path: Path
    digest: str
    size: int


def folder_of(source) -> Path | None:
    """The folder documents are read from: the CSV source's (other sources have none)."""
    folder = getattr(source, "folder", None)
    return Path(folder) if folder is not None else None


def check(db: StagingDb, source, specs: list[EntitySpec]) -> None:
    """Name each record's document problem (stage "documents"), or lift a fixed one."""
    folder = folder_of(source)
    for spec in [s for s in specs if s.document]:
        changes = []
        with db.session() as session:
            for record in staged.rows(session, spec.name, COLUMNS):
                name = (record.data or {}).get(spec.document, "")
                flagged = any(r.get("stage") == STAGE for r in record.reasons or [])
                if not name and not flagged:
                    continue
                if not (flagged or record.status in statuses.PENDING or _file_changed(record, name, folder)):
                    continue
                problem = _problem(folder, name) if name else None
                change = _flag(record, [problem] if problem else [])
                if change:
                    changes.append(change)
        if changes:
            with db.session() as session, session.begin():
                staged.bulk_update(session, changes)
                fingerprints.pending_again(session, spec.name)


def to_attach(db: StagingDb, source, spec: EntitySpec) -> list[tuple[object, Document]]:
    """(record, document) of the records in QBO whose document QBO does not hold as it is now."""
    folder = folder_of(source)
    if not spec.document or folder is None:
        return []
    found = []
    with db.session() as session:
        for record in staged.rows(session, spec.name, COLUMNS, (statuses.SYNCED,)):
            name = (record.data or {}).get(spec.document, "")
            if not name or not record.qbo_id or not _file_changed(record, name, folder) or _problem(folder, name):
                continue
            document = _read(folder, name)
            if (record.qbo_objects or {}).get(KEY, {}).get("file_hash") != document.digest:
                found.append((record, document))
    return found


def attach(db: StagingDb, engine: PushEngine, source, spec: EntitySpec,
           flow_run_id: str | None = None) -> AttachResult:
    result = AttachResult(spec.name)
    result.replaced += _delete_replaced(db, engine, spec)    # left by a run that stopped half-way
    for record, document in to_attach(db, source, spec):
        if ((record.qbo_objects or {}).get(KEY) or {}).get("replaces"):
            continue    # its last replaced Attachable is not deleted yet: one at a time, none left over
        file_name = PurePosixPath(document.name.replace("\\", "/")).name
        objects = dict(record.qbo_objects or {})
        old = objects.get(KEY) or {}
        # The request id is the file's and the Attachable's it replaces: sent again after a crash it
        # is answered as before; a file changed back to an earlier version is a new upload.
        outcome = engine.upload(record.id, file_name, attachments.content_type(file_name), document.path.read_bytes(),
                                (spec.qbo_entity, record.qbo_id), f"{document.digest}:{old.get('id', '')}")
        now = datetime.now(timezone.utc)
        if not outcome.ok:
            result.refused.append(record.source_id)
            reason = f'Document "{document.name}": QuickBooks refused it: {outcome.fault.plain}'
            _save(db, record, _flag(record, [reason]), outcome, now, flow_run_id, "failed")
            continue
        objects[KEY] = {"id": outcome.qbo_id, "sync_token": outcome.sync_token, "file": document.name,
                          "file_hash": document.digest, "size": document.size,
                          "mtime": document.path.stat().st_mtime, "attached_at": now.isoformat()}
        replaced = ({"id": old["id"], "sync_token": old.get("sync_token")}
                    if old.get("id") and old["id"] != outcome.qbo_id else None)
        if replaced:
            # Kept until the old Attachable is gone: a run stopped before that deletes it next time.
            objects[KEY]["replaces"] = replaced
        _save(db, record, {"b_id": record.id, "qbo_objects": objects}, outcome, now, flow_run_id, "synced")
        result.attached += not replaced
    result.replaced += _delete_replaced(db, engine, spec)
    return result


def _delete_replaced(db: StagingDb, engine: PushEngine, spec: EntitySpec) -> int:
    """Delete the Attachables that newer uploads replaced; QBO answering that one is gone
    already (a run stopped after deleting it) counts as deleted too."""
    with db.session() as session:
        waiting = [r for r in staged.rows(session, spec.name, ("qbo_objects",))
                   if ((r.qbo_objects or {}).get(KEY) or {}).get("replaces")]
    if not waiting:
        return 0
    old = {r.id: r.qbo_objects[KEY]["replaces"] for r in waiting}
    # The old Attachable's id in the request id: each replacement of a record's file is its own delete.
    outcomes = engine.run([Operation(record_id, "Attachable", "delete",
                                     {"Id": o["id"], "SyncToken": o.get("sync_token") or "0"}, version=o["id"])
                           for record_id, o in old.items()])
    gone = {o.key for o in outcomes if o.ok or (o.fault is not None and o.fault.code == NOT_FOUND)}
    changes = [{"b_id": r.id, "qbo_objects": {**r.qbo_objects, KEY: {
        k: v for k, v in r.qbo_objects[KEY].items() if k != "replaces"}}} for r in waiting if r.id in gone]
    if not changes:
        return 0
    with db.session() as session, session.begin():
        staged.bulk_update(session, changes)
    return len(changes)


def _save(db: StagingDb, record, change: dict, outcome=None, now=None, flow_run_id=None, result="") -> None:
    with db.session() as session, session.begin():
        if change:
            staged.bulk_update(session, [change])
        if outcome is not None:
            # The History tab lists the upload; not the JSON view (its request is the bill's).
            session.add(SyncAttempt(record_id=record.id, flow_run_id=flow_run_id, attempted_at=now,
                                    operation="attach", qbo_entity="Attachable", part=KEY, outcome=result,
                                    qbo_id=outcome.qbo_id, message=outcome.fault.plain if outcome.fault else "",
                                    request=null(), response=null()))   # SQL NULL, not JSON null


def _flag(record, texts: list[str]) -> dict | None:
    in_step = record.synced_hash is not None and record.content_hash == record.synced_hash
    change = statuses.held(record.status, record.reasons, statuses.Stage.DOCUMENTS, texts, in_step)
    return None if change is None else {"b_id": record.id, **change}


def _problem(folder: Path | None, name: str) -> str | None:
    """Why the named file cannot be attached, naming it; None when it can."""
    if folder is None:
        return f'Document "{name}": this source has no folder to read documents from'
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        return f'Document "{name}" is outside the source folder: name a file inside it'
    if not path.is_file():
        return (f'Document "{name}" was not found in the source folder: add the file there, '
                "or clear the bill's document")
    refusal = attachments.refusal(path.name, path.stat().st_size)
    return f'Document "{name}" {refusal}' if refusal else None


def _file_changed(record, name: str, folder: Path | None) -> bool:
    """A record's attached file changed on disk (size or time), or names another file."""
    held = (record.qbo_objects or {}).get(KEY) or {}
    if folder is None or held.get("file") != name:
        return True
    try:
        stat = (folder / name).stat()
    except OSError:
        return True
    return stat.st_size != held.get("size") or stat.st_mtime != held.get("mtime")


def _read(folder: Path, name: str) -> Document:
    path = (folder / name).resolve()
    data = path.read_bytes()
    return Document(name, path, hashlib.blake2b(data, digest_size=16).hexdigest(), len(data))


def per_entity(db: StagingDb, specs: list[EntitySpec]) -> list[dict]:
    """For the run report: per entity with documents, how many are attached in QuickBooks and
    how many wait for their file to be fixed (Needs Action naming it)."""
    found = []
    with db.session() as session:
        for spec in [s for s in specs if s.document]:
            attached = waiting = 0
            for record in staged.rows(session, spec.name, ("data", "qbo_objects", "reasons")):
                if not (record.data or {}).get(spec.document):
                    continue
                attached += KEY in (record.qbo_objects or {})
                waiting += any(r.get("stage") == STAGE for r in record.reasons or [])
            if attached or waiting:
                found.append({"entity": spec.name, "attached": attached, "waiting": waiting})
    return found
