"""What the overview page shows: records per entity and status, the last run, the next
scheduled run, and the QuickBooks connection. Each part answers on its own: one that
cannot be read (QBO or Prefect down) says so in words, and the others still show."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select

from qbo_sync import entities as registry
from qbo_sync import statuses
from qbo_sync.db.models import Record

PREFECT_TIMEOUT_SECONDS = 5
log = logging.getLogger(__name__)


@dataclass
class EntityCounts:
    name: str
    label: str
    by_status: dict[str, int]          # status code -> records, every status present

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def status_counts(db) -> list[EntityCounts]:
    """Staged records (not deleted in the source) per entity and status: one grouped query."""
    with db.session() as session:
        found = session.execute(select(Record.entity, Record.status, func.count())
                                .where(Record.deleted_in_source.is_(False))
                                .group_by(Record.entity, Record.status)).all()
    counts = {spec.name: EntityCounts(spec.name, spec.label, {code: 0 for code in statuses.LABELS})
              for spec in registry.ENTITIES.values()}
    for entity, status, n in found:
        if entity in counts:
            counts[entity].by_status[status] = counts[entity].by_status.get(status, 0) + n
    return list(counts.values())


def last_run(db) -> dict | None:
    from qbo_sync.ops.history import run_log

    runs = run_log(db, limit=1)
    return runs[0] if runs else None


@dataclass
class NextRun:
    when: datetime | None = None
    note: str = ""                     # why there is none, or where the time comes from


def next_run(settings) -> NextRun:
    """The next nightly sync on the Prefect server, when one is configured."""
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        return NextRun(None, "None: no Prefect server is set up for this console, so no sync "
                             "runs on a schedule.")
    try:
        return asyncio.run(asyncio.wait_for(_next_from_prefect(settings), PREFECT_TIMEOUT_SECONDS))
    except Exception:   # Prefect down or slow: the rest of the page still shows
        return NextRun(None, "Unknown: the Prefect server that runs the schedule did not answer.")


async def _next_from_prefect(settings) -> NextRun:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (DeploymentFilter, DeploymentFilterId, FlowRunFilter,
                                                FlowRunFilterState, FlowRunFilterStateType)
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.exceptions import ObjectNotFound
    from prefect.server.schemas.schedules import CronSchedule

    from qbo_sync.ops.deployments import deployment_names

    async with get_client() as client:
        deployments = []
        for name in deployment_names(settings):
            try:
                deployments.append(await client.read_deployment_by_name(f"qbo-sync/{name}"))
            except ObjectNotFound:
                pass
        if not deployments:
            return NextRun(None, "None: the nightly sync is not deployed on the Prefect server.")
        # The runs Prefect's scheduler has already planned...
        planned = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[d.id for d in deployments])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=1)
        if planned and planned[0].expected_start_time:
            return NextRun(planned[0].expected_start_time, "planned by the Prefect server")
        # ...else the next time of the deployments' active schedules.
        upcoming = []
        for deployment in deployments:
            if getattr(deployment, "paused", False):
                continue
            for schedule in await client.read_deployment_schedules(deployment.id):
                cron = getattr(schedule.schedule, "cron", None)
                if schedule.active and cron:
                    upcoming += await CronSchedule(cron=cron, timezone=schedule.schedule.timezone).get_dates(1)
        if not upcoming:
            return NextRun(None, "None: the nightly sync is paused or has no active schedule.")
        return NextRun(min(upcoming), "from the nightly schedule")


@dataclass
class Connection:
    realm_id: str = ""
    company: str | None = None
    refresh_expires_at: datetime | None = None
    problem: str = ""                  # plain words when the company could not be read
    authorized: bool = False           # tokens are stored for the company
    expired: bool = False              # QuickBooks refused them (invalid_grant) or their time is up
    warn_days: int = 14                # settings: qbo.expiry_warning_days

    @property
    def days_left(self) -> int | None:
        if self.refresh_expires_at is None:
            return None
        return max(0, (self.refresh_expires_at - datetime.now(timezone.utc)).days)

    @property
    def expiring(self) -> bool:
        return not self.expired and self.days_left is not None and self.days_left <= self.warn_days

    @property
    def needs_reconnect(self) -> bool:
        """Offer Reconnect: never authorized, expired, or expiring within the warning window."""
        return not self.authorized or self.expired or self.expiring


def connection(res) -> Connection:
    """The QuickBooks company this console syncs to, and when its authorization runs out."""
    from qbo_sync.console.outage import explain
    from qbo_sync.ops.connect import company_name
    from qbo_sync.qbo.connection import NotConnected

    found = Connection(warn_days=res.settings.qbo.expiry_warning_days)
    try:
        qbo = res.qbo
        found.realm_id = qbo.realm_id
        found.refresh_expires_at = _refresh_expiry(qbo)
        found.authorized = found.refresh_expires_at is not None
        if not found.authorized:
            found.problem = "Not connected: no QuickBooks company is authorized for this console."
            return found
        if found.refresh_expires_at <= datetime.now(timezone.utc):
            found.expired = True
        else:
            found.company = _company_name(qbo, company_name)
            found.refresh_expires_at = _refresh_expiry(qbo)   # read after: the call may have refreshed it
    except NotConnected:   # QuickBooks refused the stored authorization (invalid_grant)
        found.expired = True
    except Exception as exc:
        found.problem = explain(exc) or ""
        if not found.problem:
            found.problem = "QuickBooks did not answer as expected; the console's log has the details."
            log.warning("overview: reading the QuickBooks company failed", exc_info=exc)
        found.refresh_expires_at = found.refresh_expires_at or _safe_expiry(res)
    if found.expired:
        found.problem = ("The QuickBooks connection has expired: syncs cannot reach QuickBooks until it "
                         "is reconnected.")
    return found


# A company's name rarely changes: read from QBO at most every few minutes per company, so the
# page costs no QBO round trip on most visits (and no read from the QBO budget of a sync).
COMPANY_NAME_SECONDS = 600
_names: dict[str, tuple[float, str]] = {}


def _company_name(qbo, read) -> str:
    import time

    cached = _names.get(qbo.realm_id)
    if cached and time.monotonic() - cached[0] < COMPANY_NAME_SECONDS:
        return cached[1]
    name = read(qbo)
    _names[qbo.realm_id] = (time.monotonic(), name)
    return name


def _refresh_expiry(qbo) -> datetime | None:
    tokens = qbo._tokens.load(qbo.realm_id)   # stored, encrypted; only the expiry time is used
    return datetime.fromtimestamp(tokens.refresh_expires_at, timezone.utc) if tokens else None


def _safe_expiry(res) -> datetime | None:
    try:
        return _refresh_expiry(res.qbo)
    except Exception:
        return None
