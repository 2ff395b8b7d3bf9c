"""Read-only views of the staging database: status lists, history, payloads, reports.

Shared by the CLI and the console. Each takes a StagingDb (the console's) or a Reader
(qbo_sync.db.reading: what the CLI's read-only verbs open), and runs plain SQL on it, so
that those verbs import neither SQLAlchemy nor Prefect nor Great Expectations nor pandas.
"""

from __future__ import annotations

from qbo_sync import record_refs, source_deletions, statuses
from qbo_sync.db.reading import json_value, reader_of, when
from qbo_sync.pipeline.payment_states import STAGE as PAYMENTS


def _iso(value) -> str | None:
    value = when(value)
    return value.isoformat() if value else None


def payment_lines(db, entity: str | None = None) -> list[str]:
    """A line per entity whose objects QuickBooks pays: how many are paid, partially paid and
    open, and the money paid and still open (pipeline/payments.py keeps the states)."""
    from qbo_sync import entities as registry
    from qbo_sync.pipeline.payment_states import summary_line

    reader = reader_of(db)
    lines = []
    for spec in registry.ENTITIES.values():
        if spec.payments is None or entity not in (None, spec.name):
            continue
        states = [(json_value(r["qbo_objects"]) or {}).get(PAYMENTS) for r in reader.rows(
            "SELECT qbo_objects FROM records WHERE entity = :entity AND qbo_id IS NOT NULL "
            "AND NOT deleted_in_source", entity=spec.name)]
        if any(states):
            lines.append(summary_line(spec.label, [s for s in states if s]))
    return lines


def status_rows(db, entity: str | None = None, status: str | None = None) -> list[dict]:
    reader = reader_of(db)
    where, params = ["1 = 1"], {}
    if entity:
        where.append("entity = :entity")
        params["entity"] = entity
    if status == source_deletions.STATUS:
        where.append("deleted_in_source")
    elif status:
        where += ["status = :status", "NOT deleted_in_source"]
        params["status"] = status
    records = reader.rows("SELECT id, entity, source_id, name, status, reasons, qbo_id, qbo_objects, synced_at, "
                          f"suggestions, deleted_in_source FROM records WHERE {' AND '.join(where)} "
                          "ORDER BY id", **params)
    # Only records gone from the source need their source row (what they held: hours, amounts).
    gone_ids = [r["id"] for r in records if r["deleted_in_source"]]
    data = {row["id"]: row["data"] for start in range(0, len(gone_ids), 500) for row in reader.rows(
        "SELECT id, data FROM records WHERE id IN ({})".format(", ".join(str(int(i)) for i in gone_ids[start:start + 500])))}
    customers = {link["record_id"]: link for link in reader.rows(
        "SELECT record_id, qbo_id, qbo_name FROM record_links WHERE role = :role", role="customer")}
    rows = []
    for r in records:
        customer = customers.get(r["id"])
        synced_at = when(r["synced_at"])
        gone = _deleted_in_source(r, data[r["id"]]) if r["deleted_in_source"] else None
        rows.append({
            "record": r["id"], "entity": r["entity"], "source_id": r["source_id"], "name": r["name"],
            "status": source_deletions.LABEL if gone else statuses.label(r["status"]),
            "reasons": [source_deletions.sentence(gone)] if gone else statuses.reason_texts(json_value(r["reasons"])),
            "deleted_in_source": gone,
            "qbo_id": r["qbo_id"],
            "qbo_ids": {k: v.get("id") for k, v in (json_value(r["qbo_objects"]) or {}).items()
                        if isinstance(v, dict)},   # not the kept/delete decision of a source deletion
            "synced_at": _iso(synced_at),
            "synced": synced_at.strftime("%Y-%m-%d %H:%M") if synced_at else "Not Synced",
            "qbo_customer": ({"qbo_id": customer["qbo_id"], "name": customer["qbo_name"]} if customer else None),
            "suggested_customer": (json_value(r["suggestions"]) or {}).get("customer"),
        })
    return rows


def deleted_in_source(db, entity: str) -> list[dict]:
    """The entity's records deleted in the source, names first, each with what became of its
    QBO objects in one sentence (the console lists them under the entity's table)."""
    reader = reader_of(db)
    rows = reader.rows("SELECT id, entity, source_id, name, status, reasons, qbo_id, qbo_objects, data "
                       "FROM records WHERE entity = :entity AND deleted_in_source ORDER BY id", entity=entity)
    return [{"record": r["id"], "source_id": r["source_id"], "name": r["name"],
             "what": source_deletions.sentence(_deleted_in_source(r, r["data"]))} for r in rows]


def _deleted_in_source(r, data) -> dict:
    """What became of the QBO objects of a record gone from the source (qbo_sync.source_deletions)."""
    from qbo_sync import entities as registry

    return source_deletions.describe(registry.get(r["entity"]), {
        "status": r["status"], "reasons": json_value(r["reasons"]), "qbo_id": r["qbo_id"],
        "qbo_objects": json_value(r["qbo_objects"]), "data": json_value(data)})


