"""A new realm made from a snapshot of a real company's lists (issue 17's rehearsal copy).

The snapshot is QBO's own JSON, keyed by entity name as in a query or CDC answer:
    {"CompanyInfo": {...}, "Preferences": {...}, "Account": [...], "Class": [...],
     "Department": [...], "Term": [...], "Item": [...], "Customer": [...], "Vendor": [...],
     "Employee": [...]}
Objects keep their Id, SyncToken, MetaData, names, Active flag and hierarchy (ParentRef,
Job, Level, FullyQualifiedName): the rehearsal's writes then meet the same ids, versions
and refusals as in the real company. Objects are stored as they are, not re-checked by the
entity rules: a real company may hold what the API would refuse today (an active item whose
account was made inactive). What must hold for the copy to work is checked, all before
anything is written: numeric unique Ids, names present and unique (DisplayName across
customers, vendors and employees), parents present. New objects get Ids after the highest
copied Id of their entity.
"""

from __future__ import annotations

import copy

from qbo_sync.sandbox.entities import PEOPLE, clean

# Referred-to lists first: the order only matters for reading a snapshot top to bottom.
LISTS = ("Account", "Class", "Department", "Term", "Item", "Customer", "Vendor", "Employee")
SINGLETONS = ("CompanyInfo", "Preferences")
PARENT_FLAGS = {"Customer": "Job", "Account": "SubAccount", "Item": "SubItem",
                "Class": "SubClass", "Department": "SubDepartment"}


class SnapshotError(ValueError):
    """The snapshot can't become a company; the message names the object."""


def _name(entity: str, doc: dict) -> str:
    field = "DisplayName" if entity in PEOPLE else "Name"
    value = doc.get(field)
    if not isinstance(value, str) or not value.strip():
        raise SnapshotError(f"{entity} {doc.get('Id')}: {field} is missing")
    return value.strip()


def _objects(body: dict, entity: str) -> dict[str, dict]:
    rows = body.get(entity, [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise SnapshotError(f"{entity} must be a list of {entity} objects")
    found: dict[str, dict] = {}
    for row in rows:
        doc = clean(row)
        obj_id = str(doc.get("Id", ""))
        if not obj_id.isdigit():
            raise SnapshotError(f"{entity} {_name(entity, doc) if doc else '?'}: Id {obj_id!r} "
                                "is not a QBO Id (digits)")
        if obj_id in found:
            raise SnapshotError(f"{entity} Id {obj_id} appears twice")
        doc["Id"] = obj_id
        found[obj_id] = doc
    return found


def _with_hierarchy(entity: str, objects: dict[str, dict]) -> None:
    """Check parents and fill FullyQualifiedName (and a customer's Level) where missing."""
    def fqn(doc: dict, seen: tuple[str, ...]) -> str:
        parent = doc.get("ParentRef", {}).get("value")
        name = _name(entity, doc)
        if not parent:
            if entity == "Customer":
                doc.setdefault("Level", 0)
            return doc.setdefault("FullyQualifiedName", name)
        parent = str(parent)
        if parent not in objects:
            raise SnapshotError(f"{entity} {name} (Id {doc['Id']}): parent {parent} is not in "
                                "the snapshot")
        if parent in seen:
            raise SnapshotError(f"{entity} {name} (Id {doc['Id']}): its parents form a loop")
        above = objects[parent]
        path = fqn(above, seen + (doc["Id"],))
        doc["ParentRef"] = {"value": parent, "name": path}
        if entity in PARENT_FLAGS:
            doc.setdefault(PARENT_FLAGS[entity], True)
        if entity == "Customer":
            doc.setdefault("Level", int(above.get("Level", 0)) + 1)
        return doc.setdefault("FullyQualifiedName", f"{path}:{name}")

    if entity in ("Vendor", "Employee"):
        return   # flat lists, without FullyQualifiedName in QBO
    for doc in objects.values():
        fqn(doc, ())


def _unique_names(lists: dict[str, dict[str, dict]]) -> None:
    people: dict[str, str] = {}
    for entity, objects in lists.items():
        names: dict[str, str] = {}
        for doc in objects.values():
            label = f"{entity} {doc['Id']}"
            if entity in PEOPLE:
                key, seen = _name(entity, doc).lower(), people
            else:
                key, seen = doc["FullyQualifiedName"].lower(), names
            if key in seen:
                raise SnapshotError(f"{label} and {seen[key]} share the name "
                                    f"{_name(entity, doc)!r}")
            seen[key] = label


def prepare(body, now: str) -> tuple[dict[str, dict], dict[str, dict[str, dict]]]:
    """Check a snapshot; answer (singletons, {entity: {Id: object}}) ready to store."""
    if not isinstance(body, dict):
        raise SnapshotError("the snapshot must be a JSON object")
    unknown = set(body) - set(LISTS) - set(SINGLETONS) - {"company_name"}
    if unknown:
        raise SnapshotError(f"unknown key(s) {', '.join(sorted(unknown))}; known: "
                            f"{', '.join(SINGLETONS + LISTS)}")
    lists = {entity: _objects(body, entity) for entity in LISTS}
    for entity, objects in lists.items():
        _with_hierarchy(entity, objects)
        for doc in objects.values():
            doc.setdefault("Active", True)
            doc["SyncToken"] = str(doc.get("SyncToken", "0"))
            doc.setdefault("MetaData", {"CreateTime": now, "LastUpdatedTime": now})
            doc.update(domain="QBO", sparse=False)
    _unique_names(lists)
    singletons = {}
    for entity in SINGLETONS:
        doc = body.get(entity) or {}
        if not isinstance(doc, dict):
            raise SnapshotError(f"{entity} must be an object")
        doc = copy.deepcopy(doc)   # kept as sent: preferences are compared field by field
        doc.setdefault("SyncToken", "0")
        doc.setdefault("MetaData", {"CreateTime": now, "LastUpdatedTime": now})
        doc.update(Id=str(doc.get("Id", "1")), domain="QBO", sparse=False)
        singletons[entity] = doc
    return singletons, lists


def company_name(body: dict, singletons: dict[str, dict]) -> str:
    return (body.get("company_name") or singletons["CompanyInfo"].get("CompanyName")
            or "Copied company")
