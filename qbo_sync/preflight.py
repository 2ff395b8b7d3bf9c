"""Configuration checks before a run starts.

A run that would stop on its configuration (a bad settings key, a missing or broken
validation suite, a bad mappings file, a missing client secret or token key, a CSV folder
that is not there) stops here instead, before Prefect starts: one line that names the
file, the key or the environment variable to set, never a traceback in a flow-run log.
"""

from __future__ import annotations

from qbo_sync.settings import Settings, SettingsError, load_settings


def check(config: str | None, entities: list[str] | None = None, qbo: bool = True) -> Settings:
    """The settings of `config`, once every part a sync of `entities` reads is usable."""
    from qbo_sync import entities as registry
    from qbo_sync import mappings
    from qbo_sync.validation.suites import read_suite_json

    settings = load_settings(config)
    for spec in registry.resolve(entities):
        for suite in (spec.suite, spec.child_table):
            if suite:
                read_suite_json(suite, settings.validations_dir)
    maps = mappings.load_mappings(mappings.find_path(type(settings).yaml_file))
    if settings.source.kind == "csv" and not settings.source.csv.path.is_dir():
        raise SettingsError(f"source.csv.path: the folder {settings.source.csv.path} does not exist "
                            "(environment variable QBO_SYNC_SOURCE__CSV__PATH)")
    if qbo:
        settings.qbo.require_credentials()
        if settings.token_key:
            from qbo_sync.qbo.tokens import load_key

            load_key(settings.token_key, settings.data_dir)   # TokenKeyError names QBO_SYNC_TOKEN_KEY
        _tracking(settings, registry.resolve(entities), maps)
    return settings


def check_project_mode(config: str | None, settings: Settings) -> None:
    """Project mode needs Projects turned on and the GraphQL Projects API open to this app
    (Intuit offers it to some partner tiers only). Asked of QuickBooks here, before Prefect
    starts, so a refusal is one line; the map stage asks again for runs started elsewhere
    (schedules, the console)."""
    if settings.sync.project_mode != "project":
        return
    from qbo_sync.pipeline.pushing import check_mode
    from qbo_sync.resources import for_config

    check_mode(for_config(config).reader, settings.sync)


def _tracking(settings: Settings, specs, maps) -> None:
    """Mapped classes and locations against the company's Preferences (TrackingMismatch): the
    map stage checks again, but inside a flow run Prefect would log a traceback around it."""
    from qbo_sync.pipeline import tracking

    classes, locations, _ = tracking.needed(specs, maps)
    if not classes and not locations:
        return    # no QuickBooks call for a run that maps neither
    from qbo_sync.resources import Resources

    res = Resources(settings)
    try:
        tracking.check(res.reader, specs, maps)
    finally:
        res.close()
