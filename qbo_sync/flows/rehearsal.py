"""A sync run's rehearsal first (the `rehearse` parameter): the whole sync on copies, its
report kept as the run's artifact, and the real push held back when the settings ask for a
clean rehearsal and QuickBooks would refuse records."""

from __future__ import annotations

from prefect import task


class HeldBackByRehearsal(Exception):
    """The rehearsal found refusals and sync.push_only_if_rehearsal_clean is on; plain words."""


def rehearse_first(config: str | None, entities, mode: str, ids, scheduled: bool) -> dict:
    from qbo_sync.rehearsal.run import refused, rehearse
    from qbo_sync.resources import for_config

    report = rehearse(config, entities, mode, ids, scheduled)
    publish_rehearsal(report)
    count, company = refused(report), report["rehearsal"]["company"]
    if not count:
        print(f"Rehearsal on a copy of {company}: QuickBooks would refuse nothing.")
        return report
    summary = f"The rehearsal on a copy of {company} found {count} record(s) QuickBooks would refuse"
    if for_config(config).settings.sync.push_only_if_rehearsal_clean:
        raise HeldBackByRehearsal(
            f"{summary}: nothing was imported or pushed (sync.push_only_if_rehearsal_clean). The rehearsal "
            "report in this run's artifacts gives each record's reason; fix them, then run again.")
    print(f"{summary}; pushing anyway (sync.push_only_if_rehearsal_clean is off).")
    return report


@task(name="rehearsal-report", task_run_name="rehearsal-report")
def publish_rehearsal(report: dict) -> None:
    """The rehearsal report as this run's artifact (the rehearsal's own run has the copy's)."""
    from prefect.artifacts import create_markdown_artifact

    from qbo_sync.pipeline.report import to_markdown

    create_markdown_artifact(key="rehearsal-report", markdown=to_markdown(report),
                             description="What QuickBooks would do with each record, rehearsed on a copy")
