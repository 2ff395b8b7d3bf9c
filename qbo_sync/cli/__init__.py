"""`qbo-sync`: the command line.

Each `verbs_*.py` module in this package adds its verbs with `register(verbs)`; they are
found at start-up, so a new group of verbs is a new module and nothing else.
The verbs that only read (status, history, payload, report, log, mapping show) open the
staging database with `_reader` and never load the full settings: they import neither
Prefect, Great Expectations, pandas nor SQLAlchemy, need no QuickBooks credentials, and
answer at once (bench/bench_read_verbs.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path

from qbo_sync.tables import render_table as _table  # noqa: F401 - shared by the verbs_* modules

class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""

# --- helpers -------------------------------------------------------------------------
def _settings(args, **overrides):
    from qbo_sync.settings import load_settings

    return load_settings(args.config, **overrides)

def _resources(args, **overrides):
    from qbo_sync.resources import Resources

    return Resources(_settings(args, **overrides))

def _location(args):
    """Where the configuration keeps its state, without loading (and checking) every setting."""
    from qbo_sync.settings_file import locate

    return locate(args.config)

def _reader(args):
    """The staging database for a read-only verb (qbo_sync.db.reading)."""
    from qbo_sync.db.reading import open_reader

    return open_reader(_location(args).staging_url)

def _print_json(value) -> None:
    """JSON as UTF-8 text ("Café", not "Caf\\u00e9"), whatever the terminal's locale says."""
    stream = sys.stdout
    if (getattr(stream, "encoding", None) or "").lower().replace("-", "") != "utf8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")
    print(json.dumps(value, indent=2, default=str, ensure_ascii=False))

def _entities(args) -> list[str] | None:
    from qbo_sync import entities as registry

    names = args.entity or None
    for name in names or []:
        registry.get(name)   # an unknown entity fails here, with the list of known ones
    return names

def _import_mode(args) -> tuple[str, list[str] | None]:
    if getattr(args, "select", None):
        return "selected", args.select
    if getattr(args, "all", False):
        return "all", None
    return "new", None

def _add_import_modes(parser, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--new", action="store_true", help="records not staged yet (the default)")
    group.add_argument("--all", action="store_true", help="every record, taking in edits")
    group.add_argument("--select", nargs="+", metavar="ID", help="these source ids")

def _print_report(report: dict) -> None:
    from qbo_sync.pipeline.report import to_text

    print(to_text(report))

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qbo-sync", description=(
        "Stage a construction company's project data and sync it to QuickBooks Online: "
        "import → validate → map → preview → push."))
    parser.add_argument("--config", metavar="PATH",
                        help="settings file (default: $QBO_SYNC_CONFIG, else config/settings.yaml)")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    package = Path(__file__).parent
    for module in sorted(m.name for m in pkgutil.iter_modules([str(package)]) if m.name.startswith("verbs_")):
        importlib.import_module(f"{__name__}.{module}").register(verbs)
    return parser

def _user_errors() -> tuple[type[BaseException], ...]:
    """Failures whose message is the whole story for a user (a configuration error, a record
    that is not there, ...): one line naming the file, key or variable, no traceback."""
    from qbo_sync.record_refs import RecordNotFound
    from qbo_sync.settings_file import SettingsError

    errors: list[type[BaseException]] = [CliError, SettingsError, RecordNotFound, ValueError]
    # An error of a module that was never imported cannot have been raised: only those that
    # were are looked up, so a read-only verb's error does not import pandas or SQLAlchemy.
    for module, name in (("qbo_sync.sources.base", "SourceError"),
                         ("qbo_sync.validation.suites", "SuiteError"),
                         ("qbo_sync.qbo.connection", "NotConnected"),
                         ("qbo_sync.qbo.outage", "QuickBooksDown"),
                         ("qbo_sync.qbo.metering", "ReadBudgetSpent"),
                         ("qbo_sync.pipeline.pushing", "ProjectsNotEnabled"),
                         ("qbo_sync.pipeline.tracking", "TrackingMismatch"),
                         ("qbo_sync.qbo.tokens", "TokenKeyError"),
                         ("qbo_sync.console.auth", "ConsoleConfigError")):
        if module in sys.modules:
            errors.append(getattr(sys.modules[module], name))
    return tuple(errors)

def main(argv: list[str] | None = None) -> int:
    # Prefect's temporary server sends usage telemetry; offline (as these machines often are)
    # it logs a traceback into every run's output. A user's own setting wins.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if isinstance(exc, _user_errors()):
            print(f"qbo-sync: {' '.join(str(exc).split())}", file=sys.stderr)
            return 1
        raise

if __name__ == "__main__":
    sys.exit(main())
