"""Several QuickBooks companies: each its own realm, staging database, source, rules, schedule.

`companies:` in settings names each company with what differs from the top-level settings.
A flow run reads one settings file, so each company gets a derived settings file under
data_dir/companies/, and its deployments pass that file as the `config` parameter. Secrets
are never written there: they come from the environment (or a Prefect Secret) at load.
"""

from __future__ import annotations

import os
from pathlib import Path

from qbo_sync.settings import Settings, load_settings

# Never written to a derived file; every run reads them from the environment again.
SECRET_KEYS = (("token_key",), ("qbo", "client_secret"), ("notifications", "smtp_password"))


def _merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


def company_values(settings: Settings, name: str) -> dict:
    """The full settings of one company, as plain values."""
    if name not in settings.companies:
        known = ", ".join(settings.companies) or "none configured"
        raise ValueError(f"unknown company {name!r} (companies: {known})")
    company = settings.companies[name]
    values = settings.model_dump(mode="json", exclude={"companies"})
    values = _merge(values, {k: getattr(company, k) for k in ("source", "qbo", "sync", "schedule")})
    if company.realm_id:
        values["qbo"]["realm_id"] = company.realm_id
    values["data_dir"] = str(company.data_dir or Path(settings.data_dir) / "companies" / name)
    # Never the top-level database: each company stages into its own (empty: SQLite in its data_dir).
    values["database_url"] = company.database_url
    values["reports_dir"] = str(Path(settings.reports_dir) / name)
    return values


def company_settings(settings: Settings, name: str) -> Settings:
    return load_settings(None, **company_values(settings, name))


def write_company_config(settings: Settings, name: str) -> Path:
    """The company's settings as a YAML file a flow run can read (secrets left out)."""
    import yaml

    values = company_values(settings, name)
    _leave_out_secrets(settings, values)
    target = Path(settings.data_dir) / "companies" / f"{name}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump(values, handle, sort_keys=False)
    return target.resolve()


def _leave_out_secrets(settings: Settings, values: dict) -> None:
    """Secret values never reach the file: a `prefect-secret:` reference is kept as written
    (the run reads the block again), any other secret is dropped (read from the environment)."""
    from qbo_sync.ops.secrets import SECRET_SETTINGS, is_reference

    references = settings._secret_references
    for path in dict.fromkeys(SECRET_KEYS + SECRET_SETTINGS):
        node = values
        for key in path[:-1]:
            node = node.get(key, {})
        value, dotted = node.get(path[-1]), ".".join(path)
        if is_reference(value):
            continue
        if dotted in references and value == _value_at(settings, path):
            node[path[-1]] = references[dotted]
        elif path in SECRET_KEYS:
            node.pop(path[-1], None)


def _value_at(settings: Settings, path: tuple[str, ...]):
    node = settings
    for key in path:
        node = getattr(node, key)
    return node


def company_configs(settings: Settings, config: str | None) -> dict[str, tuple[str | None, Settings]]:
    """{company: (settings file, settings)}; one entry named "" when no companies are set."""
    if not settings.companies:
        return {"": (str(Path(config).resolve()) if config else None, settings)}
    return {name: (str(write_company_config(settings, name)), company_settings(settings, name))
            for name in settings.companies}
