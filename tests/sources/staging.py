"""Resources over a given source and a fresh staging database: import and validate without QBO."""

from __future__ import annotations

from pathlib import Path

from qbo_sync.resources import Resources
from qbo_sync.settings import load_settings

REPO = Path(__file__).resolve().parents[2]


def resources_for(source, staging_url: str, data_dir: Path) -> Resources:
    """Resources whose source is `source` (any adapter) and whose staging database is `staging_url`."""
    settings = load_settings(None, data_dir=data_dir, database_url=staging_url,
                             validations_dir=REPO / "validations")
    res = Resources(settings)
    res.__dict__["source"] = source   # the cached_property, given rather than built from settings
    return res
