"""How a user names a staged record: its number (12 or #12), ENTITY/SOURCE_ID (or
ENTITY:SOURCE_ID), or a source id that only one record has. One rule for the pipeline's
lookup (qbo_sync.pipeline.records.find) and the read-only views' (qbo_sync.views)."""

from __future__ import annotations

from dataclasses import dataclass

from qbo_sync.sources.schema import TABLES


class RecordNotFound(Exception):
    pass


@dataclass(frozen=True)
class RecordRef:
    text: str
    number: int | None        # try this record number first
    entity: str | None        # then, when the text is ENTITY/ID, exactly that record
    source_id: str            # else the record whose source id is the whole text

    def missing_in_entity(self) -> RecordNotFound:
        return RecordNotFound(f"no staged {self.entity} record with id {self.source_id}")

    def one_of(self, matches: list, label=lambda m: f"{m.entity}/{m.source_id}"):
        """The only match of a source-id lookup; label(match) names one as ENTITY/ID."""
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            options = ", ".join(label(m) for m in matches)
            raise RecordNotFound(f"{self.text!r} names several records ({options}): say which, as ENTITY/ID")
        raise RecordNotFound(f"no staged record {self.text!r} (give a record number, ENTITY/SOURCE_ID "
                             "or a source id)")


def parse(text: str) -> RecordRef:
    text = text.strip()
    number = text.removeprefix("#")
    for separator in ("/", ":"):
        entity, sep, source_id = text.partition(separator)
        if sep and entity in TABLES:
            return RecordRef(text, int(number) if number.isdigit() else None, entity, source_id)
    return RecordRef(text, int(number) if number.isdigit() else None, None, text)
