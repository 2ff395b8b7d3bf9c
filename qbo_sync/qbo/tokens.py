"""OAuth tokens at rest: encrypted with Fernet, one row per realm in the staging database."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select

from qbo_sync.db.engine import StagingDb
from qbo_sync.db.models import StoredToken


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    access_expires_at: float      # epoch seconds
    refresh_expires_at: float

    def __repr__(self) -> str:    # never print a token by accident
        return f"Tokens(access expires {self.access_expires_at:.0f}, refresh expires {self.refresh_expires_at:.0f})"


class TokenKeyError(Exception):
    pass


def load_key(configured: str, data_dir: Path) -> bytes:
    """The Fernet key: from settings/QBO_SYNC_TOKEN_KEY, else a key file kept in data_dir.

    The key file (mode 0600) suits a single machine; production sets QBO_SYNC_TOKEN_KEY
    from a secret store so that the database alone reveals nothing.
    """
    if configured:
        key = configured.encode()
    else:
        path = data_dir / "token.key"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
        key = path.read_bytes().strip()
    try:
        Fernet(key)
    except ValueError:
        where = "token_key (environment variable QBO_SYNC_TOKEN_KEY)" if configured else str(data_dir / "token.key")
        raise TokenKeyError(f"{where} is not a valid Fernet key (32 url-safe base64-encoded bytes)") from None
    return key


class TokenStore:
    def __init__(self, db: StagingDb, key: bytes):
        self._db = db
        self._fernet = Fernet(key)

    def load(self, realm_id: str) -> Tokens | None:
        with self._db.session() as session:
            row = session.scalar(select(StoredToken).where(StoredToken.realm_id == realm_id))
        if row is None:
            return None
        try:
            return Tokens(**json.loads(self._fernet.decrypt(row.ciphertext.encode())))
        except InvalidToken:
            raise TokenKeyError(
                "the stored QuickBooks tokens cannot be decrypted with this token_key; "
                "use the key they were saved with, or reconnect to QuickBooks") from None

    def save(self, realm_id: str, tokens: Tokens) -> None:
        ciphertext = self._fernet.encrypt(json.dumps(asdict(tokens)).encode()).decode()
        expires = datetime.fromtimestamp(tokens.refresh_expires_at, timezone.utc)
        with self._db.session() as session, session.begin():
            row = session.get(StoredToken, realm_id)
            now = datetime.now(timezone.utc)
            if row is None:
                session.add(StoredToken(realm_id=realm_id, ciphertext=ciphertext, updated_at=now,
                                        refresh_expires_at=expires))
            else:
                row.ciphertext, row.updated_at, row.refresh_expires_at = ciphertext, now, expires

    def refresh_lock(self, realm_id: str):
        """Held while one process refreshes this company's tokens (a lease row, see ledger.py)."""
        from qbo_sync.pipeline.ledger import lease

        return lease(self._db, f"refresh:{realm_id}"[:40], wait_seconds=120)

    def delete(self, realm_id: str) -> None:
        with self._db.session() as session, session.begin():
            session.execute(delete(StoredToken).where(StoredToken.realm_id == realm_id))
