"""The core verbs: sandbox, demo, import, sync, push, retry, status, map, history,
payload, report. (`pull` lives with reconcile in verbs_mapping.py.)"""

from __future__ import annotations

from pathlib import Path

from qbo_sync.cli import (CliError, _add_import_modes, _entities, _import_mode, _print_json,
                          _print_report, _reader, _resources, _settings)
from qbo_sync.tables import render_table as _table


def cmd_sandbox(args) -> int:
    from qbo_sync.sandbox.serve import run

    settings = _settings(args)
    db_path = args.db or str(settings.data_dir / "sandbox.db")
    if db_path != ":memory:":
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    return run(host=args.host, port=args.port, db_path=db_path, as_json=args.json)


def cmd_import(args) -> int:
    from qbo_sync.pipeline.stages import run_import

    mode, ids = _import_mode(args)
    res = _resources(args)
    results = run_import(res, _entities(args), mode, ids=ids)
    if args.json:
        _print_json([r.__dict__ for r in results])
    else:
        for r in results:
            print("Imported " + r.summary())
    return 0


def _run_sync_flow(args, **params) -> dict:
    from qbo_sync import preflight

    settings = preflight.check(args.config, params.get("entities"))   # configuration errors before Prefect starts
    preflight.check_project_mode(args.config, settings)
    from qbo_sync.flows.sync import sync
    from qbo_sync.ops import temporary_server

    from qbo_sync.ops import plain_errors
    from qbo_sync.qbo.connection import NotConnected
    from qbo_sync.qbo.outage import QuickBooksDown

    temporary_server.start()
    plain_errors.on_the_terminal(QuickBooksDown, NotConnected)
    try:
        return sync(config=args.config, **params)
    except QuickBooksDown as down:   # the run stopped with a report: show it, then the one line
        if down.report:
            _print_report(down.report)
        raise CliError(str(down)) from None


def cmd_sync(args) -> int:
    mode, ids = _import_mode(args)
    report = _run_sync_flow(args, entities=_entities(args), mode=mode, ids=ids,
                            approval="yes" if args.yes else "prompt", dry_run=args.dry_run,
                            scheduled=args.scheduled)
    _print_report(report)
    return 0


def cmd_push(args) -> int:
    report = _run_sync_flow(args, entities=_entities(args), mode="selected" if args.select else "new",
                            ids=args.select, approval="yes" if args.yes else "prompt",
                            import_records=False)
    _print_report(report)
    return 0


def cmd_retry(args) -> int:
    from qbo_sync import preflight

    if not args.failed and not args.record:
        raise CliError("name a RECORD to retry, or pass --failed for every Failed record")
    preflight.check(args.config)   # configuration errors before Prefect starts
    from qbo_sync.flows.retry import retry
    from qbo_sync.ops import temporary_server

    temporary_server.start()
    report = retry(records=None if args.failed else [args.record], approval="yes", config=args.config)
    if report:
        _print_report(report)
    return 0


def cmd_status(args) -> int:
    from qbo_sync import source_deletions, statuses
    from qbo_sync.views import payment_lines, status_rows

    try:
        status = (source_deletions.STATUS if args.status and source_deletions.is_status(args.status)
                  else statuses.parse(args.status) if args.status else None)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    with _reader(args) as reader:
        rows = status_rows(reader, entity=(_entities(args) or [None])[0], status=status)
        paid = payment_lines(reader, entity=(_entities(args) or [None])[0])
        calls = qbo_calls_this_month(reader)
        connections = reader.rows("SELECT realm_id, refresh_expires_at FROM tokens ORDER BY realm_id")
    if args.json:
        _print_json([{k: r[k] for k in ("record", "entity", "source_id", "name", "status", "reasons",
                                        "qbo_id", "qbo_ids", "synced_at", "qbo_customer",
                                        "deleted_in_source")} for r in rows])
        return 0
    print(_table(rows, [("record", "#"), ("entity", "Entity"), ("source_id", "Id"), ("name", "Name"),
                        ("status", "Status"), ("synced", "Synced"), ("qbo_id", "QBO id"),
                        ("reasons", "Reasons")]))
    for line in paid:
        print(line)
    for row in connections:
        if row["refresh_expires_at"]:
            print(f"QuickBooks connection (company {row['realm_id']}): expires on "
                  f"{str(row['refresh_expires_at'])[:10]} unless a run renews it before then")
    for row in calls:
        print(f"QuickBooks calls in {row['month']} (company {row['realm_id']}): {row['reads']:,} reads, "
              f"{row['writes']:,} writes")
    return 0


