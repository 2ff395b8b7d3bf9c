"""`qbo-sync webhooks`: receive QuickBooks' change notifications without serving the console."""

from __future__ import annotations

from qbo_sync.cli import CliError, _resources


def cmd_webhooks(args) -> int:
    import uvicorn

    from qbo_sync.ops import webhook_receiver

    res = _resources(args)
    if not res.settings.qbo.webhook_verifier_token:
        raise CliError("qbo.webhook_verifier_token is not set: set the environment variable "
                       "QBO_SYNC_QBO__WEBHOOK_VERIFIER_TOKEN to your Intuit app's webhook verifier token")
    app = webhook_receiver.create_app(res)
    print(f"qbo-sync webhooks on http://{args.host}:{args.port}{webhook_receiver.PATH} (Ctrl+C stops it)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def register(verbs) -> None:
    p = verbs.add_parser("webhooks", help="receive QuickBooks' change notifications (webhooks)",
                         description="Serve POST /webhooks/intuit on its own: notifications signed with "
                                     "qbo.webhook_verifier_token are stored, and the records of changed or "
                                     "deleted QBO objects become Needs Action within a minute.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8081, help="port (default 8081)")
    p.set_defaults(func=cmd_webhooks)
