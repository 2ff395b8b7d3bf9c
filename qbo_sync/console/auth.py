"""Console users: scrypt password hashes (stdlib, no new dependency) and the session key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from qbo_sync.settings import ConsoleUser, Settings

# scrypt cost: about 50 ms per check on this class of machine, 16 MiB of memory.
_N, _R, _P = 2**14, 8, 1
_PREFIX = "scrypt"


class ConsoleConfigError(Exception):
    """The console cannot start with these settings; the message says what to add."""


def hash_password(password: str) -> str:
    """A storable hash: scrypt$N$r$p$salt$digest (base64)."""
    if not password:
        raise ValueError("the password is empty")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "$".join([_PREFIX, str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    try:
        prefix, n, r, p, salt, digest = stored.split("$")
        if prefix != _PREFIX:
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# Spent on unknown user names too, so a wrong name and a wrong password take the same time.
_DUMMY_HASH = hash_password("not a real password")


def authenticate(users: list[ConsoleUser], username: str, password: str) -> ConsoleUser | None:
    user = next((u for u in users if u.username == username), None)
    ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    return user if (user and ok) else None


def session_secret(settings: Settings) -> str:
    """The key that signs session cookies: from settings, else generated once into data_dir."""
    if settings.console.secret_key:
        return settings.console.secret_key
    path = Path(settings.data_dir) / "console.key"
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def check_users(settings: Settings) -> None:
    users = settings.console.users
    if not users:
        raise ConsoleConfigError(
            "no console users: add console.users to the settings file, each with username, role "
            "(admin or viewer) and password_hash from `qbo-sync console hash-password`")
    names = [u.username for u in users]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConsoleConfigError("console.users: duplicate username " + ", ".join(dupes))
    bad = [u.username for u in users if not u.password_hash.startswith(_PREFIX + "$")]
    if bad:
        raise ConsoleConfigError("console.users: password_hash of " + ", ".join(bad) +
                                 " is not a hash from `qbo-sync console hash-password`")
