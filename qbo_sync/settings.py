"""Settings: a YAML file, every key overridable by an environment variable.

Where the file comes from, first match wins: `--config PATH`, $QBO_SYNC_CONFIG,
config/settings.yaml in the working directory; none: the embedded defaults (the demo
source, the embedded QBO sandbox, state in ./.qbo-sync). `qbo-sync init` writes a starter
file (qbo_sync/defaults/settings.yaml, every key with a comment). Environment variables
QBO_SYNC_<KEY> override it, nested keys joined with `__` (QBO_SYNC_SYNC__PROJECT_MODE=customer).

Folders and files named in the settings file are relative to that file's folder, so a
configuration folder works from any working directory; those given in the environment or
in code are relative to the working directory. Either way they are made absolute on load.
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
from pydantic_settings import InitSettingsSource

from qbo_sync.settings_file import (DEFAULT_CONFIG, ENV_PREFIX, SettingsError, absolute, config_path,  # noqa: F401
                                    read_yaml, relative_to, staging_url_of)

class _Section(BaseModel):
    # A misspelt key is an error, not a silently ignored line.
    model_config = ConfigDict(extra="forbid")


class DemoSourceSettings(_Section):
    size: int = Field(1, ge=1, le=1000)
    seed: int = 7
    # A folder for the demo's bill documents (small PDFs it writes there); none: no documents.
    documents: Path | None = None


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
    # Intuit's webhook verifier token: a secret (QBO_SYNC_QBO__WEBHOOK_VERIFIER_TOKEN), it signs
    # the notifications POSTed to /webhooks/intuit. Empty: the receiver accepts nothing.
    webhook_verifier_token: str = ""
    # QuickBooks answering only server errors (or nothing): keep retrying this long, then stop the run.
    outage_minutes: float = Field(4, gt=0)
    # Intuit meters reads (500,000 a month on the free Builder tier): a notification at 80%,
    # and at 100% the optional reads (reference lists, reconcile) stop; writes continue. 0: no budget.
    monthly_read_budget: int = Field(500_000, ge=0)
    # Notify this many days before the QuickBooks connection (the refresh token) expires.
    expiry_warning_days: int = Field(14, ge=0)

    @model_validator(mode="after")
    def _remote_needs_urls(self):
        # The app's credentials are checked when QBO is used (require_credentials), so the
        # verbs that only read the staging database run without them.
        if self.kind == "remote":
            missing = [k for k in ("discovery_url", "api_url_v3", "realm_id") if not getattr(self, k)]
            if missing:
                raise ValueError("qbo.kind remote needs " + ", ".join(f"qbo.{k}" for k in missing))
        return self

    def require_credentials(self) -> None:
        """Before talking to a remote QBO: the app's id and secret, named by the variable to set."""
        if self.kind != "remote":
            return
        for key, what in (("client_id", "client id"), ("client_secret", "client secret")):
            if not getattr(self, key):
                raise SettingsError(
                    f"qbo.{key} is not set: set the environment variable {ENV_PREFIX}QBO__{key.upper()} "
                    f"to your Intuit app's {what} (or name a Prefect Secret block in the settings file: "
                    f"{key}: prefect-secret:NAME)")


class EntityRule(_Section):
    auto_create: bool = True   # scheduled imports pick up new source records
    auto_update: bool = True   # scheduled imports pick up edits to staged records


class SyncSettings(_Section):
    project_mode: Literal["customer", "sub-customer", "project"] = "sub-customer"
    bill_with_parent: bool = True
    auto_confirm_customer: bool = False
    # With a run's `rehearse` on: push for real only when the rehearsal on a copy of the
    # company had no refusal (qbo_sync/rehearsal); otherwise the run stops with its report.
    push_only_if_rehearsal_clean: bool = False
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
    # The address people (and links in the Prefect UI's run artifacts) reach the console at;
    # run reports and Data Docs are served under it, at /reports/.
    public_url: str = Field("http://127.0.0.1:8080", pattern=r"^https?://[^/\s]+(/\S*)?$")


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
    validations_dir: Path | None = None   # tuned suites; empty: the suites shipped with qbo-sync
    reports_dir: Path | None = None       # run reports and Data Docs; empty: data_dir/reports
    schedule: ScheduleSettings = ScheduleSettings()
    notifications: NotificationSettings = NotificationSettings()
    companies: dict[str, CompanySettings] = {}
    # Set only in a rehearsal's own settings file (qbo_sync/rehearsal): the company it copies.
    # Such a file wins over the QBO_SYNC_* environment, so that a rehearsal never reaches the
    # real company or staging database through a variable meant for the real runs.
    rehearsal_of: str = ""

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

    @model_validator(mode="after")
    def _absolute_folders(self):
        # Absolute from here on: a flow run, a worker or a derived company file reads the
        # same folders whatever its working directory.
        self.data_dir = absolute(self.data_dir)
        self.reports_dir = absolute(self.reports_dir or self.data_dir / "reports")
        if self.validations_dir is not None:
            self.validations_dir = absolute(self.validations_dir)
        self.source.csv.path = absolute(self.source.csv.path)
        for company in self.companies.values():
            if company.data_dir is not None:
                company.data_dir = absolute(company.data_dir)
        return self

    @property
    def staging_url(self) -> str:
        return staging_url_of(self.database_url, self.data_dir)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                   dotenv_settings, file_secret_settings,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the YAML file, which wins over the defaults.
        yaml_file = cls.yaml_file
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if yaml_file is not None:
            content = read_yaml(yaml_file) or {}
            from_file = InitSettingsSource(settings_cls, init_kwargs=relative_to(content, yaml_file.parent))
            if content.get("rehearsal_of"):
                sources.insert(1, from_file)
            else:
                sources.append(from_file)
        return tuple(sources)


def load_settings(path: str | os.PathLike | None = None, **overrides) -> Settings:
    """Read and validate settings; a bad key or value raises SettingsError naming it."""
    yaml_file = config_path(path)
    if yaml_file is not None:
        read_yaml(yaml_file)   # a broken file is named before pydantic sees it
    bound = type("BoundSettings", (Settings,), {"yaml_file": yaml_file})
    try:
        return bound(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, yaml_file)) from None


def _describe(exc: ValidationError, yaml_file: Path | None) -> str:
    """One line: where the settings came from, then each bad key, its problem and its variable."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        key = ".".join(loc)
        if error["type"] == "extra_forbidden":
            problems.append(f"{key}: unknown setting")
        else:
            message = " ".join(str(error["msg"]).removeprefix("Value error, ").split())
            env_name = ENV_PREFIX + "__".join(loc).upper()
            problems.append(f"{key or '(settings)'}: {message}"
                            + (f" (environment variable {env_name})" if loc else ""))
    where = f"{yaml_file} (or its QBO_SYNC_* environment variables)" if yaml_file else \
        "settings from QBO_SYNC_* environment variables"
    return f"{where}: " + "; ".join(problems)
