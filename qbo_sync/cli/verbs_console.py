"""`qbo-sync console`: serve the staging console; `qbo-sync console hash-password`."""

from __future__ import annotations

import getpass
import sys

from qbo_sync.cli import CliError, _settings


def cmd_console(args) -> int:
    if args.action == "hash-password":
        return _hash_password(args)
    import uvicorn

    from qbo_sync.console.app import create_app
    from qbo_sync.console.auth import ConsoleConfigError

    try:
        # Reached over the network: the session cookie goes over HTTPS only (put TLS in front).
        app = create_app(_settings(args), config=args.config, secure_cookie=not _is_loopback(args.host))
    except ConsoleConfigError as exc:
        raise CliError(str(exc)) from None
    print(f"qbo-sync console on http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:   # a host name: assume it is reached from other machines
        return False


def _hash_password(args) -> int:
    from qbo_sync.console.auth import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CliError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        raise CliError("use a password of at least 8 characters")
    print(hash_password(password))
    return 0


def register(verbs) -> None:
    p = verbs.add_parser("console", help="serve the staging console (web screen), or hash a password for it",
                         description="Serve the staging console. Users and roles come from console.users "
                                     "in the settings; `qbo-sync console hash-password` makes a password_hash "
                                     "(reads the password from the terminal, or one line of stdin).")
    p.add_argument("action", nargs="?", choices=["serve", "hash-password"], default="serve")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.set_defaults(func=cmd_console)
