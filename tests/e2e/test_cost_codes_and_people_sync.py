"""Cost codes (items, accounts, classes by the mapping), employees and vendors: matching
by name, the mapping settings and `qbo-sync mapping check`."""

from __future__ import annotations

from qbo_sync import mappings
from qbo_sync.cli.verbs_mapping import check_rows
from tests.e2e.test_timesheets_sync import named, qbo, rows, sync


def test_cost_codes_map_by_type_with_overrides_linking_existing_objects(res):
    mappings.use(res, mappings.Mappings.parse({"cost_codes": {"overrides": {
        "03-200": {"target": "account", "name": "Job Materials"}, "01-100": {"target": "class", "name": "Commercial"}}}}))
    sync(res, ["cost_codes"])
    codes = rows(res, "cost_codes")
    assert {r["status"] for r in codes.values()} == {"Synced"}
    # Labor -> service item with the mapped accounts; an existing item of the same name is linked.
    supervision = qbo(res, "Item", codes["01-200"]["qbo_id"])
    assert supervision["Name"] == "Supervision" and supervision["Type"] == "Service"
    assert supervision["IncomeAccountRef"]["value"] == named(res, "Account", "Name", "Construction Income")[0]["Id"]
    assert codes["16-100"]["qbo_id"] == named(res, "Item", "Name", "Electrical Labor")[0]["Id"]
    assert len(named(res, "Item", "Name", "Electrical Labor")) == 1
    # Material -> expense account; overrides link existing objects without duplicating them.
    assert qbo(res, "Account", codes["03-300"]["qbo_id"])["Name"] == "Cast-in-Place Concrete"
    assert codes["03-200"]["qbo_id"] == named(res, "Account", "Name", "Job Materials")[0]["Id"]
    assert codes["01-100"]["qbo_id"] == named(res, "Class", "Name", "Commercial")[0]["Id"]
    assert len(named(res, "Account", "Name", "Job Materials")) == 1
    assert qbo(res, "Account", codes["07-100"]["qbo_id"])["Name"] == "Roofing"   # Subcontract: an account


def test_mapping_check_lists_what_has_no_quickbooks_target(res):
    before = {(r["entity"], r["source_id"]): r for r in check_rows(res)}
    assert before[("employees", "E-00001")]["state"] == "links to an existing object"
    assert before[("employees", "E-00005")]["qbo_id"] == ""
    assert before[("cost_codes", "16-100")]["state"] == "links to an existing object"
    sync(res, ["cost_codes", "employees", "vendors"])
    after = check_rows(res)
    assert not [r for r in after if not r["qbo_id"]]


def test_people_not_in_quickbooks_need_action_when_creating_is_off(res, source):
    mappings.use(res, mappings.Mappings.parse({"employees": {"create_missing": False}}))
    source.edit("vendors", "vendor_id", "V-00006", name="Harbor View Properties LLC")
    sync(res, ["employees", "vendors"])
    employees, vendors = rows(res, "employees"), rows(res, "vendors")
    assert employees["E-00001"]["status"] == "Synced"
    assert employees["E-00005"]["status"] == "Needs Action"
    assert employees["E-00005"]["reasons"] == ['No QuickBooks employee is named "Luis Ortega", and creating '
                                               'them is off (mappings: employees.create_missing)']
    assert vendors["V-00006"]["status"] == "Needs Action"
    assert "QuickBooks already has a customer named \"Harbor View Properties LLC\"" in vendors["V-00006"]["reasons"][0]
    assert named(res, "Employee", "DisplayName", "Luis Ortega") == []


def test_a_bad_mappings_file_is_a_clear_error(tmp_path):
    import pytest

    path = tmp_path / "mappings.yaml"
    path.write_text("cost_codes:\n  by_type: {Labor: widget}\ntimesheet: {}\n")
    with pytest.raises(mappings.MappingsError) as failure:
        mappings.load_mappings(path)
    text = str(failure.value)
    assert "cost_codes.by_type.Labor" in text and "timesheet: unknown setting" in text
