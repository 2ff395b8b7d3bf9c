"""The local QBO sandbox a rehearsal writes to: started in-process, its state in the rehearsal's folder.

Even when the company is remote (Intuit), the copy lives here, on this machine: the copy's
realm and its credentials never leave it. The admin key is made per process and kept in
memory: only the rehearsal creates realms in this sandbox.
"""

from __future__ import annotations

from pathlib import Path

from qbo_sync.qbo.embedded import local_sandbox


def rehearsal_sandbox(folder: Path):
    """(the sandbox's info, its admin client); started once per process and folder."""
    from qbo_sync.sandbox.admin_client import SandboxAdmin

    server = local_sandbox(folder / "sandbox.db")
    return dict(server.info), SandboxAdmin(server.info["base_url"], admin_key=server.admin_key, timeout=120)


def new_copy_realm(folder: Path, snapshot: dict) -> tuple[dict, str]:
    """A fresh realm holding `snapshot`; earlier copies are cleared first (each was written
    to by its rehearsal, so none can serve again)."""
    info, admin = rehearsal_sandbox(folder)
    admin.reset()
    return info, admin.create_realm_from_snapshot(snapshot)
