"""An entity is a declaration: its key, its QBO target, its payload mapping, its suite.

The staging core (import, validate, map, preview, push) is written once against
EntitySpec; adding an entity means one module in this package plus its suite in
validations/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:   # a type only: listing entities must not load the settings machinery
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
    mappings: Any = None                      # qbo_sync.mappings.Mappings
    # The QBO objects of the records this one points at: (entity, source id) -> object.
    refs: dict[tuple[str, str], "RefTarget"] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)   # QBO account/class name -> id

    def ref(self, entity: str, source_id: str) -> "RefTarget":
        return self.refs[(entity, source_id)]


@dataclass(frozen=True)
class RefTarget:
    """A staged record another record points at, and where it is in QBO (if anywhere)."""

    entity: str
    source_id: str
    name: str
    status: str
    qbo_id: str | None
    qbo_entity: str
    data: dict = field(default_factory=dict, compare=False)
    sub_customer: bool = False   # a project linked to an existing sub-customer, not a QBO project


class PayloadError(ValueError):
    """A record that cannot become a QBO body as things stand: Needs Action, with this reason."""


@dataclass(frozen=True)
class LinkRule:
    """A permanent link every record of an entity needs before it can be pushed."""

    role: str                 # "customer"
    qbo_entity: str           # the QBO list the link points into
    match_column: str         # the source column whose value suggests a match by name
    missing_reason: str       # the Needs Action reason while the link is missing
    # Only objects at the top of their list (not a job or project under a customer): linking a
    # project to a sub-customer would make it a third-level job, which cannot be undone.
    top_level_only: bool = False


@dataclass(frozen=True)
class Column:
    """One column of the console's list, as a finance person reads it.

    value(row, listed) reads the staged source row (and, for what QBO keeps such as a bill's
    balance or a cost code's target, the record's QBO state and the mappings). A `ref` column holds the source id of another
    entity's record, shown by that record's name; a `total` column is summed over the
    records matching the console's filter: by the database when `sums` names where the numbers
    are ("data.mon": a source field; "qbo_objects.balance.balance"), else row by row.
    """

    header: str
    value: Callable[[dict, "Listed"], Any]
    kind: str = "text"            # text | money | hours | date | flag
    ref: str | None = None        # the entity whose record name stands for the id
    total: bool = False
    sums: tuple[str, ...] = ()    # JSON paths whose sum is the total, summed by the database
    width: str = ""               # a CSS width class: "narrow" (hours), "total", "state" (a payment state), "medium" or "wide" (names)


@dataclass(frozen=True)
class Listed:
    """What a console column may read besides the source row."""

    qbo_objects: dict = field(default_factory=dict)   # Record.qbo_objects
    mappings: Any = None                               # qbo_sync.mappings.Mappings


@dataclass(frozen=True)
class PaymentsRule:
    """Payments QuickBooks applies to an entity's objects (a bill paid by check), pulled back.

    The payment's lines link the object (Line[].LinkedTxn with TxnType = the entity's QBO
    target); the object's Balance is what is still open.
    """

    qbo_entity: str                            # "BillPayment"
    methods: dict[str, str]                    # the payment's PayType -> how finance says it
    payee: Callable[[dict], str]               # row -> the source id of whom it pays (a vendor)
    payee_entity: str                          # the entity those ids are records of ("vendors")


def field_column(header: str, key: str, **options) -> Column:
    """A column showing one source field as it is."""
    return Column(header, lambda row, _qbo: row.get(key, ""), **options)


@dataclass(frozen=True)
class SourceTable:
    """A logical table every source provides (docs/source-format.md): its columns in their
    documented order, those a source must have, the key, and how its rows are ordered."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    key: str
    # Columns after the key that order its rows, numbers numerically: a bill's lines by line_no.
    order_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class FindAgain:
    """How a create whose answer was lost (it may have reached QBO) is found in QBO again.

    QBO is queried on `field` with the values our bodies carry (`batch` values a query: 1
    asks `field = value`); an object whose `same` equals our body's, and that no other record
    already holds, is the record's own earlier write: adopted, never created twice."""

    field: str                                # "DocNumber", "TxnDate"
    same: Callable[[dict], tuple | None]      # computed alike on our body and on QBO's object
    batch: int = 30


