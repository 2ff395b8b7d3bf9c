"""`qbo-sync sandbox`: serve the sandbox in the foreground until Ctrl-C or SIGTERM.

    python -m qbo_sync.sandbox.serve [--host H] [--port N] [--db PATH | --memory] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from qbo_sync.sandbox.server import SandboxError, SandboxServer

DEFAULT_PORT = 8000
MEMORY = ":memory:"


def default_db_path() -> Path:
    """sandbox.db in the data directory ($QBO_SYNC_DATA_DIR, else .qbo-sync)."""
    return Path(os.environ.get("QBO_SYNC_DATA_DIR", ".qbo-sync")) / "sandbox.db"


def run(host: str = "127.0.0.1", port: int = DEFAULT_PORT, db_path: str | Path | None = None,
        as_json: bool = False) -> int:
    """Blocking. db_path None: the default file; ":memory:": nothing kept. Returns an exit code."""
    path = None if str(db_path) == MEMORY else Path(db_path or default_db_path())
    server = SandboxServer(host=host, port=port, db_path=path)
    try:
        sock = server.bind()
        uv = server.make_server()
    except SandboxError as exc:
        print(f"qbo-sync sandbox: {exc}", file=sys.stderr)
        return 2
    info = server.info
    if as_json:
        print(json.dumps(info), flush=True)
    else:
        print("QBO sandbox running (Ctrl-C stops it)")
        for key, value in info.items():
            print(f"  {key:<14} {value}")
        print(f"  {'state':<14} {path or 'in memory'}", flush=True)
    try:
        uv.run(sockets=[sock])   # uvicorn handles SIGINT/SIGTERM and shuts down cleanly
    finally:
        sock.close()
        server.sandbox.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qbo-sync sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--db", default=None, help=f"SQLite file (default {default_db_path()}); "
                                                   f"{MEMORY} keeps nothing")
    parser.add_argument("--json", action="store_true", help="first stdout line: the info as JSON")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    return run(args.host, args.port, args.db, args.json)


if __name__ == "__main__":
    sys.exit(main())
