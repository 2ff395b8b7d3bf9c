"""The mapping settings (the "Mapping tab"): how source records become QBO objects.

Read from a YAML file like the settings: $QBO_SYNC_MAPPINGS, else mappings.yaml beside
the settings file, else the defaults below (which qbo_sync/defaults/mappings.yaml, the file
`qbo-sync init` writes, repeats). Never from the working directory alone: the settings file
in use decides. A bad key or value is a MappingsError that names it. docs/mapping.md
describes every key.
"""

from __future__ import annotations

import os
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Literal, get_args, get_origin

import msgspec

SHIPPED = Path(__file__).resolve().parent / "defaults" / "mappings.yaml"
Target = Literal["item", "account", "class"]
QBO_ENTITY = {"item": "Item", "account": "Account", "class": "Class"}


class MappingsError(ValueError):
    """Mapping settings that cannot be used; the message names the bad key."""


class _Section(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A section of the file: an unknown key is refused, as a typo would otherwise be ignored.
    msgspec, not pydantic as the settings use: `mapping show` is a read-only verb that must
    answer at once, and pydantic's import and schema building alone took longer than that."""


class CostCodeOverride(_Section):
    target: Target | None = None     # None: the type's target
    name: str | None = None          # the QBO object's name; an existing one is linked


_NO_OVERRIDE = CostCodeOverride()
_TYPE_TARGETS = {"Labor": "item", "Material": "account", "Equipment": "account", "Subcontract": "account",
                 "Other": "class"}


class CostCodeMapping(_Section):
    by_type: dict[str, Target] = msgspec.field(default_factory=lambda: dict(_TYPE_TARGETS))
    default_target: Target = "account"          # a type not listed in by_type
    name_template: str = "{name}"               # placeholders: {code}, {name}, {type}
    overrides: dict[str, CostCodeOverride] = msgspec.field(default_factory=dict)  # by cost code
    item_income_account: str = "Construction Income"
    item_expense_account: str = "Cost of Labor"
    account_type: str = "Cost of Goods Sold"    # for expense accounts the sync creates

    def target_of(self, row: dict) -> tuple[str, str]:
        """(QBO entity, name) a cost code row maps to."""
        from qbo_sync.entities.names import clean_name

        override = self.overrides.get(row.get("code", "")) or _NO_OVERRIDE
        target = override.target or self.by_type.get(row.get("type", ""), self.default_target)
        name = override.name or self.name_template.format_map(_Blank(row))
        # Account names may not hold '"' either (QBO error 6000).
        name = clean_name(name).replace('"', "'") if target == "account" else clean_name(name)
        return QBO_ENTITY[target], name[:100]


class PeopleMapping(_Section):
    create_missing: bool = True   # False: a record without a QBO match is Needs Action


class TimesheetMapping(_Section):
    default_billable: bool = False                               # when the entry says nothing
    hourly_rate_from: Literal["entry", "employee", "none"] = "entry"
    description_template: str = "{description}"   # {description} {cost_code} {cost_code_name} {project} {entry_id}
    class_name: str = ""                                         # a QBO class for all time; "" none
    # A weekly entry deleted in the source: delete its TimeActivities in QBO too (else kept, and reported).
    delete_in_qbo_when_deleted_in_source: bool = False


class BillMapping(_Section):
    class_expense_account: str = "Job Materials"   # lines whose cost code maps to a class
    delete_in_qbo_when_deleted_in_source: bool = False


class ClassMapping(_Section):
    """QBO classes for job costing: bill lines and time carry the class of their cost code."""

    by_type: dict[str, str] = msgspec.field(default_factory=dict)       # cost code type -> class name
    by_cost_code: dict[str, str] = msgspec.field(default_factory=dict)  # cost code -> class name; wins

    def class_of(self, cost_code: dict) -> str:
        """The class name a cost code row maps to ("" none)."""
        return self.by_cost_code.get(cost_code.get("code", "")) or self.by_type.get(cost_code.get("type", ""), "")

    def named(self) -> dict[str, str]:
        """{setting: class name} of every class the mapping names, for checks before a run."""
        return {**{f"classes.by_type.{k}": v for k, v in self.by_type.items() if v},
                **{f"classes.by_cost_code.{k}": v for k, v in self.by_cost_code.items() if v}}


class LocationMapping(_Section):
    """QBO locations (Departments): a bill carries the location of its project."""

    by_project: dict[str, str] = msgspec.field(default_factory=dict)    # project id -> location name
    default: str = ""                                                    # other projects; "" none

    def location_of(self, project_id: str) -> str:
        return self.by_project.get(project_id or "", "") or self.default

    def named(self) -> dict[str, str]:
        found = {f"locations.by_project.{k}": v for k, v in self.by_project.items() if v}
        return {**found, "locations.default": self.default} if self.default else found


class Mappings(_Section):
    cost_codes: CostCodeMapping = msgspec.field(default_factory=CostCodeMapping)
    employees: PeopleMapping = msgspec.field(default_factory=PeopleMapping)
    vendors: PeopleMapping = msgspec.field(default_factory=PeopleMapping)
    timesheets: TimesheetMapping = msgspec.field(default_factory=TimesheetMapping)
    vendor_bills: BillMapping = msgspec.field(default_factory=BillMapping)
    classes: ClassMapping = msgspec.field(default_factory=ClassMapping)
    locations: LocationMapping = msgspec.field(default_factory=LocationMapping)
    path: str = "(defaults)"   # where they were read from; not a setting

    @classmethod
    def parse(cls, content: dict, path: str = "(defaults)") -> "Mappings":
        """Mappings from a file's content (a dict of sections). A MappingsError names every
        bad key, as `cost_codes.by_type.Labor: Invalid enum value 'widget'`."""
        problems = _problems(content, cls, "", top=True)
        if problems:
            raise MappingsError(f"{path}: " + "; ".join(problems))
        return msgspec.convert({**content, "path": path}, cls)

    def as_dict(self) -> dict:
        """The effective settings, as the file would hold them."""
        content = msgspec.to_builtins(self)
        content.pop("path")
        return content


def replace(section, **changes):
    """A copy of a section (or of the whole Mappings) with some values changed."""
    return msgspec.structs.replace(section, **changes)


def _problems(value, kind, where: str, top: bool = False) -> list[str]:
    """Every bad key under `where` (msgspec itself stops at the first, and names a dict's
    entries only as `[...]`)."""
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        if not isinstance(value, dict):
            return [f"{where or 'the file'}: expected a mapping of keys to values"]
        fields = {f.name: f.type for f in msgspec.structs.fields(kind) if not (top and f.name == "path")}
        found = []
        for key, item in value.items():
            at = f"{where}.{key}" if where else str(key)
            found += _problems(item, fields[key], at) if key in fields else [f"{at}: unknown setting"]
        return found
    if get_origin(kind) is dict and isinstance(value, dict):
        return [problem for key, item in value.items() for problem in _problems(item, get_args(kind)[1], f"{where}.{key}")]
    try:
        msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        return [f"{where}: {str(exc).split(' - at ')[0]}"]
    return []


class _Blank(dict):
    """format_map source: an unknown placeholder stays visible instead of raising."""

    def __missing__(self, key):
        return "{" + key + "}"


def find_path(settings_file: Path | None = None) -> Path | None:
    from_env = os.environ.get("QBO_SYNC_MAPPINGS")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise MappingsError(f"mappings file not found: {path} (from QBO_SYNC_MAPPINGS)")
        return path
    if settings_file is not None and (Path(settings_file).parent / "mappings.yaml").is_file():
        return Path(settings_file).parent / "mappings.yaml"
    return None


def load_mappings(path: str | os.PathLike | None = None) -> Mappings:
    """Read and check a mappings file (None: the defaults)."""
    from qbo_sync.settings_file import SettingsError, read_yaml

    if path is None:
        return Mappings()
    path = Path(path)
    if not path.is_file():
        raise MappingsError(f"mappings file not found: {path}")
    try:   # the settings file's reader: bad YAML, an unreadable file or a list named in one line
        content = read_yaml(path) or {}
    except SettingsError as exc:
        raise MappingsError(str(exc)) from None
    return Mappings.parse(content, path=str(path))


def for_resources(res) -> Mappings:
    """The mappings of a Resources' settings, read once per Resources."""
    found = getattr(res, "_mappings", None)
    if found is None:
        found = load_mappings(find_path(getattr(type(res.settings), "yaml_file", None)))
        res._mappings = found
    return found


def use(res, mappings: Mappings) -> None:
    """Give a Resources these mappings (tests, and callers that build them in code)."""
    res._mappings = mappings


def hours_minutes(hours: str | float | Decimal) -> tuple[int, int]:
    """Decimal hours as QBO's Hours and Minutes, rounded to the nearest minute (half up).

    7.25 -> (7, 15); 7.333 -> (7, 20); 0.9999 -> (1, 0). Negative or non-numbers raise
    ValueError (validation has already refused them).
    """
    try:
        value = Decimal(str(hours).strip())
    except InvalidOperation:
        raise ValueError(f"{hours!r} is not a number of hours") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{hours!r} is not a number of hours from 0")
    minutes = int((value * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return divmod(minutes, 60)
