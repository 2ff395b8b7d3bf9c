"""The outside world, chosen by settings in one place: staging database, source, QBO.

Flows, tasks and the CLI ask for these; none builds a client of its own.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from qbo_sync.settings import Settings, load_settings


class Resources:
    def __init__(self, settings: Settings):
        self.settings = settings
        # How long reads wait out a QuickBooks outage before QuickBooksDown: the setting, for
        # runs; the console asks for less, since a person is waiting (limit_outage).
        self.outage_seconds = settings.qbo.outage_minutes * 60

    def limit_outage(self, seconds: float) -> None:
        """Give up on a QuickBooks outage after at most `seconds` (an interactive caller)."""
        self.outage_seconds = min(self.outage_seconds, seconds)
        if "reader" in self.__dict__:   # already made: its outage watch takes the new limit
            self.reader.outage.limit_seconds = self.outage_seconds

    @cached_property
    def db(self):
        from qbo_sync.db.engine import StagingDb

        return StagingDb(self.settings.staging_url)

    @cached_property
    def source(self):
        return build_source(self.settings)

    @cached_property
    def qbo(self):
        from qbo_sync.qbo.connection import QboConnection
        from qbo_sync.qbo.tokens import TokenStore, load_key

        store = TokenStore(self.db, load_key(self.settings.token_key, self.settings.data_dir))
        q = self.settings.qbo
        connection = QboConnection(qbo_endpoints(self.settings), store, minorversion=q.minorversion,
                                   timeout_seconds=q.timeout_seconds)
        if q.kind == "sandbox":
            connection.ensure_connected()   # the sandbox's demo app authorizes without a browser
        return connection

    @cached_property
    def pacer(self):
        """The company's request budget, shared by every read and write of this process."""
        from qbo_sync.qbo import pacing

        push = self.settings.push
        return pacing.for_realm(self.qbo.realm_id, pacing.Limits(time_scale=push.time_scale),
                                use_prefect=push.pacer == "prefect")

    @cached_property
    def reader(self):
        """Every QBO read goes through this (qbo/reader.py)."""
        from qbo_sync.qbo.metering import CallMeter
        from qbo_sync.qbo.outage import Outage
        from qbo_sync.qbo.reader import QboReader

        meter = CallMeter(self.db, self.qbo.realm_id, self.settings.qbo.monthly_read_budget,
                          warn=self._warn_read_budget, current_run=_current_flow_run)
        return QboReader(self.qbo, self.pacer, outage=Outage(self.outage_seconds),
                         meter=meter)

    def _warn_read_budget(self, text: str) -> None:
        from qbo_sync.ops.notify import Notice, send

        for failure in send(self.settings.notifications,
                            Notice("read-budget", "qbo-sync: the monthly QuickBooks read budget is nearly used", text)):
            print(f"Notification not sent: {failure}")

    def push_engine(self):
        from qbo_sync.qbo.engine import PushEngine

        return PushEngine(self.qbo, batch_size=self.settings.push.batch_size, pacer=self.pacer,
                          reader=self.reader)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


def _current_flow_run() -> str | None:
    """The Prefect flow run making a QBO call, None outside one (without importing Prefect)."""
    import sys

    if "prefect" not in sys.modules:
        return None
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


def qbo_endpoints(settings: Settings):
    from qbo_sync.qbo.connection import Endpoints

    q = settings.qbo
    if q.kind == "sandbox":
        from qbo_sync.qbo.embedded import embedded_sandbox_info

        info = embedded_sandbox_info(settings.data_dir)
        return Endpoints(discovery_url=info["discovery_url"], api_url_v3=info["api_url_v3"],
                         graphql_url=info["base_url"].rstrip("/") + "/graphql",
                         realm_id=q.realm_id or info["realm_id"], client_id=info["client_id"],
                         client_secret=info["client_secret"], redirect_uri=info["redirect_uri"])
    q.require_credentials()   # a one-line error naming QBO_SYNC_QBO__CLIENT_SECRET when it is missing
    graphql = q.graphql_url or q.api_url_v3.rstrip("/").removesuffix("/v3") + "/graphql"
    return Endpoints(discovery_url=q.discovery_url, api_url_v3=q.api_url_v3, graphql_url=graphql,
                     realm_id=q.realm_id, client_id=q.client_id, client_secret=q.client_secret,
                     redirect_uri=q.redirect_uri)


def build_source(settings: Settings):
    s = settings.source
    if s.kind == "demo":
        from qbo_sync.sources.demo import DemoSource

        return DemoSource(size=s.demo.size, seed=s.demo.seed, folder=s.demo.documents)
    if s.kind == "csv":
        from qbo_sync.sources.csv_folder import CsvSource

        return CsvSource(s.csv.path)
    from qbo_sync.sources.sql import SqlSource

    return SqlSource(s.sql.url, tables=s.sql.tables, columns=s.sql.columns)


_cache: dict[tuple, Resources] = {}


def for_config(config: str | None = None) -> Resources:
    """The resources of a settings file, shared by every task of this process."""
    settings = load_settings(config)
    key = (str(Path(config).resolve()) if config else None, settings.model_dump_json())
    if key not in _cache:
        _cache[key] = Resources(settings)
    return _cache[key]


def release(config: str) -> None:
    """Close and forget the resources of a settings file that will not be used again (a rehearsal's)."""
    path = str(Path(config).resolve())
    for key in [k for k in _cache if k[0] == path]:
        _cache.pop(key).close()
