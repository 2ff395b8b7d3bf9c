"""The company's lists, copied through the paced, counted reader and kept for the next rehearsal.

A first rehearsal reads every list (inactive objects too). A later one reads only what
changed since the copy was taken, through CDC, and applies it to the kept copy; it reads
everything again when the copy is older than CDC reaches back (30 days), when CDC answers
its cap of 1,000 objects (more may have changed), or when the copy is of another company.
CompanyInfo and Preferences are not covered by CDC: they are read again each time (two reads).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from qbo_sync.qbo.reader import QboReader, QboReadError

# The lists a sync's writes refer to or collide with (docs/sandbox.md, "A realm from a snapshot").
LISTS = ("Account", "Class", "Department", "Term", "Item", "Customer", "Vendor", "Employee")
CDC_REACH = timedelta(days=30)    # QBO's CDC looks back 30 days at most
CDC_CAP = 1000                    # objects in one CDC answer: at the cap, more may have changed
KEPT_FILE = "company-copy.json"


@dataclass
class CompanyCopy:
    realm_id: str
    taken_at: str                 # the company's clock when the reads began (ISO, with offset)
    lists: dict                   # the snapshot: QBO's JSON per entity, CompanyInfo, Preferences
    how: str = "full"             # full | changes
    reads: int = 0                # requests this copy made
    changed: dict = field(default_factory=dict)   # with how=changes: objects per entity

    @property
    def company_name(self) -> str:
        return (self.lists.get("CompanyInfo") or {}).get("CompanyName") or f"company {self.realm_id}"

    def describe(self) -> str:
        """One line for the report: how the copy was made and what it cost in reads."""
        reads = f"{self.reads:,} QuickBooks read{'s' if self.reads != 1 else ''}"
        if self.how == "changes":
            count = sum(self.changed.values())
            return (f"The copy was brought up to date with {reads}: {count:,} object(s) changed in "
                    f"{self.company_name} since the last copy; these reads count in this month's "
                    "QuickBooks reads.")
        objects = sum(len(self.lists.get(e, [])) for e in LISTS)
        return (f"The copy was read with {reads} ({objects:,} list objects of {self.company_name}); "
                "these reads count in this month's QuickBooks reads.")


def take(reader: QboReader, folder: Path) -> CompanyCopy:
    """The company's lists now: the kept copy brought up to date when it can be, else read anew."""
    before = reader.stats["reads"]
    kept = _load(folder)
    singletons, taken_at = _singletons(reader)
    copy = None
    if kept is not None and kept.realm_id == reader.realm_id and _within_cdc_reach(kept.taken_at, taken_at):
        copy = _changes_since(reader, kept)
    if copy is None:
        copy = CompanyCopy(reader.realm_id, taken_at,
                           {entity: reader.query_all(entity, inactive_too=True) for entity in LISTS})
    copy.lists.update(singletons)
    copy.taken_at = taken_at
    copy.reads = reader.stats["reads"] - before
    _save(folder, copy)
    return copy


def _singletons(reader: QboReader) -> tuple[dict, str]:
    """CompanyInfo and Preferences, and the company's clock as the first answer gave it."""
    info = reader.company(f"companyinfo/{reader.realm_id}")
    preferences = reader.company("preferences")
    return {"CompanyInfo": info["CompanyInfo"], "Preferences": preferences["Preferences"]}, info["time"]


def _within_cdc_reach(then: str, now: str) -> bool:
    return datetime.fromisoformat(now) - datetime.fromisoformat(then) < CDC_REACH - timedelta(hours=1)


def _changes_since(reader: QboReader, kept: CompanyCopy) -> CompanyCopy | None:
    """The kept copy with CDC's changes applied; None when only a full read will do."""
    try:
        changes = reader.cdc(list(LISTS), datetime.fromisoformat(kept.taken_at))
    except QboReadError:       # e.g. beyond CDC's reach by QuickBooks' own clock
        return None
    if sum(len(objects) for objects in changes.values()) >= CDC_CAP:
        return None
    lists = dict(kept.lists)
    for entity, objects in changes.items():
        current = {obj["Id"]: obj for obj in lists.get(entity, [])}
        for obj_id, obj in objects.items():
            if obj.get("status") == "Deleted":
                current.pop(obj_id, None)
            else:
                current[obj_id] = obj
        lists[entity] = list(current.values())
    return CompanyCopy(kept.realm_id, kept.taken_at, lists, how="changes",
                       changed={e: len(o) for e, o in changes.items() if o})


def _load(folder: Path) -> CompanyCopy | None:
    path = folder / KEPT_FILE
    if not path.is_file():
        return None
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        return CompanyCopy(kept["realm_id"], kept["taken_at"], kept["lists"])
    except (ValueError, KeyError, TypeError):
        return None            # an unreadable copy is read again in full


def _save(folder: Path, copy: CompanyCopy) -> None:
    """The company's own data: kept readable by this user only, like the staging database."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEPT_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"realm_id": copy.realm_id, "taken_at": copy.taken_at, "lists": copy.lists}, handle)
