"""One name normalisation (entities.names.name_key) wherever names are matched, on SQLite and
PostgreSQL alike: letter case in every script, composed and decomposed accents, no-break and
zero-width spaces."""

from __future__ import annotations

import json
import unicodedata

from qbo_sync.cli import main
from qbo_sync.pipeline import stages
from tests.e2e.test_timesheets_sync import rows, write

CLIENT = "Ünïcödé Client"
NFD = unicodedata.normalize("NFD", CLIENT)


def test_name_key_folds_what_a_person_cannot_tell_apart():
    from qbo_sync.entities.names import name_key

    same = [CLIENT, CLIENT.upper(), CLIENT.lower(), NFD, "ünïcödé\u00a0client", "Ünïcödé\u200b Client ",
            "\u200fÜnïcödé  Client"]
    assert {name_key(n) for n in same} == {name_key(CLIENT)}
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Smith: Kitchen") == name_key("smith - kitchen")   # as QBO holds the cleaned name
    assert name_key("Acme 1") != name_key("Acme 2") and name_key(None) == ""


def _project_client(source, client: str) -> None:
    source.edit("projects", "project_id", "P-00012", client_name=client)


def test_confirm_the_suggested_customer_by_its_name_in_any_case(make_resources, config_for, source, capsys):
    """The record's reason names a suggestion; `map customer` with that name (or it in capitals,
    or typed with combining accents) links it, on SQLite as on PostgreSQL."""
    res = make_resources(sync={"auto_confirm_customer": False})
    write(res, "Customer", {"DisplayName": CLIENT})
    _project_client(source, NFD.lower())
    stages.run_import(res, ["projects"], "all")
    stages.run_validate(res, ["projects"])
    stages.run_map(res, ["projects"])
    reasons = rows(res, "projects")["P-00012"]["reasons"]
    assert any(f'confirm the suggested "{CLIENT}"' in r for r in reasons), reasons
    config = config_for(res)
    assert main(["--config", config, "map", "customer", "P-00012", CLIENT.upper()]) == 0
    assert f'linked to QBO customer "{CLIENT}"' in capsys.readouterr().out
    assert main(["--config", config, "status", "--json"]) == 0
    p12 = next(r for r in json.loads(capsys.readouterr().out) if r["source_id"] == "P-00012")
    assert p12["qbo_customer"]["name"] == CLIENT


def test_vendor_named_like_a_customer_in_another_spelling_is_needs_action(make_resources, source):
    res = make_resources()
    write(res, "Customer", {"DisplayName": CLIENT})
    source.edit("vendors", "vendor_id", source.frame("vendors")["vendor_id"][0], name=NFD.upper())
    stages.run_import(res, ["vendors"], "all")
    stages.run_validate(res, ["vendors"])
    stages.run_map(res, ["vendors"])
    vendor = next(r for r in rows(res, "vendors").values() if r["name"] == NFD.upper())
    assert vendor["status"] == "Needs Action"
    assert any(f'already has a customer named "{CLIENT}"' in r for r in vendor["reasons"])


def test_cost_code_links_the_item_spelled_with_other_accents_and_case(make_resources, source):
    res = make_resources()
    codes = source.frame("cost_codes")
    labor = codes[codes["type"] == "Labor"].iloc[0]
    name = "Béton Façade Labour"
    source.edit("cost_codes", "code", labor["code"], name=unicodedata.normalize("NFD", name).upper())
    income = res.qbo.client().query("SELECT * FROM Account WHERE Name = 'Construction Income'")
    account_id = income["QueryResponse"]["Account"][0]["Id"]
    item = write(res, "Item", {"Name": name, "Type": "Service", "IncomeAccountRef": {"value": account_id}})["Item"]
    stages.run_import(res, ["cost_codes"], "all")
    stages.run_validate(res, ["cost_codes"])
    stages.run_map(res, ["cost_codes"])
    linked = rows(res, "cost_codes")[labor["code"]]
    assert linked["status"] == "Synced" and linked["qbo_id"] == item["Id"]


def test_a_job_is_never_a_projects_client(make_resources, config_for, source, capsys):
    """A project whose client column names a job (a sub-customer) gets no suggestion of that job,
    and `map customer` refuses it: the link is permanent and would make a third-level job."""
    res = make_resources(sync={"auto_confirm_customer": True})
    _project_client(source, "Pier 9 Renovation")        # the demo company's job under Harbor View
    stages.run_import(res, ["projects"], "all")
    stages.run_validate(res, ["projects"])
    stages.run_map(res, ["projects"])
    p12 = rows(res, "projects")["P-00012"]
    assert p12["status"] == "Needs Action" and not (p12.get("suggestions") or {}).get("customer"), p12
    config = config_for(res)
    assert main(["--config", config, "map", "customer", "P-00012", "Pier 9 Renovation"]) == 1
    err = capsys.readouterr().err
    assert "is a job or project under another customer, not a client" in err and "Traceback" not in err
    assert main(["--config", config, "map", "customer", "P-00012", "Harbor View Properties LLC"]) == 0
