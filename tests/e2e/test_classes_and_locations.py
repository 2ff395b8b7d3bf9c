"""Classes and locations end to end: the mapping puts a cost code's class on bill lines and
time, a project's location (QBO Department) on its bills, and a company whose Preferences do
not fit the mapping stops the run before anything is written. On the local QBO sandbox over
real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
import yaml

from qbo_sync import mappings
from qbo_sync.cli import main
from qbo_sync.pipeline import stages
from qbo_sync.pipeline.tracking import TrackingMismatch
from tests.e2e.test_timesheets_sync import record, rows, sync, write

CLASSES = {"classes": {"by_type": {"Labor": "Commercial", "Material": "Residential", "Equipment": "Residential",
                                   "Subcontract": "Commercial", "Other": "Commercial"},
                       "by_cost_code": {"03-300": "Public Works"}},
           "locations": {"by_project": {"P-00005": "North Yard"}, "default": "South Yard"}}


def _prefs(res, **accounting) -> None:
    """Change the company's AccountingInfoPrefs as someone would in QuickBooks' settings."""
    client = res.qbo.client()
    url = f"{client.api_url}/company/{client.company_id}/preferences"
    current = client.get(url)["Preferences"]
    client.make_request("POST", url, json.dumps({"SyncToken": current["SyncToken"],
                                                 "AccountingInfoPrefs": accounting}))


def _ids(res, entity) -> dict[str, str]:
    found = res.qbo.client().query(f"SELECT * FROM {entity} MAXRESULTS 1000")["QueryResponse"][entity]
    return {o["Name"]: o["Id"] for o in found}


def _expected_class(code_row: dict) -> str:
    return CLASSES["classes"]["by_cost_code"].get(code_row["code"]) or CLASSES["classes"]["by_type"][code_row["type"]]


def test_the_mapping_names_a_class_per_cost_code_and_a_location_per_project():
    chosen = mappings.Mappings.parse(CLASSES)
    assert chosen.classes.class_of({"code": "03-300", "type": "Material"}) == "Public Works"   # the code wins
    assert chosen.classes.class_of({"code": "03-200", "type": "Material"}) == "Residential"
    assert mappings.Mappings().classes.class_of({"code": "03-200", "type": "Material"}) == ""
    assert (chosen.locations.location_of("P-00005"), chosen.locations.location_of("")) == ("North Yard", "South Yard")
    with pytest.raises(mappings.MappingsError,
                       match=r"classes\.by_type\.Labor: Expected `str`, got `int`; locations\.by_projet: unknown setting"):
        mappings.Mappings.parse({"classes": {"by_type": {"Labor": 3}}, "locations": {"by_projet": {}}})


def test_class_and_location_on_the_written_bills_and_time(res, source):
    _prefs(res, TrackDepartments=True)
    for name in ("North Yard", "South Yard"):
        write(res, "Department", {"Name": name})
    mappings.use(res, mappings.Mappings.parse(CLASSES))
    sync(res)
    classes, locations = _ids(res, "Class"), _ids(res, "Department")
    codes = {r["code"]: r for r in source.frame("cost_codes").to_dict("records")}
    client = res.qbo.client()

    bills = [r for r in rows(res, "vendor_bills").values() if r["status"] == "Synced"]
    assert len(bills) > 10
    lines = 0
    for row in bills:
        bill = client.get_single_object("Bill", row["qbo_id"])["Bill"]
        staged = record(res, "vendor_bills", row["source_id"]).data
        expected_location = "North Yard" if staged["project_id"] == "P-00005" else "South Yard"
        assert bill["DepartmentRef"]["value"] == locations[expected_location]
        for line, source_line in zip(bill["Line"], json.loads(staged["lines"]), strict=True):
            detail = line[line["DetailType"]]
            assert detail["ClassRef"]["value"] == classes[_expected_class(codes[source_line["cost_code"]])]
            lines += 1
    assert lines > len(bills)

    entries = source.frame("timesheets").set_index("entry_id")
    times = 0
    for row in [r for r in rows(res, "timesheets").values() if r["status"] == "Synced"]:
        expected = classes[_expected_class(codes[entries.loc[row["source_id"], "cost_code"]])]
        for day in record(res, "timesheets", row["source_id"]).qbo_objects.values():
            if isinstance(day, dict) and day.get("id"):
                activity = client.get_single_object("TimeActivity", day["id"])["TimeActivity"]
                assert activity["ClassRef"]["value"] == expected
                times += 1
    assert times > 100
    assert {classes["Public Works"], classes["Residential"], classes["Commercial"]} <= {
        line[line["DetailType"]]["ClassRef"]["value"]
        for b in client.query("SELECT * FROM Bill MAXRESULTS 1000")["QueryResponse"]["Bill"] for line in b["Line"]}


@pytest.mark.parametrize("prefs, mapping, says", [
    (dict(ClassTrackingPerTxnLine=False, TrackDepartments=True), {"classes": CLASSES["classes"]},
     "does not track classes"),
    (dict(ClassTrackingPerTxnLine=False, ClassTrackingPerTxn=True), {"classes": CLASSES["classes"]},
     "assigns one class to each transaction"),
    ({}, {"locations": CLASSES["locations"]}, "does not track locations"),
    (dict(TrackDepartments=True), {"locations": {"default": "Nowhere Yard"},
                                   "classes": {"by_type": {"Labor": "Commercial"}}},
     'locations.default: QuickBooks has no active location named "Nowhere Yard"'),
])
def test_a_mapping_the_company_preferences_do_not_fit_stops_before_any_write(res, admin, realm, prefs,
                                                                              mapping, says):
    if prefs:
        _prefs(res, **prefs)
    mappings.use(res, mappings.Mappings.parse(mapping))
    writes = admin.counts(realm)["writes"]
    stages.run_import(res, None, "all")
    stages.run_validate(res, None)
    with pytest.raises(TrackingMismatch, match=says):
        stages.run_map(res, None)
    assert admin.counts(realm)["writes"] == writes
    assert "Synced" not in {r["status"] for r in rows(res, "vendor_bills").values()}


def test_time_alone_does_not_need_locations(res):
    """Locations go on bills only: a run of time with locations off is not stopped by them."""
    mappings.use(res, mappings.Mappings.parse({"locations": CLASSES["locations"]}))
    sync(res, ["employees", "projects", "cost_codes", "timesheets"])
    assert "Synced" in {r["status"] for r in rows(res, "timesheets").values()}


@pytest.mark.slow
def test_the_stop_is_one_line_from_the_command_and_nothing_is_written(prefect, make_resources, config_for,
                                                                      admin, realm, tmp_path, capsys):
    res = make_resources()
    _prefs(res, ClassTrackingPerTxnLine=False)
    config = config_for(res)
    (tmp_path / "mappings.yaml").write_text(yaml.safe_dump({"classes": CLASSES["classes"]}))
    writes = admin.counts(realm)["writes"]
    code = main(["--config", config, "sync", "--all", "--yes"])
    out, err = capsys.readouterr()
    assert code == 1
    message = [line for line in err.splitlines() if line.startswith("qbo-sync: ")]
    assert len(message) == 1 and "does not track classes" in message[0] and "Nothing was pushed." in message[0]
    assert "Traceback" not in err + out
    assert admin.counts(realm)["writes"] == writes


@pytest.mark.slow
def test_the_demo_company_shows_classes_locations_and_cost_rates(prefect, tmp_path, monkeypatch, capsys):
    """`qbo-sync demo` sets its company up for job costing: what QuickBooks answered for every
    synced bill has a location and a class per line, every TimeActivity a class and a cost rate."""
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    capsys.readouterr()

    def answered(record: str) -> list[dict]:
        assert main(["payload", record, "--json"]) == 0
        shown = json.loads(capsys.readouterr().out)
        return [o["response"][o["qbo_entity"]] for o in shown["objects"] if o["outcome"] == "synced"]

    assert main(["status", "--json"]) == 0
    synced = [r for r in json.loads(capsys.readouterr().out) if r["status"] == "Synced"]
    bills = [answered(f"vendor_bills/{r['source_id']}")[0] for r in synced if r["entity"] == "vendor_bills"]
    assert len(bills) > 10
    assert all(b["DepartmentRef"]["value"] and all(line[line["DetailType"]]["ClassRef"]["value"] for line in b["Line"])
               for b in bills)
    times = [a for r in synced if r["entity"] == "timesheets" for a in answered(f"timesheets/{r['source_id']}")]
    assert len(times) > 100
    assert all(a["ClassRef"]["value"] and a["CostRate"] > 0 for a in times)
