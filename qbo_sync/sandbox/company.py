"""One QBO company (realm): its objects, Ids, SyncTokens, name indexes and tombstones.

Writes go through the per-entity rules in entities.py; this module adds what every
entity shares: Id and SyncToken bookkeeping, MetaData times, stale-update detection,
DisplayName uniqueness across Customer/Vendor/Employee, and deletion tombstones for CDC.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter

from qbo_sync.sandbox import links, tracking
from qbo_sync.sandbox.attachments import RULES as ATTACHMENT_RULES
from qbo_sync.sandbox.clock import Clock
from qbo_sync.sandbox.entities import DELETABLE, NAME_LISTS, PEOPLE, READ_ONLY, VOIDABLE, clean
from qbo_sync.sandbox.entities import RULES as LIST_RULES
from qbo_sync.sandbox.faults import STALE, QboError
from qbo_sync.sandbox.purchasing import RULES as PURCHASING_RULES
from qbo_sync.sandbox.store import Store

# Each entity's own rules; what a write does to other objects is links.py's.
RULES = {**LIST_RULES, **PURCHASING_RULES, **ATTACHMENT_RULES}


class Company:
    def __init__(self, store: Store, realm: str, clock: Clock) -> None:
        self.store, self.realm, self.clock = store, realm, clock
        self.lock = threading.RLock()
        self.on_change = None       # (entity, id, operation) after each write: the webhook sender
        self.reads: Counter = Counter()
        self.writes: Counter = Counter()
        self._people: dict[str, tuple[str, str]] = {}
        self._names: dict[tuple[str, str], str] = {}
        for entity in NAME_LISTS:
            for doc in self.store.namespace(self._ns(entity)).values():
                self._index(entity, doc)

    # --- reading -------------------------------------------------------------------
    def _ns(self, entity: str) -> str:
        return f"r:{self.realm}:{entity}"

    @property
    def record(self) -> dict:
        return self.store.get("realms", self.realm)

    @property
    def projects_enabled(self) -> bool:
        prefs = self.get("Preferences", "1") or {}
        for pair in prefs.get("OtherPrefs", {}).get("NameValue", []):
            if pair.get("Name") == "ProjectsEnabled":
                return str(pair.get("Value")).lower() == "true"
        return False

    def get(self, entity: str, obj_id: str) -> dict | None:
        return self.store.get(self._ns(entity), str(obj_id))

    def all(self, entity: str) -> list[dict]:
        return list(self.store.namespace(self._ns(entity)).values())

    def person_named(self, name: str) -> tuple[str, str] | None:
        return self._people.get(name.strip().lower())

    def named(self, entity: str, fqn: str) -> str | None:
        return self._names.get((entity, fqn.lower()))

    def first_account(self, account_type: str) -> dict | None:
        return next((a for a in self.all("Account")
                     if a.get("AccountType") == account_type and a.get("Active", True)), None)

    def today(self) -> str:
        return self.clock.today()

    def deleted(self) -> list[dict]:
        return list(self.store.namespace(self._ns("_deleted")).values())

    # --- writing -------------------------------------------------------------------
    def _index(self, entity: str, doc: dict, old: dict | None = None) -> None:
        if entity in PEOPLE:
            if old is not None:
                self._people.pop(old["DisplayName"].lower(), None)
            self._people[doc["DisplayName"].lower()] = (entity, doc["Id"])
        elif "FullyQualifiedName" in doc:
            if old is not None:
                self._names.pop((entity, old["FullyQualifiedName"].lower()), None)
            self._names[(entity, doc["FullyQualifiedName"].lower())] = doc["Id"]

    def _next_id(self, entity: str) -> str:
        record = dict(self.record)
        ids = dict(record.get("ids", {}))
        ids[entity] = ids.get(entity, 0) + 1
        record["ids"] = ids
        self.store.put("realms", self.realm, record)
        return str(ids[entity])

    def _save(self, entity: str, doc: dict, old: dict | None, requested: bool = True) -> dict:
        """requested: an app's write (counted in `writes`), not a change QBO makes on its own."""
        self.store.put(self._ns(entity), doc["Id"], doc)
        self._index(entity, doc, old)
        if requested:
            self.writes[entity] += 1
        if self.on_change:
            self.on_change(entity, doc["Id"], "Create" if old is None else "Update")
        return doc

    def create(self, entity: str, body: dict, *, project: bool = False,
               upload_size: int | None = None) -> dict:
        """Create from a request body; project=True marks a Customer as a QBO Project
        (only the GraphQL Project API may do that); upload_size: an Attachable made by
        /upload, whose file has that size and is downloaded at its FileAccessUri."""
        with self.lock:
            doc = {k: v for k, v in clean(body).items() if k not in READ_ONLY}
            doc = self._checked(entity, doc, None)
            if project:
                doc["IsProject"] = True
            now = self.clock.iso()
            doc.update(domain="QBO", sparse=False, Id=self._next_id(entity), SyncToken="0",
                       MetaData={"CreateTime": now, "LastUpdatedTime": now})
            if upload_size is not None:
                doc.update(Size=upload_size,
                           FileAccessUri=f"/v3/company/{self.realm}/download/{doc['Id']}")
            saved = self._save(entity, doc, None)
            links.apply(self, entity, saved, None)
            return saved

    def _checked(self, entity: str, doc: dict, old: dict | None) -> dict:
        """The entity's own rules, then the company's preferences and the other
        transactions it links to (both may refuse the write)."""
        doc = RULES[entity](self, doc, old)
        tracking.check(self, entity, doc)
        links.check(self, entity, doc, old)
        return doc

    def update(self, entity: str, body: dict, *, sparse: bool) -> dict:
        with self.lock:
            body = clean(body)
            old = self._existing(entity, body)
            base = copy.deepcopy(old) if sparse else {}
            base.update({k: v for k, v in body.items() if k not in READ_ONLY})
            if entity == "Customer" and old.get("IsProject"):
                base.setdefault("Job", True)
                base.setdefault("ParentRef", old.get("ParentRef"))
            doc = self._checked(entity, base, old)
            saved = self._save(entity, self._next_version(doc, old), old)
            if entity == "Customer" and doc.get("FullyQualifiedName") != old.get("FullyQualifiedName"):
                self._rename_children(doc)
            links.apply(self, entity, saved, old)
            return saved

    def _next_version(self, doc: dict, old: dict) -> dict:
        doc.update(domain="QBO", sparse=False, Id=old["Id"],
                   SyncToken=str(int(old["SyncToken"]) + 1),
                   MetaData={"CreateTime": old["MetaData"]["CreateTime"],
                             "LastUpdatedTime": self.clock.iso()})
        return doc

    def touch(self, entity: str, doc: dict) -> None:
        """Save a change QBO makes to an object on its own (a bill's Balance after a
        payment): a new SyncToken and LastUpdatedTime, as a user's update would get."""
        old = self.get(entity, doc["Id"])
        if doc != old:
            self._save(entity, self._next_version(copy.deepcopy(doc), old), old, requested=False)

    def void(self, entity: str, body: dict) -> dict:
        """QBO's void (?operation=update&include=void): the transaction stays, with its
        amounts 0 and the note "Voided"; what it paid is open again."""
        if entity not in VOIDABLE:
            raise QboError(500, f"Operation Void is not supported for {entity}")
        with self.lock:
            old = self._existing(entity, clean(body))
            doc = copy.deepcopy(old)
            doc["TotalAmt"] = 0
            for line in doc.get("Line", []):
                line["Amount"] = 0
            doc["PrivateNote"] = "Voided"
            saved = self._save(entity, self._next_version(doc, old), old)
            links.apply(self, entity, saved, old)
            return saved

    def delete(self, entity: str, body: dict) -> dict:
        if entity not in DELETABLE:
            raise QboError(500, f"Operation Delete is not supported for {entity}: name-list "
                                "objects are made inactive (Active false) instead")
        with self.lock:
            old = self._existing(entity, clean(body))
            links.check_delete(self, entity, old)
            self.store.delete(self._ns(entity), old["Id"])
            self.store.put(self._ns("_deleted"), f"{entity}:{old['Id']}",
                           {"entity": entity, "Id": old["Id"], "at": self.clock.iso()})
            self.writes[entity] += 1
            links.apply(self, entity, None, old)
            if self.on_change:
                self.on_change(entity, old["Id"], "Delete")
            return {"Id": old["Id"], "status": "Deleted", "domain": "QBO"}

    def _existing(self, entity: str, body: dict) -> dict:
        obj_id = body.get("Id")
        if not obj_id:
            raise QboError(2020, "Required parameter Id is missing in the request", "Id")
        old = self.get(entity, str(obj_id))
        if old is None:
            raise QboError(610, f"Object Not Found : {entity} {obj_id} was not found or has been deleted", "Id")
        token = body.get("SyncToken")
        if token is None:
            raise QboError(2020, "Required parameter SyncToken is missing in the request", "SyncToken")
        if str(token) != old["SyncToken"]:
            raise QboError(5010, f"{STALE} (sent SyncToken {token}, current {old['SyncToken']})",
                           "SyncToken")
        return old

    def _rename_children(self, parent: dict) -> None:
        for child in self.all("Customer"):
            if child.get("ParentRef", {}).get("value") == parent["Id"]:
                doc = copy.deepcopy(child)
                doc["FullyQualifiedName"] = f"{parent['FullyQualifiedName']}:{doc['DisplayName']}"
                doc["Level"] = parent.get("Level", 0) + 1
                doc["ParentRef"]["name"] = parent["FullyQualifiedName"]
                self.store.put(self._ns("Customer"), doc["Id"], doc)
                self._rename_children(doc)

    # --- singletons ----------------------------------------------------------------
    def put_singleton(self, entity: str, doc: dict) -> dict:
        with self.lock:
            old = self.get(entity, "1")
            now = self.clock.iso()
            doc.update(domain="QBO", sparse=False, Id="1",
                       SyncToken=str(int(old["SyncToken"]) + 1) if old else "0",
                       MetaData={"CreateTime": old["MetaData"]["CreateTime"] if old else now,
                                 "LastUpdatedTime": now})
            self.store.put(self._ns(entity), "1", doc)
            if old:
                self.writes[entity] += 1
            return doc