@dataclass(frozen=True)
class EntitySpec:
    name: str                                 # "projects": the source table and suite name
    label: str                                # "Projects", as the console's tab says
    key: str                                  # the source id column
    qbo_entity: str                           # the QBO entity a record becomes
    display_name: Callable[[dict], str]       # the name users see for a record
    payload: Callable[[dict, PayloadContext], dict]   # source row -> QBO JSON body
    list_columns: tuple[str, ...] = ()        # the entity's own columns in lists
    # The console's columns, names before ids (none: the name and list_columns as they are).
    columns: tuple[Column, ...] = ()
    links: tuple[LinkRule, ...] = ()
    depends_on: tuple[str, ...] = ()          # entities pushed before this one
    # How a record is written: "rest" (the v3 API) or "project" (the GraphQL Project API).
    writer: Callable[[SyncSettings], str] = lambda _sync: "rest"
    # A record of a non-REST writer linked to a plain REST object (a project linked to an existing
    # sub-customer): its body -> the REST fields that object takes. None: never linked so.
    rest_fields: Callable[[dict], dict] | None = None
    # The QBO field that names an object uniquely; before a create, an existing QBO object
    # with the same name (and the same parent) is adopted instead of duplicated.
    natural_key: str | None = "DisplayName"
    # The natural key of a QBO object this entity writes, computed alike on our body and on
    # QBO's object (None: no key). Before a create, an object QBO holds with the same key is
    # adopted (pipeline/adoption.py): the record's own earlier write, found again.
    write_key: Callable[[dict], tuple | None] | None = None
    # How a create left in doubt by a crash is found again (None: by natural_key, as every create).
    find_again: FindAgain | None = None
    # Records that point at other records: row -> [(entity, source id)], e.g. a timesheet's
    # employee, project and cost code. They must be in QBO before this record is pushed.
    refs: Callable[[dict], list[tuple[str, str]]] = lambda _row: []
    # The QBO entity of one record, when it depends on the mapping (cost codes).
    qbo_entity_of: Callable[[dict, Any], str] | None = None
    # Records that become several QBO objects: row -> {part key: QBO body}; each part is
    # created, updated or deleted on its own and tracked in Record.qbo_objects.
    parts: Callable[[dict, PayloadContext], dict[str, dict]] | None = None
    # The source table's columns in their documented order, and those a source must have.
    source_columns: tuple[str, ...] = ()
    required_columns: tuple[str, ...] = ()
    child: SourceTable | None = None          # lines, staged inside the record as data["lines"]
    suite_parameters: tuple[str, ...] = ()    # known_* lists the suite needs
    # The QBO tracking its objects carry from the classes/locations mapping, checked against
    # the company's Preferences before a run writes: "class" (one per object), "line class"
    # (one per line, which may differ within an object), "location".
    tracking: tuple[str, ...] = ()
    pulls: tuple[str, ...] = ()               # QBO reference lists map needs fresh
    # What a finance person approves: row -> [(project source id, hours, amount)], the hours
    # and money one record puts on each project (timesheets, vendor bills); none for lists.
    totals: Callable[[dict], list[tuple[str, Decimal, Decimal]]] | None = None
    # A record deleted in the source: mappings -> whether its QBO objects are deleted too
    # (the entity's `delete_in_qbo_when_deleted_in_source`). None: they are kept, and reported.
    delete_rule: Callable[[Any], bool] | None = None
    # QBO keeps an open balance on its objects (payments lower it): reconcile reads it back
    # every time, since a payment changes it without the object showing in CDC.
    reads_balance: bool = False
    # Fields QuickBooks changes itself when other transactions link the object (a purchase
    # order's POStatus and LinkedTxn once a bill receives it). A new version that differs from
    # our last write only in these is not a change in QuickBooks to review.
    qbo_keeps: tuple[str, ...] = ()
    # One record as a message names it before its id: "Employee E7 (Ann Lee) is not in QuickBooks".
    noun: str = ""
    # The suite parameter that lists this entity's staged ids, for other suites' referential checks.
    known_ids_parameter: str | None = None
    # What a record puts into QuickBooks, as finance counts it: row -> {"hours": 40.0} or
    # {"amount": 1250.0}; the report names it when the record is deleted in the source.
    measures: Callable[[dict], dict[str, float]] = lambda _row: {}
    # Payments QuickBooks applies to its objects, pulled back and shown (pipeline/payments.py);
    # a record paid there is never written over.
    payments: PaymentsRule | None = None
    # The source column naming the record's document, a file under the source folder, attached
    # in QuickBooks to the object once it is written (pipeline/documents.py). Not part of the
    # record's content: a new document does not change the object.
    document: str | None = None
    # How the map stage finds a pending record's QBO object before any write (pipeline/matching.py):
    # "references" (the records it points at must be in QBO), "name" (a person, by name, in
    # QuickBooks' shared name lists), "target" (the existing item, account or class its mapping
    # names is linked instead of created).
    matched_by: str = "references"

    def target(self, row: dict, mappings: Any) -> str:
        return self.qbo_entity_of(row, mappings) if self.qbo_entity_of else self.qbo_entity

    @property
    def suite(self) -> str:
        return self.name

    @property
    def child_table(self) -> str | None:
        return self.child.name if self.child else None

    @property
    def source_tables(self) -> tuple[SourceTable, ...]:
        """The record's own table, then its child table (if any)."""
        own = SourceTable(self.name, self.source_columns, self.required_columns, self.key)
        return (own, self.child) if self.child else (own,)
