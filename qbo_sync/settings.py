"""Settings: a YAML file, every key overridable by an environment variable.

Where the file comes from, first match wins: `--config PATH`, $QBO_SYNC_CONFIG,
config/settings.yaml in the working directory. Environment variables QBO_SYNC_<KEY>
override it, nested keys joined with `__` (QBO_SYNC_SYNC__PROJECT_MODE=sub-customer).
Secrets (client secret, token key) belong in the environment, never in the file, or in a
Prefect Secret block named by the setting: `client_secret: prefect-secret:qbo-client-secret`
(qbo_sync.ops.secrets).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings import YamlConfigSettingsSource

DEFAULT_CONFIG = Path("config/settings.yaml")
ENV_PREFIX = "QBO_SYNC_"


class SettingsError(Exception):
    """Settings that cannot be used. The message names every bad key."""


class _Section(BaseModel):
    # A misspelt key is an error, not a silently ignored line.
    model_config = ConfigDict(extra="forbid")


class DemoSourceSettings(_Section):
    size: int = Field(1, ge=1, le=1000)
    seed: int = 7


class CsvSourceSettings(_Section):
    path: Path = Path("data/source")


class SqlSourceSettings(_Section):
    url: str = ""
    tables: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {}


class SourceSettings(_Section):
    kind: Literal["demo", "csv", "sql"] = "demo"
    demo: DemoSourceSettings = DemoSourceSettings()
    csv: CsvSourceSettings = CsvSourceSettings()
    sql: SqlSourceSettings = SqlSourceSettings()

    @model_validator(mode="after")
    def _sql_needs_url(self):
        if self.kind == "sql" and not self.sql.url:
            raise ValueError("source.sql.url is required when source.kind is sql")
        return self


class QboSettings(_Section):
    """The QuickBooks connection.

    kind `sandbox` (the embedded default) starts the local QBO sandbox in-process, with
    its state in the data directory, and connects to it with the sandbox's demo app.
    kind `remote` talks to the URLs given here: a running `qbo-sync sandbox`, or Intuit.
    """

    kind: Literal["sandbox", "remote"] = "sandbox"
    discovery_url: str = ""
    api_url_v3: str = ""
    graphql_url: str = ""
    realm_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = "http://localhost:8765/callback"
    minorversion: int = Field(75, ge=75)
    timeout_seconds: float = Field(60, gt=0)

    @model_validator(mode="after")
    def _remote_needs_urls(self):
        if self.kind == "remote":
            missing = [k for k in ("discovery_url", "api_url_v3", "realm_id", "client_id", "client_secret")
                       if not getattr(self, k)]
            if missing:
                raise ValueError("qbo.kind remote needs " + ", ".join(f"qbo.{k}" for k in missing))
        return self


class EntityRule(_Section):
    auto_create: bool = True   # scheduled imports pick up new source records
    auto_update: bool = True   # scheduled imports pick up edits to staged records


class SyncSettings(_Section):
    project_mode: Literal["customer", "sub-customer", "project"] = "sub-customer"
    bill_with_parent: bool = True
    auto_confirm_customer: bool = False
    rules: dict[str, EntityRule] = {}

    def rule(self, entity: str) -> EntityRule:
        return self.rules.get(entity, EntityRule())


class PushSettings(_Section):
    batch_size: int = Field(30, ge=1, le=30)   # QBO's batch limit is 30 operations
    # local: one process paces the company's budget; prefect: Prefect's global concurrency
    # and rate limits, shared by every worker that pushes to the company (needs a server).
    pacer: Literal["local", "prefect"] = "local"
    # QBO's minute divided by this, for a time-scaled sandbox (benchmarks, fault tests).
    time_scale: float = Field(1.0, gt=0)


# --- operations (issue 6): schedule, notifications, several companies ------------------
class ScheduleSettings(_Section):
    """When the nightly sync runs; applied with `qbo-sync schedule apply`."""

    every: Literal["daily", "weekly", "cron"] = "daily"
    at: str = Field("02:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")   # HH:MM, for daily and weekly
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    cron: str = ""                     # five fields, when every is cron
    timezone: str = "UTC"
    # Nightly runs have no one to ask: approve always, or only when the run deletes nothing in QBO.
    approve: Literal["always", "no-deletes"] = "always"

    @model_validator(mode="after")
    def _cron_needs_expression(self):
        if self.every == "cron" and len(self.cron.split()) != 5:
            raise ValueError("schedule.cron needs five fields (minute hour day month weekday) when schedule.every is cron")
        return self


class NotificationSettings(_Section):
    """Where a run with Failed or Needs Action records, a failed run, or an expired
    QuickBooks connection is reported. Empty: no notifications."""

    webhook_url: str = ""              # generic JSON POST
    slack_webhook_url: str = ""        # Slack incoming webhook
    email_to: list[str] = []
    email_from: str = "qbo-sync@localhost"
    smtp_host: str = ""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""            # from the environment: QBO_SYNC_NOTIFICATIONS__SMTP_PASSWORD
    smtp_starttls: bool = False
    timeout_seconds: float = Field(10, gt=0)


class CompanySettings(_Section):
    """One more QuickBooks company: its own realm, staging database, source, rules and schedule.

    Unset parts fall back to the top-level settings (see qbo_sync.ops.companies).
    """

    realm_id: str = ""
    database_url: str = ""
    data_dir: Path | None = None
    source: dict = {}
    qbo: dict = {}
    sync: dict = {}
    schedule: dict = {}


class ConsoleUser(_Section):
    username: str = Field(min_length=1)
    password_hash: str = Field(min_length=1)   # from `qbo-sync console hash-password`
    role: Literal["admin", "viewer"] = "viewer"


class ConsoleSettings(_Section):
    """The web console: who may sign in, and the key that signs their sessions."""

    users: list[ConsoleUser] = []
    # Empty: a key generated once into data_dir/console.key. Set it with
    # QBO_SYNC_CONSOLE__SECRET_KEY when several console processes share sessions.
    secret_key: str = ""
    page_size: int = Field(50, ge=10, le=500)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid",
        case_sensitive=False,
    )

    yaml_file: ClassVar[Path | None] = None   # bound per load by load_settings

    data_dir: Path = Path(".qbo-sync")
    database_url: str = ""          # empty: SQLite in the data directory
    token_key: str = ""             # Fernet key for tokens at rest; empty: a key file in data_dir
    source: SourceSettings = SourceSettings()
    qbo: QboSettings = QboSettings()
    sync: SyncSettings = SyncSettings()
    push: PushSettings = PushSettings()
    console: ConsoleSettings = ConsoleSettings()
    validations_dir: Path = Path("validations")
    reports_dir: Path = Path("reports")
    schedule: ScheduleSettings = ScheduleSettings()
    notifications: NotificationSettings = NotificationSettings()
    companies: dict[str, CompanySettings] = {}

    # Settings read from a Prefect Secret block: {"qbo.client_secret": "prefect-secret:NAME"}.
    # Derived settings files (several companies) keep the reference, never the value.
    _secret_references: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _read_prefect_secrets(self):
        from qbo_sync.ops.secrets import SECRET_SETTINGS, SecretNotFound, is_reference, read_secret

        for path in SECRET_SETTINGS:
            owner = self
            for part in path[:-1]:
                owner = getattr(owner, part)
            reference = getattr(owner, path[-1])
            if is_reference(reference):
                key = ".".join(path)
                try:
                    setattr(owner, path[-1], read_secret(reference))
                except SecretNotFound as exc:
                    raise ValueError(f"{key}: {exc}") from None
                self._secret_references[key] = reference
        return self

    @property
    def staging_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'staging.db').resolve()}"

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                   dotenv_settings, file_secret_settings,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the YAML file, which wins over the defaults.
        yaml_file = cls.yaml_file
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if yaml_file is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=yaml_file))
        return tuple(sources)


def config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """The settings file to read, or None for the embedded defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise SettingsError(f"settings file not found: {path}")
        return path
    from_env = os.environ.get("QBO_SYNC_CONFIG")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise SettingsError(f"settings file not found: {path} (from QBO_SYNC_CONFIG)")
        return path
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def load_settings(path: str | os.PathLike | None = None, **overrides) -> Settings:
    """Read and validate settings; a bad key or value raises SettingsError naming it."""
    yaml_file = config_path(path)
    if yaml_file is not None:
        _check_yaml(yaml_file)
    bound = type("BoundSettings", (Settings,), {"yaml_file": yaml_file})
    try:
        return bound(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, yaml_file)) from None


def _check_yaml(path: Path) -> None:
    import yaml

    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from None
    if content is not None and not isinstance(content, dict):
        raise SettingsError(f"{path}: the top level must be a mapping of keys to values")


def _describe(exc: ValidationError, yaml_file: Path | None) -> str:
    where = f" in {yaml_file} or the environment" if yaml_file else " in the environment"
    lines = [f"invalid settings{where}:"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function-"))
        env_name = ENV_PREFIX + "__".join(str(p) for p in error["loc"]).upper()
        if error["type"] == "extra_forbidden":
            lines.append(f"  {key}: unknown setting")
        else:
            lines.append(f"  {key or '(settings)'}: {error['msg']} (environment variable {env_name})")
    return "\n".join(lines)
