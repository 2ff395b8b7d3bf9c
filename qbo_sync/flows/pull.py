"""The pull flow: refresh the QBO reference lists (customers, items, accounts...) for matching."""

from __future__ import annotations

from prefect import flow, task

from qbo_sync.flows.hooks import notify_failure
from qbo_sync.tasks.common import RETRY, resources


@task(name="pull", **RETRY)
def pull_stage(config: str | None) -> dict:
    from qbo_sync.qbo import references

    res = resources(config)
    counts = references.pull(res.db, res.qbo)
    print("Pulled from QuickBooks: " + ", ".join(f"{n} {entity}" for entity, n in counts.items()))
    return counts


@flow(name="qbo-sync-pull", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def pull(config: str | None = None) -> dict:
    return pull_stage(config)
