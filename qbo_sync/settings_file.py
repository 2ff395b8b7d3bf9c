"""The settings file and its folders, without pydantic: which file, its YAML, where things are.

qbo_sync.settings builds the validated Settings on top of this. The verbs that only read
the staging database (status, history, payload, report, log, mapping show) need nothing
but where it is, so they ask `locate()` and answer without importing pydantic-settings or
SQLAlchemy (~1 s on a small machine).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CONFIG = Path("config/settings.yaml")
ENV_PREFIX = "QBO_SYNC_"
DEFAULT_DATA_DIR = Path(".qbo-sync")

# Settings that name a folder or file; "*" stands for any company name.
PATH_KEYS = (("data_dir",), ("validations_dir",), ("reports_dir",), ("source", "csv", "path"),
             ("companies", "*", "data_dir"), ("companies", "*", "source", "csv", "path"))


class SettingsError(Exception):
    """Settings that cannot be used. The message names the file, the key or the variable."""


def config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """The settings file to read (absolute), or None for the embedded defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise SettingsError(f"settings file not found: {path}")
        return absolute(path)
    from_env = os.environ.get("QBO_SYNC_CONFIG")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise SettingsError(f"settings file not found: {path} (from QBO_SYNC_CONFIG)")
        return absolute(path)
    return absolute(DEFAULT_CONFIG) if DEFAULT_CONFIG.is_file() else None


def read_yaml(path: Path) -> dict | None:
    """The file's top-level mapping; a file that is not one is a SettingsError naming it."""
    import yaml

    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot be read: {exc}") from None
    if content is not None and not isinstance(content, dict):
        raise SettingsError(f"{path}: the top level must be a mapping of keys to values")
    return content


def absolute(path: os.PathLike | str) -> Path:
    return Path(os.path.abspath(Path(path).expanduser()))


def relative_to(content: dict, folder: Path) -> dict:
    """The file's values with its relative folders (and SQLite files) made relative to `folder`."""
    def place(value):
        if not isinstance(value, str) or not value:
            return value
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else absolute(folder) / path)

    def walk(node, keys):
        if not isinstance(node, dict):
            return
        for name in (list(node) if keys[0] == "*" else [keys[0]]):
            if name not in node:
                continue
            if len(keys) == 1:
                node[name] = place(node[name])
            else:
                walk(node[name], keys[1:])

    for keys in PATH_KEYS:
        walk(content, keys)
    url = content.get("database_url")
    prefix = "sqlite:///"
    if isinstance(url, str) and url.startswith(prefix) and url[len(prefix):] not in ("", ":memory:"):
        content["database_url"] = prefix + place(url[len(prefix):])
    return content


def staging_url_of(database_url: str, data_dir: Path) -> str:
    """The staging database: database_url, or SQLite in the data directory."""
    return database_url or f"sqlite:///{(Path(data_dir) / 'staging.db').resolve()}"


@dataclass(frozen=True)
class Location:
    """Where a configuration keeps its state; the same answers as the full Settings give."""

    settings_file: Path | None
    data_dir: Path
    reports_dir: Path
    staging_url: str


def locate(explicit: str | os.PathLike | None = None) -> Location:
    """The settings file, data and reports folders and staging database, from the file and
    the environment (QBO_SYNC_DATA_DIR, QBO_SYNC_DATABASE_URL, QBO_SYNC_REPORTS_DIR)."""
    path = config_path(explicit)
    content = relative_to(read_yaml(path) or {}, path.parent) if path else {}

    def value(key: str):
        wanted = (ENV_PREFIX + key).upper()
        # Environment names are matched without regard to case, as pydantic-settings does.
        from_env = next((v for k, v in os.environ.items() if k.upper() == wanted), None)
        return from_env if from_env is not None else content.get(key)

    for key in ("data_dir", "reports_dir", "database_url"):
        if value(key) is not None and not isinstance(value(key), str):
            raise SettingsError(f"{path}: {key}: must be text (a folder or a URL)")
    data_dir = absolute(DEFAULT_DATA_DIR if value("data_dir") is None else value("data_dir"))
    reports_dir = absolute(data_dir / "reports" if value("reports_dir") is None else value("reports_dir"))
    return Location(path, data_dir, reports_dir, staging_url_of(value("database_url") or "", data_dir))
