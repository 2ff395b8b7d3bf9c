"""Pure parts of operations: report files, schedules, nightly approval, companies, notices."""

from __future__ import annotations

import csv
import io

import pytest

from qbo_sync.ops.approval import scheduled_approval
from qbo_sync.ops.companies import company_values
from qbo_sync.ops.deployments import cron_for
from qbo_sync.ops.notify import notice_for_report
from qbo_sync.ops.report_files import safe_cell, to_csv, to_html
from qbo_sync.pipeline.preview import Preview, PreviewRow
from qbo_sync.settings import ScheduleSettings, SettingsError, load_settings

HOSTILE = {
    "flow_run_id": "abc", "approved": True, "note": "", "imports": [],
    "preview": {"projects": {"create": 1, "update": 0, "skip": 1}},
    "pushed": [{"entity": "projects", "created": 1, "updated": 0, "failed": 0}],
    "totals": [{"project": "P-1", "hours": 12.5, "amount": 100.0}],
    "counts": {"projects": {"Needs Sync": 0, "Needs Action": 1, "Synced": 1, "Failed": 0}},
    "problems": [{"entity": "projects", "source_id": "=HYPERLINK(\"http://x\")", "name": "<script>alert(1)</script>",
                  "status": "Needs Action", "reasons": ["@SUM(A1) is not a name", "-2+3"]}],
}


def test_html_report_escapes_source_values():
    page = to_html(HOSTILE)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Needs your attention" in page and "12.5" in page


def test_csv_report_neutralises_formulas_and_keeps_the_text():
    rows = list(csv.DictReader(io.StringIO(to_csv(HOSTILE))))
    problem = next(r for r in rows if r["section"] == "needs attention")
    assert problem["source_id"] == "'=HYPERLINK(\"http://x\")"
    assert problem["what_to_fix"] == "'@SUM(A1) is not a name; -2+3"
    assert problem["name"] == "<script>alert(1)</script>"   # plain text in a CSV: no formula, kept as is
    for row in rows:
        for value in row.values():
            assert not (value or "").startswith(("=", "+", "-", "@")), value
    hours = next(r for r in rows if r["section"] == "pushed per project" and r["measure"] == "hours")
    assert (hours["project"], hours["value"]) == ("P-1", "12.5")


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A", "'@A"),
                                              ("\t=1", "'\t=1"), ("a=1", "a=1"), ("", ""), (None, ""), (3, "3")])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_schedule_settings_become_cron():
    assert cron_for(ScheduleSettings()) == "0 2 * * *"
    assert cron_for(ScheduleSettings(every="weekly", at="23:30", weekday="fri")) == "30 23 * * 5"
    assert cron_for(ScheduleSettings(every="cron", cron="15 1 * * 1-5")) == "15 1 * * 1-5"


@pytest.mark.parametrize("bad, named", [({"every": "cron"}, "schedule.cron"), ({"at": "25:00"}, "schedule.at"),
                                        ({"every": "hourly"}, "schedule.every")])
def test_bad_schedule_is_a_clear_error(bad, named):
    with pytest.raises(SettingsError, match=named.replace(".", r"\.")):
        load_settings(None, schedule=bad)


def test_nightly_approval_rule():
    creates = Preview(rows=[PreviewRow("projects", 1, "P-1", "One", "create", None, "")])
    assert scheduled_approval(creates, "always") is True
    assert scheduled_approval(creates, "no-deletes") is True
    deletes = Preview(rows=[PreviewRow("vendor_bills", 2, "B-1", "Bill", "delete", "12", "")])
    assert scheduled_approval(deletes, "no-deletes") is False
    assert scheduled_approval(deletes, "always") is True


def test_each_company_has_its_own_realm_database_rules_and_schedule(tmp_path):
    settings = load_settings(None, data_dir=tmp_path, companies={
        "north": {"realm_id": "111", "sync": {"project_mode": "customer"}, "schedule": {"at": "01:00"}},
        "south": {"realm_id": "222", "database_url": "postgresql+psycopg://x/south"}})
    north, south = company_values(settings, "north"), company_values(settings, "south")
    assert (north["qbo"]["realm_id"], south["qbo"]["realm_id"]) == ("111", "222")
    assert north["sync"]["project_mode"] == "customer" and south["sync"]["project_mode"] == "sub-customer"
    assert north["schedule"]["at"] == "01:00" and south["schedule"]["at"] == "02:00"
    assert north["database_url"] == "" and north["data_dir"] != south["data_dir"]
    assert south["database_url"].endswith("/south")
    with pytest.raises(ValueError, match="unknown company 'west'"):
        company_values(settings, "west")


def test_notice_only_when_records_need_attention():
    assert notice_for_report({"counts": {"projects": {"Synced": 3, "Failed": 0, "Needs Action": 0}}}) is None
    notice = notice_for_report(HOSTILE)
    assert notice.kind == "records-need-attention" and "0 Failed, 1 Needs Action" in notice.subject
