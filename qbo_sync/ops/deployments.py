"""Deployments and the nightly schedule, built from settings.

The same definitions back `make serve` (one process: `serve(...)`), prefect.yaml (a process
work pool and `prefect worker start`), and `qbo-sync schedule apply` (updates the schedule of
deployments already on the server).
"""

from __future__ import annotations

from qbo_sync.settings import ScheduleSettings, Settings

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")   # cron's day numbers 0-6
NIGHTLY = "nightly"


def cron_for(schedule: ScheduleSettings) -> str:
    """The cron expression of a schedule setting: daily at HH:MM, weekly on a day, or as given."""
    if schedule.every == "cron":
        return schedule.cron
    hour, minute = (int(part) for part in schedule.at.split(":"))
    day = str(WEEKDAYS.index(schedule.weekday)) if schedule.every == "weekly" else "*"
    return f"{minute} {hour} * * {day}"


def deployment_names(settings: Settings) -> list[str]:
    """The nightly deployment of each company: `nightly`, or `nightly-<company>`."""
    return [NIGHTLY] if not settings.companies else [f"{NIGHTLY}-{name}" for name in settings.companies]


def build_deployments(settings: Settings, config: str | None) -> list:
    """Runner deployments: nightly (per company), on-demand sync, retry-failed, pull."""
    from prefect.schedules import Cron

    from qbo_sync.flows.pull import pull
    from qbo_sync.flows.retry import retry
    from qbo_sync.flows.sync import sync
    from qbo_sync.ops.companies import company_configs

    deployments = []
    for name, (company_config, company_settings) in company_configs(settings, config).items():
        suffix = f"-{name}" if name else ""
        schedule = company_settings.schedule
        deployments.append(sync.to_deployment(
            name=f"{NIGHTLY}{suffix}", schedule=Cron(cron_for(schedule), timezone=schedule.timezone),
            parameters={"mode": "all", "scheduled": True, "approval": "schedule", "config": company_config},
            tags=["qbo-sync", "nightly"] + ([f"company:{name}"] if name else []),
            description="The nightly full sync; approval by the schedule.approve setting."))
        deployments.append(sync.to_deployment(
            name=f"on-demand{suffix}", parameters={"approval": "ui", "config": company_config},
            tags=["qbo-sync", "on-demand"],
            description="Sync now: choose entities, import mode (new, all, selected ids), dry run "
                        "and approval; approval ui waits for your answer after the preview."))
        deployments.append(retry.to_deployment(
            name=f"retry-failed{suffix}", parameters={"config": company_config}, tags=["qbo-sync"],
            description="Read every Failed record again from the source and push only those."))
        deployments.append(pull.to_deployment(
            name=f"pull{suffix}", parameters={"config": company_config}, tags=["qbo-sync"],
            description="Refresh the QBO reference lists used for matching."))
    return deployments


def apply_schedule(settings: Settings) -> list[str]:
    """Replace the schedule of each nightly deployment on the Prefect server; returns what was set."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.exceptions import ObjectNotFound

    from qbo_sync.ops.companies import company_settings

    async def apply() -> list[str]:
        done = []
        async with get_client() as client:
            for company in (settings.companies or {"": None}):
                own = company_settings(settings, company) if company else settings
                name = f"qbo-sync/{NIGHTLY}" + (f"-{company}" if company else "")
                try:
                    deployment = await client.read_deployment_by_name(name)
                except ObjectNotFound:
                    raise ValueError(f"deployment {name} is not on the Prefect server: run make serve "
                                     "(or prefect deploy --all) first") from None
                for old in await client.read_deployment_schedules(deployment.id):
                    await client.delete_deployment_schedule(deployment.id, old.id)
                cron = cron_for(own.schedule)
                await client.create_deployment_schedules(
                    deployment.id, [(CronSchedule(cron=cron, timezone=own.schedule.timezone), True)])
                done.append(f"{name}: {cron} ({own.schedule.timezone})")
        return done

    return asyncio.run(apply())


def serve_all(settings: Settings, config: str | None) -> None:
    """Serve every deployment from this process until interrupted (`make serve`)."""
    from prefect import serve

    serve(*build_deployments(settings, config))