def find_record(db, record_text: str) -> dict:
    """The record a user names (qbo_sync.record_refs): id, entity, source_id, name, status."""
    reader = reader_of(db)
    ref = record_refs.parse(record_text)
    columns = "SELECT id, entity, source_id, name, status FROM records"
    if ref.number is not None:
        found = reader.rows(f"{columns} WHERE id = :id", id=ref.number)
        if found:
            return found[0]
    if ref.entity is not None:
        found = reader.rows(f"{columns} WHERE entity = :entity AND source_id = :source_id",
                            entity=ref.entity, source_id=ref.source_id)
        if not found:
            raise ref.missing_in_entity()
        return found[0]
    return ref.one_of(reader.rows(f"{columns} WHERE source_id = :source_id ORDER BY id", source_id=ref.source_id),
                      label=lambda m: f"{m['entity']}/{m['source_id']}")


def history(db, record_text: str) -> dict:
    reader = reader_of(db)
    record = find_record(reader, record_text)
    changes = reader.rows("SELECT changed_at, import_id, field, old, new FROM field_changes "
                          "WHERE record_id = :id ORDER BY id", id=record["id"])
    attempts = reader.rows("SELECT attempted_at, flow_run_id, operation, outcome, qbo_id, message "
                           "FROM sync_attempts WHERE record_id = :id ORDER BY id", id=record["id"])
    return {
        "record": record["id"], "entity": record["entity"], "source_id": record["source_id"],
        "name": record["name"], "status": statuses.label(record["status"]),
        "payments": payments_of(reader, record["id"]),
        "changes": [{"when": _iso(c["changed_at"]), "import": c["import_id"], "field": c["field"],
                     "old": c["old"], "new": c["new"]} for c in changes],
        "sync_activity": [{"when": _iso(a["attempted_at"]), "flow_run": a["flow_run_id"],
                           "operation": a["operation"], "outcome": a["outcome"], "qbo_id": a["qbo_id"],
                           "message": a["message"]} for a in attempts],
    }


def payload(db, record_text: str) -> dict:
    """Every QBO object the record wrote, each with the JSON last sent for it and QBO's answer.

    A record can write several objects (a weekly timesheet: one TimeActivity per day), so
    "objects" lists each, by the part it is of the record ("mon"...; null for the record's one
    object), with whether QBO holds it now. "request", "response" and "sent_at" are those of
    the latest of them. "wrote_nothing" is true for a record that is Synced with nothing
    written, such as a week with no hours.
    """
    reader = reader_of(db)
    record = find_record(reader, record_text)
    attempts = reader.rows(
        "SELECT id, part, qbo_entity, qbo_id, operation, outcome, attempted_at, request, response "
        "FROM sync_attempts WHERE record_id = :id AND request IS NOT NULL ORDER BY id", id=record["id"])
    stored = reader.rows("SELECT qbo_id, qbo_objects FROM records WHERE id = :id", id=record["id"])[0]
    held = _held_objects(stored["qbo_id"], json_value(stored["qbo_objects"]))
    last_of: dict = {}
    for attempt in attempts:   # in order: the last one of each object wins
        last_of[attempt["part"]] = attempt
    objects = [{"part": part, "qbo_entity": a["qbo_entity"], "qbo_id": a["qbo_id"],
                "in_qbo_now": part in held and held[part] == a["qbo_id"],
                "operation": a["operation"], "outcome": a["outcome"], "sent_at": _iso(a["attempted_at"]),
                "request": json_value(a["request"]), "response": json_value(a["response"])}
               for part, a in sorted(last_of.items(), key=lambda item: item[1]["id"])]
    last = attempts[-1] if attempts else None
    return {"record": record["id"], "entity": record["entity"], "source_id": record["source_id"],
            "name": record["name"], "status": statuses.label(record["status"]),
            "wrote_nothing": not attempts and record["status"] == statuses.SYNCED and not held,
            "payments": (json_value(stored["qbo_objects"]) or {}).get(PAYMENTS),
            "objects": objects,
            "sent_at": _iso(last["attempted_at"]) if last else None,
            "request": json_value(last["request"]) if last else None,
            "response": json_value(last["response"]) if last else None}


def payments_of(db, record_id: int) -> dict | None:
    """The payments QuickBooks applied to the record's object, as the last pull found them
    (pipeline/payments.py): state, balance, total, and each payment; None if never read."""
    found = reader_of(db).rows("SELECT qbo_objects FROM records WHERE id = :id", id=record_id)
    return (json_value(found[0]["qbo_objects"]) or {}).get(PAYMENTS) if found else None


def _held_objects(qbo_id, qbo_objects) -> dict:
    """{part: QBO id} of the objects QBO holds for the record now (part None: its one object)."""
    held = {part: obj["id"] for part, obj in (qbo_objects or {}).items()
            if isinstance(obj, dict) and "hash" in obj and obj.get("id")}
    if qbo_id and not held:
        held[None] = qbo_id
    return held


def runs(db, limit: int = 20) -> list:
    """The console's Runs page: the latest runs as ORM objects."""
    from sqlalchemy import select

    from qbo_sync.db.models import Run

    with db.session() as session:
        return list(session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)))


def run_report(db, run: str | None = None) -> dict | None:
    reader = reader_of(db)
    if not run:
        found = reader.rows("SELECT report FROM runs ORDER BY id DESC LIMIT 1")
    elif run.isdigit():
        found = reader.rows("SELECT report FROM runs WHERE id = :id", id=int(run))
    else:
        found = reader.rows("SELECT report FROM runs WHERE flow_run_id = :flow_run_id ORDER BY id DESC LIMIT 1",
                            flow_run_id=run)
    return json_value(found[0]["report"]) if found else None
