"""Flow-run names that say what the run is: `nightly-2026-12-01`, `on-demand-all-2026-12-01-1403`.

Prefect calls these while creating the run; `prefect.runtime` knows its deployment,
parameters and scheduled start (the time it was created, for a run started by hand).
"""

from __future__ import annotations

from datetime import datetime


def _when() -> datetime:
    from prefect.runtime import flow_run

    started = flow_run.scheduled_start_time
    return (started if isinstance(started, datetime) else datetime.now()).astimezone()


def _deployment() -> str | None:
    from prefect.runtime import deployment

    return deployment.name


def sync_run_name() -> str:
    """A scheduled run is its deployment and day; any other says what it imports, and when."""
    from prefect.runtime import flow_run

    params = flow_run.parameters
    deployment, when = _deployment(), _when()
    if params.get("scheduled") and deployment:
        return f"{deployment}-{when:%Y-%m-%d}"
    what = params.get("mode", "new") if params.get("import_records", True) else "push"
    extra = "-dry-run" if params.get("dry_run") else ""
    return f"{deployment or 'sync'}-{what}{extra}-{when:%Y-%m-%d-%H%M}"


def retry_run_name() -> str:
    return f"{_deployment() or 'retry'}-{_when():%Y-%m-%d-%H%M}"


def pull_run_name() -> str:
    return f"{_deployment() or 'pull'}-{_when():%Y-%m-%d-%H%M}"


def rehearsal_run_name() -> str:
    return f"rehearsal-{_when():%Y-%m-%d-%H%M}"
