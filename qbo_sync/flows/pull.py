"""The pull flow: refresh the QBO reference lists (customers, items, accounts...) for matching."""

from __future__ import annotations

from prefect import flow, task

from qbo_sync.flows.hooks import notify_failure
from qbo_sync.flows.naming import pull_run_name
from qbo_sync.flows.sync import company_config
from qbo_sync.tasks.common import RETRY, resources


@task(name="pull", task_run_name="pull", **RETRY)
def pull_stage(config: str | None) -> dict:
    from qbo_sync.qbo import references

    res = resources(config)
    counts = references.pull(res.db, res.reader)
    print("Pulled from QuickBooks: " + ", ".join(f"{n} {entity}" for entity, n in counts.items()))
    return counts


@flow(name="qbo-sync-pull", flow_run_name=pull_run_name, log_prints=True,
      on_failure=[notify_failure], on_crashed=[notify_failure])
def pull(company: str | None = None, config: str | None = None) -> dict:
    """Refresh the QBO reference lists (customers, items, accounts...) used for matching.

    Args:
        company: A company named under `companies:` in the settings; empty for the top-level one.
        config: The settings file (empty: $QBO_SYNC_CONFIG, else config/settings.yaml).
    """
    return pull_stage(company_config(config, company))
