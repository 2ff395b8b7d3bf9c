"""What a finance person approves before a push, as one model: per entity what will be
created, updated, linked and deleted; the hours and amounts per project; the records held
back as Needs Action with the most frequent reasons; and where to see every row.

The Prefect approval form, the run's preview artifact and the console's Sync to QBO
pop-up all show this model, so they cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.models import Record
from qbo_sync.pipeline.preview import CREATE, DELETE, LINK, SKIP, UPDATE, Preview

TOP_REASONS = 5
_CHUNK = 900           # ids per IN (...) list: under SQLite's and PostgreSQL's limits


@dataclass
class EntityPlan:
    name: str
    label: str
    create: int = 0
    update: int = 0
    link: int = 0
    delete: int = 0
    needs_action: int = 0
    other_skips: int = 0    # Failed before, or deleted in the source and kept: not pushed either
    unchanged: int = 0


@dataclass
class ProjectTotal:
    source_id: str
    name: str
    hours: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.source_id})" if self.name and self.name != self.source_id else \
            (self.source_id or "(no project)")


@dataclass
class ApprovalSummary:
    entities: list[EntityPlan]
    projects: list[ProjectTotal]
    needs_action: int
    top_reasons: list[tuple[str, int]]
    console_url: str
    held_back_entities: list[str] = field(default_factory=list)
    # Records written as several QBO objects (a timesheet week): the objects, {"create": n, ...}.
    objects: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def hours(self) -> Decimal:
        return sum((p.hours for p in self.projects), Decimal(0))

    @property
    def amount(self) -> Decimal:
        return sum((p.amount for p in self.projects), Decimal(0))

    def rows_url(self, entity: str, status: str = "") -> str:
        return f"{self.console_url}/e/{entity}" + (f"?status={status}" if status else "")

    def to_markdown(self, artifact_key: str = "sync-preview-rows") -> str:
        lines = ["## Approve the push to QuickBooks?", "", "### What will be written", "",
                 "| Records | Create | Update | Link to existing | Delete | Needs Action | Unchanged |",
                 "|---|--:|--:|--:|--:|--:|--:|"]
        for e in self.entities:
            lines.append(f"| [{e.label}]({self.rows_url(e.name)}) | {e.create:,} | {e.update:,} | {e.link:,} "
                         f"| {e.delete:,} | {e.needs_action:,} | {e.unchanged:,} |")
        for name, n in self.objects.items():
            spec = registry.get(name)
            lines += ["", f"{spec.label} are written as {spec.qbo_entity} objects: {n.get('create', 0):,} to "
                          f"create, {n.get('update', 0):,} to update, {n.get('delete', 0):,} to delete."]
        if self.projects:
            # Only the figures this push carries: no column of zero hours on a bills-only push.
            columns = [(title, figure, fmt) for title, figure, fmt in
                       (("Hours", "hours", hours), ("Amount", "amount", money)) if getattr(self, figure)]
            lines += ["", "### " + " and ".join(t.lower() for t, _, _ in columns).capitalize() + " per project", "",
                      "| Project | " + " | ".join(t for t, _, _ in columns) + " |",
                      "|---|" + "--:|" * len(columns)]
            lines += [f"| {_cell(p.label)} | " + " | ".join(fmt(getattr(p, f)) for _, f, fmt in columns) + " |"
                      for p in self.projects]
            lines.append("| **Total** | " + " | ".join(f"**{fmt(getattr(self, f))}**" for _, f, fmt in columns) + " |")
            if self.amount:
                lines += ["", "Amounts in the company's home currency, as the bills will carry them."]
        lines += ["", f"### Needs Action: {self.needs_action:,} record(s) will not be pushed until fixed"]
        if self.top_reasons:
            lines += [""] + [f"- {n:,} × {_cell(text)}" for text, n in self.top_reasons]
            lines += ["", "See them in the console: " + ", ".join(
                f"[{registry.get(name).label}]({self.rows_url(name, statuses.NEEDS_ACTION)})"
                for name in self.held_back_entities) + "."]
        lines += ["", f"Every record is listed in the console and in the run's artifact `{artifact_key}` "
                      "(Artifacts tab).",
                  "Approve pushes; reject, or no answer before the timeout, ends the run with nothing pushed."]
        return "\n".join(lines)


def hours(value: Decimal) -> str:
    return f"{value:,.2f} h"


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def build(db, preview: Preview, console_url: str) -> ApprovalSummary:
    plans: dict[str, EntityPlan] = {}
    for name, counts in preview.counts().items():
        spec = registry.get(name)
        plans[name] = EntityPlan(name, spec.label, create=counts.get(CREATE, 0), update=counts.get(UPDATE, 0),
                                 link=counts.get(LINK, 0), delete=counts.get(DELETE, 0),
                                 unchanged=counts.get("unchanged", 0))
    pushed = {r.record_id: r.entity for r in preview.rows if r.action in (CREATE, UPDATE, LINK)
              and registry.get(r.entity).totals is not None}
    skipped = [r.record_id for r in preview.rows if r.action == SKIP]
    projects: dict[str, ProjectTotal] = {}
    reasons: Counter[str] = Counter()
    needs_action = 0
    held_back: list[str] = []
    with db.session() as session:
        for record in _records(session, list(pushed), (Record.id, Record.data)):
            for project, h, amount in registry.get(pushed[record.id]).totals(record.data or {}):
                total = projects.setdefault(project, ProjectTotal(project, ""))
                total.hours += h
                total.amount += amount
        for record in _records(session, skipped, (Record.id, Record.entity, Record.status, Record.reasons)):
            if record.status == statuses.NEEDS_ACTION:
                needs_action += 1
                plans[record.entity].needs_action += 1
                reasons.update(statuses.reason_texts(record.reasons))
                if record.entity not in held_back:
                    held_back.append(record.entity)
            else:
                plans[record.entity].other_skips += 1
        # The totals name projects by their source id: show their names (names before ids).
        names = dict(session.execute(select(Record.source_id, Record.name).where(
            Record.entity == registry.PROJECTS.name, Record.source_id.in_([p for p in projects if p]))).all()) \
            if projects else {}
    for project in projects.values():
        project.name = names.get(project.source_id, "")
    return ApprovalSummary(
        entities=[plans[name] for name in registry.ENTITIES if name in plans],
        projects=sorted(projects.values(), key=lambda p: (p.name or p.source_id).lower()),
        needs_action=needs_action, top_reasons=reasons.most_common(TOP_REASONS),
        console_url=console_url.rstrip("/"),
        held_back_entities=[name for name in registry.ENTITIES if name in held_back],
        objects=dict(preview.objects))


def _records(session, ids: list[int], columns: tuple):
    for start in range(0, len(ids), _CHUNK):
        yield from session.execute(select(*columns).where(Record.id.in_(ids[start:start + _CHUNK])))
