"""The run report model (pure): every rendering has the delete columns and the deleted section,
source values stay text, and reports stored by earlier versions still render."""

from __future__ import annotations

import csv
import io

from qbo_sync.ops.report_files import to_csv, to_html
from qbo_sync.pipeline.report import to_markdown, to_text

REPORT = {
    "flow_run_id": "r1", "approved": True, "imports": ["timesheets: read 2, 1 no longer in the source"],
    "preview": {"timesheets": {"create": 0, "update": 0, "delete": 1, "skip": 0, "unchanged": 1}},
    "pushed": [{"entity": "timesheets", "created": 0, "updated": 0, "deleted": 5, "failed": 0}],
    "deleted_in_source": [{"entity": "timesheets", "source_id": "T-1", "name": "<b>Maria</b> · week 1",
                           "qbo_id": "11, 12, 13, 14, 15", "what": "deleted in the source; deleted in QBO",
                           "objects": 5, "hours": 40.0, "qbo_entity": "TimeActivity"},
                          {"entity": "vendor_bills", "source_id": "B-1", "name": "INV-1 (V-1)", "qbo_id": "77",
                           "what": "deleted in the source; kept in QBO by rule", "objects": 1, "amount": 1234.5}],
    "totals": [{"project": "P-1", "name": "Harbor Lofts", "hours": 1240.5, "amount": 98765.4}],
    "counts": {"timesheets": {"Needs Sync": 0, "Needs Action": 0, "Synced": 1, "Failed": 0}},
    "problems": [],
}


def test_every_rendering_has_the_deleted_section_with_its_figures_and_totals():
    page, markdown = to_html(REPORT), to_markdown(REPORT)
    for title in ("Imported", "Preview", "Pushed to QuickBooks", "Deleted in the source",
                  "Job cost pushed per project", "Status"):
        assert f"<h2>{title}</h2>" in page and f"## {title}" in markdown
    assert "<th class=n>Delete</th>" in page and "<th class=n>Deleted</th>" in page
    assert "&lt;b&gt;Maria&lt;/b&gt;" in page and "<b>Maria" not in page
    assert "| Timesheets | &lt;b&gt;Maria&lt;/b&gt; · week 1 | T-1 |" in markdown
    assert "| Timesheets | <b>Maria</b> · week 1 | T-1 |" in to_text(REPORT)
    assert "| **Total** |  |  |  |  | **6** | **40.00** | **1,234.50** |" in markdown
    # Job cost: hours, labour cost (none given here), bill amount, and their sum.
    assert ("<td>Harbor Lofts</td><td>P-1</td><td class=n>1,240.50</td><td class=n>0.00</td>"
            "<td class=n>98,765.40</td><td class=n>98,765.40</td>") in page
    rows = list(csv.DictReader(io.StringIO(to_csv(REPORT))))
    deleted = [r for r in rows if r["section"] == "deleted in the source"]
    assert {(r["entity"], r["measure"], r["value"]) for r in deleted if r["source_id"] == "T-1"} >= {
        ("Timesheets", "objects", "5"), ("Timesheets", "hours", "40.0")}
    assert {(r["measure"], r["value"]) for r in deleted if r["entity"] == "Total"} == {
        ("objects", "6"), ("hours", "40.0"), ("amount", "1234.5")}
    assert page.count("<svg") == 3 and "<script" not in page and "http" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_a_report_stored_by_an_earlier_version_still_renders():
    old = {"flow_run_id": "r0", "approved": False, "outcome": "rejected", "preview": {"projects": {"create": 1}},
           "pushed": [{"entity": "projects", "created": 1, "updated": 0, "failed": 0}],
           "deleted_in_source": [{"entity": "vendor_bills", "source_id": "B-9", "name": "X", "qbo_id": None,
                                  "what": "deleted in the source; deleted in QBO"}],
           "totals": [{"project": "P-1", "hours": 2.0, "amount": 0.0}],
           "counts": {"projects": {"Needs Sync": 1, "Needs Action": 0, "Synced": 1, "Failed": 0}}, "problems": []}
    assert "Rejected: nothing was pushed" in to_html(old) and "Rejected: nothing was pushed" in to_markdown(old)
    assert "| Vendor bills | X | B-9 |  | deleted in the source; deleted in QBO | 0 | 0.00 | 0.00 |" in to_markdown(old)
    assert to_csv(old).count("\n") > 10
