"""What every stage task shares: retry policy, resources, the current flow run."""

from __future__ import annotations

from qbo_sync.resources import Resources, for_config
from qbo_sync.transient import retry_condition

# Transient faults (network, a busy database, QBO saying "try again") retry the stage;
# anything else fails it at once with its message.
RETRY = dict(retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=retry_condition)


def resources(config: str | None) -> Resources:
    return for_config(config)


def flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None
