"""The local QBO sandbox a rehearsal writes to: started in-process, its state in the rehearsal's folder.

Even when the company is remote (Intuit), the copy lives here, on this machine: the copy's
realm and its credentials never leave it. The admin key is made per process and kept in
memory: only the rehearsal creates realms in this sandbox.
"""

from __future__ import annotations

import atexit
import secrets
import threading
from pathlib import Path

_lock = threading.Lock()
_servers: dict[Path, object] = {}


def rehearsal_sandbox(folder: Path):
    """(the sandbox's info, its admin client); started once per process and folder."""
    from qbo_sync.sandbox.admin_client import SandboxAdmin
    from qbo_sync.sandbox.server import SandboxServer

    path = (folder / "sandbox.db").resolve()
    with _lock:
        server = _servers.get(path)
        if server is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            server = SandboxServer(host="127.0.0.1", port=0, db_path=str(path),
                                   admin_key=secrets.token_urlsafe(32))
            server.start()
            _servers[path] = server
            atexit.register(server.stop)
    return dict(server.info), SandboxAdmin(server.info["base_url"], admin_key=server.admin_key, timeout=120)


def new_copy_realm(folder: Path, snapshot: dict) -> tuple[dict, str]:
    """A fresh realm holding `snapshot`; earlier copies are cleared first (each was written
    to by its rehearsal, so none can serve again)."""
    info, admin = rehearsal_sandbox(folder)
    admin.reset()
    return info, admin.create_realm_from_snapshot(snapshot)
