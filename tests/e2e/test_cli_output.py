"""What the CLI prints for a person: UTF-8 JSON, every QBO object a record wrote, and a
terminal report with the source's own text and no empty section."""

from __future__ import annotations

import json

import pytest

from qbo_sync.cli import main
from tests.e2e.test_timesheets_sync import DAYS, days_with_hours, sync

CAFE = "Café Ünïcödé 🚧 Crew"


def _out(capsys, *argv) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _timesheet_with_days(source, hours: dict[str, str]) -> str:
    """The first timesheet entry, its days set to `hours` (others 0): its entry id."""
    frame = source.frame("timesheets")
    entry = frame["entry_id"][frame.index[5]]
    source.edit("timesheets", "entry_id", entry, **{d: hours.get(d, "0") for d in DAYS})
    return entry


def test_json_is_utf8_and_payload_shows_every_object_a_record_wrote(make_resources, config_for, source, capsys):
    res = make_resources()
    employee = source.frame("employees")["employee_id"][0]
    source.edit("employees", "employee_id", employee, first_name="Café", last_name="Ünïcödé 🚧")
    four_days = _timesheet_with_days(source, {"mon": "8", "tue": "7.5", "wed": "6", "fri": "4"})
    frame = source.frame("timesheets")
    no_hours = frame["entry_id"][frame.index[6]]
    source.edit("timesheets", "entry_id", no_hours, **{d: "0" for d in DAYS})
    sync(res)
    config = config_for(res)

    for argv in (["status", "--json"], ["history", f"employees/{employee}", "--json"],
                 ["payload", f"employees/{employee}"]):
        out = _out(capsys, "--config", config, *argv)
        assert "Café" in out and "🚧" in out and "\\u" not in out, argv
        json.loads(out)

    shown = json.loads(_out(capsys, "--config", config, "payload", f"timesheets/{four_days}"))
    assert [o["part"] for o in shown["objects"]] == ["mon", "tue", "wed", "fri"]
    assert len({o["qbo_id"] for o in shown["objects"]}) == 4
    for part in shown["objects"]:
        assert part["in_qbo_now"] and part["outcome"] == "synced"
        assert part["response"]["TimeActivity"]["Id"] == part["qbo_id"]
        assert part["request"]["TxnDate"] == part["response"]["TimeActivity"]["TxnDate"]
    hours = sorted(o["request"]["Hours"] + o["request"]["Minutes"] / 60 for o in shown["objects"])
    assert hours == [4, 6, 7.5, 8]

    out = _out(capsys, "--config", config, "payload", f"timesheets/{no_hours}")
    assert "wrote nothing to QuickBooks" in out and "week with no hours" in out
    assert json.loads(_out(capsys, "--config", config, "payload", f"timesheets/{no_hours}", "--json"))[
        "wrote_nothing"] is True


def test_a_day_set_to_zero_shows_its_delete_as_the_last_request(make_resources, config_for, source, capsys):
    res = make_resources()
    entry = _timesheet_with_days(source, {"mon": "8", "tue": "8"})
    sync(res)
    source.edit("timesheets", "entry_id", entry, tue="0")
    sync(res)
    shown = json.loads(_out(capsys, "--config", config_for(res), "payload", f"timesheets/{entry}"))
    by_part = {o["part"]: o for o in shown["objects"]}
    assert set(by_part) == {"mon", "tue"}
    assert by_part["mon"]["in_qbo_now"] and by_part["mon"]["operation"] == "create"
    assert by_part["tue"]["operation"] == "delete" and not by_part["tue"]["in_qbo_now"]


@pytest.mark.slow
def test_terminal_report_prints_names_as_written_and_no_empty_section(prefect, make_resources, config_for,
                                                                       source, capsys):
    res = make_resources()
    source.edit("projects", "project_id", "P-00003", name="Maple & Main <Lobby>")
    source.edit("projects", "project_id", "P-00009", name="Maple & Main Annex")   # Needs Action: listed
    out = _out(capsys, "--config", config_for(res), "sync", "--all", "--yes")
    assert "Maple & Main Annex" in out
    assert "&amp;" not in out and "&lt;" not in out
    # The bills were just created: QuickBooks has given no balance yet, so no such section.
    assert "## Pushed to QuickBooks" in out and "| Vendor bills |" in out
    assert "Vendor bills paid and open" not in out and "qbo-sync pull" not in out