def qbo_calls_this_month(reader) -> list[dict]:
    """The month's QBO calls per company (qbo/metering.py keeps them)."""
    from qbo_sync.qbo.metering import this_month

    return reader.rows("SELECT realm_id, month, reads, writes FROM qbo_calls WHERE month = :month "
                       "ORDER BY realm_id", month=this_month())


def cmd_map(args) -> int:
    from qbo_sync import entities as registry
    from qbo_sync.pipeline import mapping

    res = _resources(args)
    if args.map_verb == "customer":
        spec = registry.get("projects")
        try:
            linked = mapping.confirm_link(res.db, spec, args.project_id, args.customer)
        except mapping.MappingError as exc:
            if "run qbo-sync pull" not in str(exc):
                raise CliError(str(exc)) from None
            from qbo_sync.qbo import references

            references.pull(res.db, res.reader, ("Customer",))   # added in QBO just now?
            try:
                linked = mapping.confirm_link(res.db, spec, args.project_id, args.customer)
            except mapping.MappingError as again:
                raise CliError(str(again)) from None
        mapping.map_entity(res.db, spec, res.settings.sync)
        print(f"Project {args.project_id} is now linked to QBO customer \"{linked.name}\" (id {linked.qbo_id}). "
              "This link is permanent.")
        return 0
    spec = registry.get(args.entity)
    from qbo_sync.qbo.reader import QboReadError

    try:
        obj = res.reader.get(spec.qbo_entity, args.qbo_id)
    except QboReadError as exc:
        raise CliError(f"QBO {spec.qbo_entity} {args.qbo_id} cannot be read: {exc}") from None
    try:
        mapping.link_existing(res.db, spec, args.source_id, args.qbo_id, obj)
    except mapping.MappingError as exc:
        raise CliError(str(exc)) from None
    name = obj.get("DisplayName") or obj.get("Name") or ""
    print(f"{spec.label[:-1]} {args.source_id} now maps to QBO {spec.qbo_entity} {args.qbo_id} \"{name}\": "
          "the next push updates it instead of creating a new one.")
    return 0


def cmd_history(args) -> int:
    from qbo_sync.views import history

    with _reader(args) as reader:
        result = history(reader, args.record)
    if args.json:
        _print_json(result)
        return 0
    print(f"#{result['record']} {result['entity']}/{result['source_id']} {result['name']} — {result['status']}")
    print("\nField changes:")
    print(_table(result["changes"], [("when", "When"), ("import", "Import"), ("field", "Field"),
                                     ("old", "Old"), ("new", "New")]) if result["changes"] else "  none")
    print("\nSync activity:")
    print(_table(result["sync_activity"], [("when", "When"), ("flow_run", "Flow run"),
                                           ("operation", "Operation"), ("outcome", "Outcome"),
                                           ("qbo_id", "QBO id"), ("message", "Message")])
          if result["sync_activity"] else "  none")
    return 0


def cmd_payload(args) -> int:
    from qbo_sync.views import payload

    with _reader(args) as reader:
        result = payload(reader, args.record)
    if not result["objects"] and not args.json:
        what = f"#{result['record']} {result['entity']}/{result['source_id']}"
        if result["wrote_nothing"]:
            print(f"{what} is Synced and wrote nothing to QuickBooks: it holds nothing QuickBooks "
                  "would keep (such as a week with no hours).")
        else:
            print(f"{what} has not been sent to QBO yet.")
        return 0
    _print_json(result)
    return 0


