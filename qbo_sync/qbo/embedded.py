"""The embedded QBO: the local sandbox started in-process, its state in the data directory.

This is the default QBO connection, so that `make demo` and a first `qbo-sync sync`
work on a fresh machine with nothing configured.
"""

from __future__ import annotations

import atexit
import secrets
import threading
from pathlib import Path

_lock = threading.Lock()
_servers: dict[Path, object] = {}


def embedded_sandbox_info(data_dir: Path) -> dict:
    """Start (once per process and data directory) the sandbox and return its info."""
    return dict(local_sandbox(data_dir / "sandbox.db").info)


def local_sandbox(db_path: Path):
    """The sandbox server on this state file, started once per process (SandboxServer)."""
    from qbo_sync.sandbox.server import SandboxServer

    path = db_path.resolve()
    with _lock:
        server = _servers.get(path)
        if server is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # A key nobody outside this process knows: the console and the CLI drive the
            # embedded sandbox only through its QBO API; only a rehearsal, in this process,
            # uses /admin of its own copy's sandbox.
            server = SandboxServer(host="127.0.0.1", port=0, db_path=str(path),
                                   admin_key=secrets.token_urlsafe(32))
            server.start()
            _servers[path] = server
            atexit.register(server.stop)
        return server
