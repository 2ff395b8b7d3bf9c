"""An entity is a declaration: its key, its QBO target, its payload mapping, its suite.

The staging core (import, validate, map, preview, push) is written once against
EntitySpec; adding an entity means one module in this package plus its suite in
validations/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from qbo_sync.settings import SyncSettings


@dataclass(frozen=True)
class LinkedObject:
    """The QBO object a staged record is permanently linked to, for one role."""

    qbo_id: str
    name: str


@dataclass(frozen=True)
class PayloadContext:
    """What a payload mapping may read besides the record's own source row."""

    sync: SyncSettings
    links: dict[str, LinkedObject] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkRule:
    """A permanent link every record of an entity needs before it can be pushed."""

    role: str                 # "customer"
    qbo_entity: str           # the QBO list the link points into
    match_column: str         # the source column whose value suggests a match by name
    missing_reason: str       # the Needs Action reason while the link is missing


@dataclass(frozen=True)
class EntitySpec:
    name: str                                 # "projects": the source table and suite name
    label: str                                # "Projects", as the console's tab says
    key: str                                  # the source id column
    qbo_entity: str                           # the QBO entity a record becomes
    display_name: Callable[[dict], str]       # the name users see for a record
    payload: Callable[[dict, PayloadContext], dict]   # source row -> QBO JSON body
    list_columns: tuple[str, ...] = ()        # the entity's own columns in lists
    links: tuple[LinkRule, ...] = ()
    depends_on: tuple[str, ...] = ()          # entities pushed before this one
    # How a record is written: "rest" (the v3 API) or "project" (the GraphQL Project API).
    writer: Callable[[SyncSettings], str] = lambda _sync: "rest"
    # The QBO field that names an object uniquely; before a create, an existing QBO object
    # with the same name (and the same parent) is adopted instead of duplicated.
    natural_key: str | None = "DisplayName"

    @property
    def suite(self) -> str:
        return self.name
