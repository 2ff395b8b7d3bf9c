"""`qbo-sync demo`: the whole sync on the demo company, against the embedded QBO sandbox.

It never talks to a real QuickBooks company: it refuses unless the QBO connection is the
embedded sandbox, and it keeps its state in the data directory's own files.
"""

from __future__ import annotations

import time

import yaml

from qbo_sync.settings import load_settings

# Job costing in the demo company (docs/mapping.md): a class per cost type on bill lines and
# time, a location per project on bills. The sandbox's seed has neither these classes nor
# locations, so the demo sets the company up as its bookkeeper would (_set_up_job_costing).
DEMO_MAPPINGS = {
    "classes": {"by_type": {"Labor": "Field Labor", "Material": "Materials and Equipment",
                            "Equipment": "Materials and Equipment", "Subcontract": "Subcontractors",
                            "Other": "Overhead"}},
    "locations": {"by_project": {"P-00001": "Peninsula", "P-00002": "Peninsula"}, "default": "East Bay"},
}


def run_demo(args) -> int:
    from qbo_sync.cli import CliError

    settings = load_settings(args.config)
    if settings.qbo.kind != "sandbox" or settings.database_url:
        raise CliError("the demo runs only on the embedded defaults (qbo.kind sandbox, SQLite staging "
                       "database): it never touches a real QuickBooks company or your database")
    # The demo's own settings file: the user's settings, plus the demo source, and customer
    # suggestions confirmed so that the demo shows records reaching QBO (a real setup
    # confirms each link with `qbo-sync map customer` unless auto_confirm_customer is on).
    demo_config = settings.data_dir / "demo-settings.yaml"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    demo_config.write_text(yaml.safe_dump({
        "data_dir": str(settings.data_dir),
        "reports_dir": str(settings.reports_dir),
        **({"validations_dir": str(settings.validations_dir)} if settings.validations_dir else {}),
        "source": {"kind": "demo", "demo": {"size": args.size, "seed": settings.source.demo.seed}},
        "sync": {"project_mode": settings.sync.project_mode, "auto_confirm_customer": True},
    }, sort_keys=False))
    # Beside the demo's settings file, so its runs read it (mappings.find_path).
    (settings.data_dir / "mappings.yaml").write_text(yaml.safe_dump(DEMO_MAPPINGS, sort_keys=False))
    if not args.keep:
        for name in ("staging.db", "staging.db-wal", "staging.db-shm", "sandbox.db",
                     "sandbox.db-wal", "sandbox.db-shm"):
            (settings.data_dir / name).unlink(missing_ok=True)

    started = time.monotonic()
    print(f"qbo-sync demo: a generated construction company (size {args.size}) synced to the local "
          f"QBO sandbox; state in {settings.data_dir.resolve()}")
    from qbo_sync import preflight

    _set_up_job_costing(str(demo_config))
    preflight.check(str(demo_config))   # e.g. a tuned suites folder that lacks a suite: one line, no run
    from qbo_sync.flows.sync import sync
    from qbo_sync.ops import temporary_server

    temporary_server.start()
    report = sync(entities=None, mode="all", approval="yes", config=str(demo_config))

    from qbo_sync.pipeline.report import to_text

    print(to_text(report))
    print(f"Finished in {time.monotonic() - started:.0f} s. Where to look next:")
    print("  qbo-sync status                      every staged record and its status")
    print("  qbo-sync status --status 'Needs Action'   what to fix, in plain words")
    print("  qbo-sync history projects/<ID>       a record's field changes and sync activity")
    print("  qbo-sync payload projects/<ID>       the JSON sent to QuickBooks and its answer")
    print("  qbo-sync report                      this run's report again")
    print("  prefect server start                 the Prefect UI, with this run in its flow-run history")
    return 0


def _set_up_job_costing(config: str) -> None:
    """The embedded sandbox's company tracks locations and has the demo's classes and locations."""
    import json

    from qbo_sync.resources import Resources

    res = Resources(load_settings(config))
    try:
        client = res.qbo.client()
        base = f"{client.api_url}/company/{client.company_id}"
        prefs = client.get(f"{base}/preferences")["Preferences"]
        if not (prefs.get("AccountingInfoPrefs") or {}).get("TrackDepartments"):
            client.make_request("POST", f"{base}/preferences", json.dumps(
                {"SyncToken": prefs["SyncToken"], "AccountingInfoPrefs": {"TrackDepartments": True}}))
        wanted = {"Class": set(DEMO_MAPPINGS["classes"]["by_type"].values()),
                  "Department": {DEMO_MAPPINGS["locations"]["default"],
                                 *DEMO_MAPPINGS["locations"]["by_project"].values()}}
        for entity, names in wanted.items():
            held = {o.get("Name") for o in res.reader.query_all(entity, inactive_too=True)}
            for name in sorted(names - held):
                client.make_request("POST", f"{base}/{entity.lower()}", json.dumps({"Name": name}))
    finally:
        res.close()

