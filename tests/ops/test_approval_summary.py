"""What a finance person approves: the approval summary on the demo company (CSV source,
staging on SQLite and PostgreSQL, QBO lists from the local sandbox), its figures checked
against the source files themselves."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from decimal import Decimal

from qbo_sync import statuses, views
from qbo_sync.ops.approval import preview_summary
from qbo_sync.ops.approval_summary import build
from qbo_sync.pipeline import stages

ALL = ["projects", "cost_codes", "employees", "vendors", "timesheets", "vendor_bills"]


def _expected_totals(source, to_push: dict[str, set[str]]) -> dict[str, tuple[Decimal, Decimal]]:
    """Hours and line amounts per project, summed from the CSV files for the records to push."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in source.frame("timesheets").to_dict("records"):
        if row["entry_id"] in to_push["timesheets"]:
            totals[row["project_id"]][0] += sum(Decimal(row[d] or "0") for d in
                                                ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    bills = {b["bill_id"]: b for b in source.frame("vendor_bills").to_dict("records")}
    for line in source.frame("vendor_bill_lines").to_dict("records"):
        if line["bill_id"] in to_push["vendor_bills"]:
            project = line.get("project_id") or bills[line["bill_id"]]["project_id"]
            totals[project][1] += Decimal(line["amount"])
    return {p: (h, a) for p, (h, a) in totals.items()}


def test_the_approval_summary_shows_hours_and_amounts_per_project_and_what_is_held_back(res, source):
    stages.run_import(res, ALL, "new")
    stages.run_validate(res, ALL)
    stages.run_map(res, ALL)
    preview = stages.run_preview(res, ALL)
    summary = build(res.db, preview, "https://console.example.com/")

    to_push = defaultdict(set)
    for row in preview.rows:
        if row.action in ("create", "update"):
            to_push[row.entity].add(row.source_id)
    expected = _expected_totals(source, to_push)
    assert expected and any(a for _, a in expected.values()) and any(h for h, _ in expected.values())
    # Named as the console and QuickBooks name them (the cleaned name: "A: B" becomes "A - B").
    names = {r["source_id"]: r["name"] for r in views.status_rows(res.db, "projects")}
    shown = {p.source_id: (p.hours, p.amount) for p in summary.projects}
    assert shown == expected
    assert {p.source_id: p.name for p in summary.projects} == {p: names[p] for p in expected}
    assert summary.hours == sum(h for h, _ in expected.values())
    assert summary.amount == sum(a for _, a in expected.values())

    # Per entity, readable labels and the preview's own counts; Needs Action as `status` lists it.
    by_entity = {e.name: e for e in summary.entities}
    assert [e.label for e in summary.entities] == ["Projects", "Cost codes", "Employees", "Vendors",
                                                   "Timesheets", "Vendor bills"]
    for name, counts in preview.counts().items():
        assert (by_entity[name].create, by_entity[name].update, by_entity[name].delete) == \
            (counts["create"], counts["update"], counts["delete"])
    needing = [r for r in views.status_rows(res.db) if r["status"] == statuses.label(statuses.NEEDS_ACTION)]
    assert summary.needs_action == len(needing) > 0
    for name in ALL:
        assert by_entity[name].needs_action == sum(1 for r in needing if r["entity"] == name)
    reasons = Counter(text for r in needing for text in r["reasons"])
    assert summary.top_reasons[0][1] == reasons.most_common(1)[0][1]

    markdown = summary.to_markdown()
    assert "| [Vendor bills](https://console.example.com/e/vendor_bills) |" in markdown
    assert "vendor_bills |" not in markdown
    biggest = max(summary.projects, key=lambda p: p.amount)
    assert f"| {biggest.name} ({biggest.source_id}) |" in markdown
    assert f"{biggest.amount:,.2f} |" in markdown and "," in f"{summary.amount:,.2f}"
    assert f"### Needs Action: {summary.needs_action:,} record(s)" in markdown
    assert "https://console.example.com/e/timesheets?status=needs_action" in markdown
    # The approval form's text is this summary, with the console's address from the settings.
    assert preview_summary(res, preview) == build(res.db, preview, res.settings.console.public_url).to_markdown()
    json.dumps(markdown)   # the form's description travels as JSON
