"""Finding and reading the suites (one JSON file per source table).

The suites shipped with qbo-sync live in the package (qbo_sync/validations/); settings
`validations_dir` (QBO_SYNC_VALIDATIONS_DIR) names a folder of tuned copies instead, as
`qbo-sync init` writes one.

Reading is plain JSON so that commands which only list or inspect suites stay fast;
building the Great Expectations object (load_suite) imports GX lazily.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import qbo_sync

# The settings' own variable for validations_dir: also honoured where no settings are loaded.
SUITES_DIR_ENV = "QBO_SYNC_VALIDATIONS_DIR"
SHIPPED_SUITES = Path(qbo_sync.__file__).resolve().parent / "validations"

# Kwargs that name the columns an expectation reads.
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS = ("column_list",)


class SuiteError(Exception):
    """Validation could not run: the message names the suite and what is wrong with it or its inputs."""


def default_suites_dir() -> Path:
    """The suites shipped in the package, unless QBO_SYNC_VALIDATIONS_DIR names another folder."""
    override = os.environ.get(SUITES_DIR_ENV)
    if override:
        return Path(override)
    return SHIPPED_SUITES


def available_suites(suites_dir: Path | None = None) -> list[str]:
    folder = Path(suites_dir) if suites_dir is not None else default_suites_dir()
    return sorted(p.stem for p in folder.glob("*.json"))


def suite_path(suite_name: str, suites_dir: Path | None = None) -> Path:
    folder = Path(suites_dir) if suites_dir is not None else default_suites_dir()
    return folder / f"{suite_name}.json"


def read_suite_json(suite_name: str, suites_dir: Path | None = None) -> dict[str, Any]:
    """The suite file as a dict, checked for the shape the runner relies on."""
    path = suite_path(suite_name, suites_dir)
    if not path.is_file():
        if not path.parent.is_dir():
            raise SuiteError(f"No validation suite '{suite_name}': the folder {path.parent} does not exist "
                             "(settings: validations_dir; leave it empty for the shipped suites)")
        known = ", ".join(available_suites(path.parent)) or "none"
        raise SuiteError(f"No validation suite '{suite_name}': {path} does not exist (suites there: {known}; "
                         f"`qbo-sync init` writes a copy of every shipped suite)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{path} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations", []), list):
        raise SuiteError(f"{path} must be a JSON object with an \"expectations\" list")
    for position, expectation in enumerate(data.get("expectations", []), start=1):
        if not isinstance(expectation, dict) or not isinstance(expectation.get("kwargs", {}), dict):
            raise SuiteError(f"{path}: expectation {position} must be an object with \"type\" and \"kwargs\"")
    data.setdefault("name", suite_name)
    data["meta"] = data.get("meta") or {}
    if not isinstance(data["meta"], dict):
        raise SuiteError(f"{path}: \"meta\" must be an object")
    return data


def load_suite(suite_name: str, suites_dir: Path | None = None):
    """The suite as a great_expectations.ExpectationSuite, read fresh from its JSON file."""
    return build_gx_suite(read_suite_json(suite_name, suites_dir), suite_path(suite_name, suites_dir))


def build_gx_suite(data: dict[str, Any], path: Path):
    """Builds each expectation itself: GX's ExpectationSuite(**data) logs a traceback and silently
    drops an expectation it cannot build, and a dropped check must never pass for a passed one."""
    import great_expectations as gx  # lazy: 2-3 s and ~230 MB
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations = []
    for position, expectation in enumerate(data["expectations"], start=1):
        try:
            expectations.append(ExpectationConfiguration(**expectation).to_domain_obj())
        except Exception as exc:  # GX raises several types (its own, pydantic's, TypeError)
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise SuiteError(
                f"{path}: expectation {position} ({expectation.get('type', 'no type')}) is not valid: {detail}"
            ) from None
    fields = {k: v for k, v in data.items() if k != "expectations"}
    try:
        suite = gx.ExpectationSuite(expectations=expectations, **fields)
    except Exception as exc:
        raise SuiteError(f"{path} is not a valid suite: {exc}") from None
    if len(suite.expectations) != len(expectations):
        raise SuiteError(f"{path}: Great Expectations refused some expectations; check the log")
    return suite


def parameter_names(data: dict[str, Any]) -> list[str]:
    """The suite parameters ({"$PARAMETER": name}) the suite's expectations need at run time."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            name = value.get("$PARAMETER")
            if isinstance(name, str) and name not in found:
                found.append(name)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for expectation in data["expectations"]:
        walk(expectation.get("kwargs", {}))
    return found


def value_set_parameters(data: dict[str, Any]) -> set[str]:
    """The parameters that stand for a whole value_set (lists of known ids)."""
    names = set()
    for expectation in data["expectations"]:
        value_set = expectation.get("kwargs", {}).get("value_set")
        if isinstance(value_set, dict) and isinstance(value_set.get("$PARAMETER"), str):
            names.add(value_set["$PARAMETER"])
    return names


def expectation_columns(kwargs: dict[str, Any]) -> list[str]:
    """The columns an expectation reads, in the order its kwargs name them."""
    columns = [kwargs[k] for k in _COLUMN_KWARGS if isinstance(kwargs.get(k), str)]
    for k in _COLUMN_LIST_KWARGS:
        if isinstance(kwargs.get(k), list):
            columns.extend(c for c in kwargs[k] if isinstance(c, str))
    return columns
