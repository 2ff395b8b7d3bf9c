"""The registry of entities, in the order their records are pushed."""

from __future__ import annotations

from qbo_sync.entities.base import EntitySpec
from qbo_sync.entities.projects import PROJECTS

ENTITIES: dict[str, EntitySpec] = {spec.name: spec for spec in (PROJECTS,)}


def get(name: str) -> EntitySpec:
    try:
        return ENTITIES[name]
    except KeyError:
        raise ValueError(f"unknown entity {name!r}: use one of {', '.join(ENTITIES)}") from None


def resolve(names: list[str] | None) -> list[EntitySpec]:
    """The entities asked for (all when none), in dependency order."""
    specs = [get(n) for n in names] if names else list(ENTITIES.values())
    ordered: list[EntitySpec] = []

    def visit(spec: EntitySpec) -> None:
        if spec in ordered:
            return
        for dep in spec.depends_on:
            if dep in ENTITIES and ENTITIES[dep] in specs:
                visit(ENTITIES[dep])
        ordered.append(spec)

    for spec in specs:
        visit(spec)
    return ordered
