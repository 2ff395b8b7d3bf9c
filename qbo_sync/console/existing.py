"""Link to the existing QuickBooks vendor": the answer to QBO's duplicate-name refusal (6240).

QBO keeps customer, vendor and employee names unique across the three lists, inactive ones
included; the sync adopts an active object of the same name and list by itself, so what is
left here is an inactive one, or one in another list (which cannot be linked: renaming is).
"""

from __future__ import annotations

from dataclasses import dataclass

from qbo_sync.entities.base import EntitySpec
from qbo_sync.pipeline.mapping import MappingError
from qbo_sync.pipeline.recovery import quote
from qbo_sync.resources import Resources

NAME_LISTS = ("Customer", "Vendor", "Employee")


@dataclass(frozen=True)
class Linked:
    qbo_entity: str
    qbo_id: str
    name: str


def _named(res: Resources, qbo_entity: str, name: str) -> list[dict]:
    # Active IN (true, false): QBO lists only active objects unless asked.
    query = (f"SELECT * FROM {qbo_entity} WHERE DisplayName = {quote(name)} "
             "AND Active IN (true, false) MAXRESULTS 10")
    return res.reader.query(query).get("QueryResponse", {}).get(qbo_entity, [])


def link_by_name(res: Resources, spec: EntitySpec, record_id: int) -> Linked:
    from sqlalchemy import select

    from qbo_sync.db.models import Record
    from qbo_sync.pipeline import mapping

    with res.db.session() as session:
        record = session.scalar(select(Record).where(Record.id == record_id))
    name = record.name
    same_list = _named(res, spec.qbo_entity, name)
    if len(same_list) == 1:
        found = same_list[0]
        mapping.link_existing(res.db, spec, record.source_id, found["Id"], found)
        return Linked(spec.qbo_entity, found["Id"], found.get("DisplayName") or name)
    if len(same_list) > 1:
        raise MappingError(f"QuickBooks has several {spec.qbo_entity.lower()}s named \"{name}\": "
                           "use Manual Mapping to choose one")
    for other in NAME_LISTS:
        if other != spec.qbo_entity and _named(res, other, name):
            raise MappingError(f"QuickBooks' \"{name}\" is a {other.lower()}, not a {spec.qbo_entity.lower()}: "
                               "it cannot be linked; rename this record in the source system")
    raise MappingError(f"QuickBooks has no {spec.qbo_entity.lower()} named \"{name}\" any more: "
                       "retry the record")