def cmd_report(args) -> int:
    from qbo_sync.views import run_report

    with _reader(args) as reader:
        report = run_report(reader, args.run)
    if report is None:
        raise CliError("no run report yet: run qbo-sync sync first" if not args.run else f"no run {args.run}")
    if args.json:
        _print_json(report)
    else:
        _print_report(report)
    return 0


def cmd_demo(args) -> int:
    from qbo_sync.demo import run_demo

    return run_demo(args)


def register(verbs) -> None:

    p = verbs.add_parser("sandbox", help="serve the local QBO sandbox")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", metavar="PATH", help="SQLite file for its state, or :memory: (default: in the data directory)")
    p.add_argument("--json", action="store_true", help="print the connection details as one JSON line first")
    p.set_defaults(func=cmd_sandbox)

    p = verbs.add_parser("demo", help="run the whole sync on the demo company against the local sandbox")
    p.add_argument("--size", type=int, default=1, help="how large a company to generate (default 1)")
    p.add_argument("--keep", action="store_true", help="keep earlier demo state instead of starting fresh")
    p.set_defaults(func=cmd_demo)

    p = verbs.add_parser("import", help="read records from the source into the staging database")
    _add_import_modes(p, required=False)
    p.add_argument("--entity", action="append", metavar="E", help="only this entity (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = verbs.add_parser("sync", help="import, validate, map, preview, then push once approved")
    _add_import_modes(p, required=False)
    p.add_argument("--entity", action="append", metavar="E", help="only this entity (repeatable)")
    p.add_argument("--yes", action="store_true", help="approve the push without asking")
    p.add_argument("--dry-run", action="store_true", help="stop after the preview; push nothing")
    p.add_argument("--scheduled", action="store_true", help="apply the sync rules as a scheduled run does")
    p.set_defaults(func=cmd_sync)

    p = verbs.add_parser("push", help="validate, map, preview and push what is staged (no import)")
    p.add_argument("--entity", action="append", metavar="E")
    p.add_argument("--select", nargs="+", metavar="ID", help="only these source ids")
    p.add_argument("--yes", action="store_true", help="approve the push without asking")
    p.set_defaults(func=cmd_push)

    p = verbs.add_parser("retry", help="read a failed record again from the source and push it")
    p.add_argument("record", nargs="?", metavar="RECORD", help="record number, ENTITY/ID or source id")
    p.add_argument("--failed", action="store_true", help="retry every Failed record")
    p.set_defaults(func=cmd_retry)

    p = verbs.add_parser("status", help="list staged records with their sync status")
    p.add_argument("--entity", action="append", metavar="E")
    p.add_argument("--status", metavar="S", help="Needs Sync, Needs Action, Synced, Failed or Deleted in source")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = verbs.add_parser("map", help="link records to QBO objects")
    mverbs = p.add_subparsers(dest="map_verb", required=True, metavar="WHAT")
    m = mverbs.add_parser("customer", help="link a project to its QBO customer, permanently")
    m.add_argument("project_id")
    m.add_argument("customer", help="a QBO customer id or exact display name")
    m.set_defaults(func=cmd_map)
    m = mverbs.add_parser("link", help="map a staged record to an existing QBO object")
    m.add_argument("entity")
    m.add_argument("source_id")
    m.add_argument("qbo_id")
    m.set_defaults(func=cmd_map)

    p = verbs.add_parser("history", help="a record's field changes and sync activity")
    p.add_argument("record", metavar="RECORD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = verbs.add_parser("payload", help="the JSON last sent to QBO for a record, and the answer")
    p.add_argument("record", metavar="RECORD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_payload)

    p = verbs.add_parser("report", help="print a run's report (the latest by default)")
    p.add_argument("run", nargs="?", metavar="RUN", help="run number or Prefect flow-run id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)


