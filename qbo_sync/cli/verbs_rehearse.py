"""`qbo-sync rehearse`: the whole sync on a copy of the company and of the staging database."""

from __future__ import annotations

from qbo_sync.cli import _add_import_modes, _entities, _import_mode, _print_json, _print_report

# A nightly script tells "QuickBooks would refuse records" (3) from "the rehearsal could not
# run" (1, with its one-line error) and from "all clear" (0).
EXIT_REFUSALS = 3


def cmd_rehearse(args) -> int:
    from qbo_sync import preflight

    entities = _entities(args)
    settings = preflight.check(args.config, entities)      # configuration errors before Prefect starts
    preflight.check_project_mode(args.config, settings)
    from qbo_sync.ops import plain_errors, temporary_server
    from qbo_sync.qbo.connection import NotConnected
    from qbo_sync.qbo.outage import QuickBooksDown
    from qbo_sync.rehearsal.run import refused, rehearse

    temporary_server.start()
    plain_errors.on_the_terminal(QuickBooksDown, NotConnected)
    mode, ids = _import_mode(args)
    report = rehearse(args.config, entities, mode, ids)
    if args.json:
        _print_json(report)
    else:
        _print_report(report)
        print(f"Rehearsal report: {report['files']['html']}")
    return EXIT_REFUSALS if refused(report) else 0


def register(verbs) -> None:
    p = verbs.add_parser("rehearse", help="run the whole sync on a copy of your QuickBooks company and "
                                          "staging database, and report what QuickBooks would refuse")
    _add_import_modes(p, required=False)
    p.add_argument("--entity", action="append", metavar="E", help="only this entity (repeatable)")
    p.add_argument("--json", action="store_true", help="print the rehearsal report as JSON")
    p.set_defaults(func=cmd_rehearse)
