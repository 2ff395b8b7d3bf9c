"""`qbo-sync init [DIR]`: a starter configuration folder, from the defaults shipped in the package.

DIR gets settings.yaml (every key, with a comment), mappings.yaml, validations/ (a copy
of the shipped suites, which the settings name as the tuned suites) and prefect.yaml (the
deployments, for `prefect deploy --all`). Nothing that exists is overwritten unless asked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from qbo_sync.validation.suites import SHIPPED_SUITES

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults"
FILES = ("settings.yaml", "mappings.yaml", "prefect.yaml")


class StarterExists(Exception):
    """The folder already holds a configuration; the message names what would be overwritten."""


def write_starter(folder: Path, force: bool = False) -> list[Path]:
    """Write the starter files into `folder`; returns what was written."""
    folder = Path(folder)
    targets = [folder / name for name in FILES] + [folder / "validations"]
    present = [p for p in targets if p.exists()]
    if present and not force:
        raise StarterExists(f"{', '.join(str(p) for p in present)} already exist(s): "
                            "pass --force to overwrite them, or choose another folder")
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(DEFAULTS / name, folder / name)
    suites = folder / "validations"
    suites.mkdir(exist_ok=True)
    for suite in sorted(SHIPPED_SUITES.glob("*.json")):
        shutil.copyfile(suite, suites / suite.name)
    return targets
