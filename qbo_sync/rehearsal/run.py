"""The rehearsal: copy the company and the staging database, run the whole sync on the
copies with the push approved, and report what QuickBooks did with each record.

The run is the ordinary sync flow, given a settings file of its own (in the rehearsal's
folder, data_dir/rehearsal) that points at the copies; that file wins over the QBO_SYNC_*
environment (settings.rehearsal_of), so no variable meant for the real runs can lead the
rehearsal to the real company or staging database.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from qbo_sync.rehearsal import company_copy, local_qbo, outcomes
from qbo_sync.rehearsal.staging_copy import copy_staging
from qbo_sync.settings import Settings

# Not in the rehearsal's settings file: the token key is a secret (the environment's, or a key
# file of the rehearsal's own), and a rehearsal is of one company.
LEFT_OUT = ("token_key", "companies")


def folder_of(settings: Settings) -> Path:
    return Path(settings.data_dir) / "rehearsal"


def rehearse(config: str | None = None, entities: list[str] | None = None, mode: str = "new",
             ids: list[str] | None = None, scheduled: bool = False) -> dict:
    """The rehearsal report: the run's report with, on top, what QuickBooks did per record."""
    from qbo_sync.flows.naming import rehearsal_run_name
    from qbo_sync.flows.sync import sync
    from qbo_sync.resources import for_config, release

    real = for_config(config)
    folder = folder_of(real.settings)
    copy = company_copy.take(real.reader, folder)
    real.reader.meter.flush()              # the copy's reads, counted in this month's reads
    info, realm = local_qbo.new_copy_realm(folder, copy.lists)
    staging_url = copy_staging(real.settings.staging_url, folder)
    rehearsal_config = _write_settings(real.settings, folder, info, realm, staging_url, copy.company_name)
    try:
        for_config(rehearsal_config).qbo.connect_headless()   # the local sandbox's app authorizes at once
        report = sync.with_options(flow_run_name=rehearsal_run_name)(
            entities=entities, mode=mode, ids=ids, approval="yes", scheduled=scheduled, config=rehearsal_config)
        done = outcomes.record_outcomes(for_config(rehearsal_config).db, report.get("flow_run_id"))
    finally:
        release(rehearsal_config)
    return _rehearsal_report(report, copy, done, real.settings.reports_dir)


def _write_settings(settings: Settings, folder: Path, info: dict, realm: str, staging_url: str,
                    company: str) -> str:
    """The rehearsal's settings: the real ones, pointed at the copies (mode 0600: the local
    sandbox's app secret is in it, never the real company's)."""
    import yaml

    values = settings.model_dump(mode="json", exclude=set(LEFT_OUT))
    values.update(data_dir=str(folder), database_url=staging_url, reports_dir=str(folder / "reports"),
                  rehearsal_of=company, notifications={})     # a rehearsal notifies no one
    values["qbo"].update(kind="remote", discovery_url=info["discovery_url"], api_url_v3=info["api_url_v3"],
                         graphql_url=info["base_url"].rstrip("/") + "/graphql", realm_id=realm,
                         client_id=info["client_id"], client_secret=info["client_secret"],
                         redirect_uri=info["redirect_uri"], webhook_verifier_token="",
                         monthly_read_budget=0)   # the copy's calls are not Intuit's
    values["push"]["pacer"] = "local"
    path = folder / "settings.yaml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump(values, handle, sort_keys=False)
    return str(path.resolve())


def _rehearsal_report(report: dict, copy: company_copy.CompanyCopy, done: list[dict], reports_dir: Path) -> dict:
    from qbo_sync.ops.report_files import write_report_files

    report = dict(report)
    for leftover in (report.pop("files", None) or {}).values():
        Path(leftover).unlink(missing_ok=True)        # the copy's own report, without the per-record outcomes
    report.pop("qbo_calls", None)       # calls to the local copy: Intuit counts none of them
    report.pop("connection", None)
    refused = outcomes.refusals(done)
    report["rehearsal"] = {"company": copy.company_name, "copy": copy.describe(), "how": copy.how,
                           "reads": copy.reads, "records": done, "refused": len(refused)}
    report["outcome"] = "would be refused" if refused else "rehearsed"
    name = f"rehearsal-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
    files = write_report_files(report, Path(reports_dir) / "rehearsals", name, title="qbo-sync rehearsal report")
    report["files"] = {k: str(p) for k, p in files.items()}
    return report


def refused(report: dict) -> int:
    return (report.get("rehearsal") or {}).get("refused", 0)
