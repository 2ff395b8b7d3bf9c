"""Operations verbs: connect, disconnect, log, validate, schedule, serve; report --html/--csv/--data-docs."""

from __future__ import annotations

import webbrowser

from qbo_sync.cli import CliError, _entities, _print_json, _resources, _settings, _table


def _connection(args):
    from qbo_sync.resources import Resources, qbo_endpoints
    from qbo_sync.qbo.connection import QboConnection
    from qbo_sync.qbo.tokens import TokenStore, load_key

    # Not Resources.qbo: that one connects the embedded sandbox on its own, without asking.
    res: Resources = _resources(args)
    s = res.settings
    store = TokenStore(res.db, load_key(s.token_key, s.data_dir))
    return QboConnection(qbo_endpoints(s), store, minorversion=s.qbo.minorversion,
                         timeout_seconds=s.qbo.timeout_seconds)


def cmd_connect(args) -> int:
    from qbo_sync.ops.connect import connect

    def show(url: str) -> None:
        print("Open this address to connect qbo-sync to QuickBooks:\n  " + url, flush=True)
        if not args.no_browser:
            webbrowser.open(url)

    name = connect(_connection(args), open_url=show, timeout=args.timeout)
    print(f"Connected to {name}")
    return 0


def cmd_disconnect(args) -> int:
    from qbo_sync.ops.connect import disconnect

    connection = _connection(args)
    if disconnect(connection):
        print(f"Disconnected from QuickBooks company {connection.realm_id}: tokens revoked and deleted.")
    else:
        print(f"Not connected to QuickBooks company {connection.realm_id}: nothing to do.")
    return 0


def cmd_report_files(args, core_report) -> int:
    """`report --html/--csv`: name the file (written at the end of each run)."""
    if not (args.html or args.csv or args.data_docs):
        return core_report(args)
    from qbo_sync.views import run_report

    res = _resources(args)
    report = run_report(res.db, args.run)
    if report is None:
        raise CliError("no run report yet: run qbo-sync sync first" if not args.run else f"no run {args.run}")
    if args.data_docs:
        from qbo_sync.ops.data_docs import index_of

        index = index_of(res.settings.reports_dir, report.get("flow_run_id"))
        if index is None:
            raise CliError(f"run {args.run or '(latest)'} has no Data Docs in {res.settings.reports_dir}")
        print(index)
    files = report.get("files") or {}
    for kind in ("html", "csv"):
        if getattr(args, kind):
            if kind not in files:
                raise CliError(f"run {args.run or '(latest)'} has no {kind.upper()} report file "
                               "(it ran before report files existed)")
            print(files[kind])
    return 0


def _prefect_server(need_running: bool):
    """A clear error instead of a connection traceback when the Prefect server is not there."""
    import contextlib

    import httpx
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if need_running and not url:
        raise CliError("PREFECT_API_URL is not set: point it at the Prefect server "
                       "(make serve runs one at http://127.0.0.1:4200/api)")

    @contextlib.contextmanager
    def reachable():
        try:
            yield
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise CliError(f"the Prefect server at {url} is not reachable ({exc})") from None

    return reachable()


def cmd_log(args) -> int:
    from qbo_sync.ops.history import flow_run_log

    with _prefect_server(need_running=False):
        rows = flow_run_log(_resources(args).db, limit=args.limit)
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("No qbo-sync flow runs in Prefect's history yet.")
        return 0
    print(_table(rows, [("start", "Started"), ("flow", "Flow"), ("deployment", "Deployment"),
                        ("state", "State"), ("run", "Run"), ("outcome", "Outcome"), ("counts", "Counts"),
                        ("flow_run_id", "Flow run")]))
    return 0


def cmd_validate(args) -> int:
    from qbo_sync.ops.revalidate import revalidate

    changes = revalidate(_resources(args), _entities(args))
    if args.json:
        _print_json(changes)
        return 0
    if not changes:
        print("Validations rerun: no record changed status.")
        return 0
    print(f"Validations rerun: {len(changes)} record(s) changed status.")
    print(_table(changes, [("entity", "Entity"), ("source_id", "Id"), ("name", "Name"),
                           ("before", "Before"), ("after", "After"), ("reasons", "Reasons")]))
    return 0


def cmd_schedule(args) -> int:
    from qbo_sync.ops.deployments import apply_schedule, cron_for

    settings = _settings(args)
    if args.apply:
        with _prefect_server(need_running=True):
            applied = apply_schedule(settings)
        for line in applied:
            print("Schedule set: " + line)
        return 0
    from qbo_sync.ops.companies import company_settings

    for name in settings.companies or [""]:
        own = company_settings(settings, name) if name else settings
        label = f"{name}: " if name else ""
        print(f"{label}{own.schedule.every} → cron {cron_for(own.schedule)!r} in {own.schedule.timezone}; "
              f"nightly approval: {own.schedule.approve}")
    return 0


def cmd_serve(args) -> int:
    if args.with_server:
        from qbo_sync.ops.serving import serve_with_server

        return serve_with_server(args.config, args.host, args.port)
    from qbo_sync.ops.deployments import build_deployments, serve_all

    settings = _settings(args)
    names = [d.name for d in build_deployments(settings, args.config)]
    print("Serving deployments: " + ", ".join(names) + " (Ctrl-C stops)", flush=True)
    serve_all(settings, args.config)
    return 0


def register(verbs) -> None:
    p = verbs.add_parser("connect", help="connect to a QuickBooks company (OAuth in the browser)")
    p.add_argument("--no-browser", action="store_true", help="print the address instead of opening a browser")
    p.add_argument("--timeout", type=float, default=300, help="seconds to wait for the answer (default 300)")
    p.set_defaults(func=cmd_connect)

    p = verbs.add_parser("disconnect", help="revoke the QuickBooks connection and delete its tokens")
    p.set_defaults(func=cmd_disconnect)

    p = verbs.add_parser("log", help="past runs from Prefect's flow-run history, with outcome counts")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_log)

    p = verbs.add_parser("validate", help="rerun only the validations (after tuning a suite); show what changed")
    p.add_argument("--entity", action="append", metavar="E")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate)

    p = verbs.add_parser("schedule", help="show the nightly schedule, or apply it to the Prefect server")
    p.add_argument("--apply", action="store_true", help="set it on the nightly deployment(s) of the server")
    p.set_defaults(func=cmd_schedule)

    p = verbs.add_parser("serve", help="serve the deployments so the Prefect UI can start runs")
    p.add_argument("--with-server", action="store_true",
                   help="start a Prefect server too, stopped with the deployments by Ctrl-C (make serve)")
    p.add_argument("--host", default="127.0.0.1", help="the server's address with --with-server")
    p.add_argument("--port", type=int, default=4200, help="the server's port with --with-server (default 4200)")
    p.set_defaults(func=cmd_serve)

    # `report` belongs to verbs_core; the report files are added here, as options.
    report = verbs.choices.get("report")
    if report is not None:
        report.add_argument("--html", action="store_true", help="name the run's HTML report file")
        report.add_argument("--csv", action="store_true", help="name the run's CSV report file")
        report.add_argument("--data-docs", action="store_true",
                            help="name the index.html of the run's Great Expectations Data Docs")
        core = report.get_default("func")
        report.set_defaults(func=lambda args: cmd_report_files(args, core))
