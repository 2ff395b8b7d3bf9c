"""Project mode meets QBO customers that already carry a project's name under its client.

QBO names are unique across customers, vendors and employees, so creating the project
again would be refused (6240) or, worse, duplicated. The rule, applied at map time from
the reference copy (pulled fresh by the same map stage), so the preview already says it:

- a QBO **project** with that name under the project's client is this project: made by
  hand, or by a run that died between the create and QBO's answer. It is linked and
  updated, never created again.
- a **sub-customer** (not a project) with that name under the same client is the same
  job, set up before Projects were used. It is linked and kept up to date as the
  sub-customer it is; its time and bills are charged to it as a customer, without a
  ProjectRef (QBO refuses a ProjectRef to a sub-customer). QuickBooks itself can convert
  a sub-customer to a project; the reference copy then shows it as a project and the
  next run treats it as one.

Same name under another client (or a vendor or employee) is not the same job: the create
goes ahead and QBO's refusal names the clashing object (pipeline/name_clash.py).
"""

from __future__ import annotations

from sqlalchemy import select

from qbo_sync import statuses
from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import QboRef
from qbo_sync.entities.base import EntitySpec
from qbo_sync.entities.names import name_key
from qbo_sync.pipeline import records as staged
from qbo_sync.pipeline.mapping import links_of
from qbo_sync.qbo import lists
from qbo_sync.settings import SyncSettings

SUB_CUSTOMER = "sub-customer"
PROJECT = "project"


def existing_kind(qbo_objects: dict | None) -> str | None:
    """How a linked record's QBO object was found: "project", "sub-customer", or None."""
    return ((qbo_objects or {}).get("existing") or {}).get("kind")


def is_sub_customer(qbo_objects: dict | None) -> bool:
    """Linked to a sub-customer that is not (yet) a QBO project: charged without ProjectRef,
    updated through the REST API like any customer."""
    return existing_kind(qbo_objects) == SUB_CUSTOMER


def note(kind: str, name: str, client: str) -> str:
    """The plain sentence the preview and the record show for a link made by this rule."""
    if kind == PROJECT:
        return f'Links the QuickBooks project "{name}" of {client}, which already exists: updated, not created again'
    return (f'Links the existing sub-customer "{name}" of {client}: QuickBooks already has this job as a '
            f"sub-customer, so it is kept and its time and bills are charged to it. To make it a project, "
            f"convert it in QuickBooks (Projects); the next sync then treats it as the project")


def link_existing(db: StagingDb, spec: EntitySpec, sync: SyncSettings) -> int:
    """Link project-mode records not in QBO yet to the customer QBO already has for them."""
    if spec.writer(sync) != "project":
        return 0
    with db.session() as session, session.begin():
        records = staged.rows(session, spec.name, ("data", "qbo_id", "qbo_objects", "status"))
        _converted(session, [r for r in records if is_sub_customer(r.qbo_objects)])
        pending = [r for r in records if r.status == statuses.NEEDS_SYNC and not r.qbo_id]
        if not pending:
            return 0
        clients = links_of(session, [r.id for r in pending])
        under: dict[tuple[str | None, str], list[QboRef]] = {}
        for ref in session.scalars(select(QboRef).where(QboRef.entity == lists.CUSTOMER, QboRef.active.is_(True),
                                                        QboRef.parent_id.is_not(None))):
            under.setdefault((ref.parent_id, name_key(ref.name)), []).append(ref)
        held = {r.qbo_id for r in records if r.qbo_id}    # another record's object is not this one's
        changes = []
        for record in pending:
            client = (clients.get(record.id) or {}).get("customer")
            if client is None:
                continue
            same = under.get((client.qbo_id, name_key(spec.display_name(record.data))), [])
            if len(same) != 1:
                continue
            found = same[0]
            if found.qbo_id in held:
                continue
            held.add(found.qbo_id)
            kind = PROJECT if (found.data or {}).get("IsProject") else SUB_CUSTOMER
            changes.append(dict(b_id=record.id, qbo_id=found.qbo_id, sync_token=found.sync_token,
                                qbo_objects={**(record.qbo_objects or {}), "existing": {
                                    "kind": kind, "id": found.qbo_id, "name": found.name,
                                    "client": client.name, "note": note(kind, found.name, client.name)}}))
        staged.bulk_update(session, changes)
    return len(changes)


def _converted(session, linked: list) -> None:
    """Sub-customers converted to projects in QuickBooks since they were linked: projects now."""
    if not linked:
        return
    refs = session.scalars(select(QboRef).where(QboRef.entity == lists.CUSTOMER,
                                                QboRef.qbo_id.in_([r.qbo_id for r in linked])))
    now_projects = {ref.qbo_id for ref in refs if (ref.data or {}).get("IsProject")}
    staged.bulk_update(session, [dict(b_id=r.id, qbo_objects={**r.qbo_objects, "existing": {
        **r.qbo_objects["existing"], "kind": PROJECT}}) for r in linked if r.qbo_id in now_projects])
