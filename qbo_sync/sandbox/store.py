"""Persistence: namespaced JSON documents, held in memory and written through to SQLite.

Reads never touch SQLite (that keeps the sandbox fast); every write is one small
transaction, so a file-backed sandbox survives a restart. `db_path=None` keeps everything
in memory. One lock serialises writers across the server's threads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator


class Store:
    def __init__(self, db_path: str | Path | None = None) -> None:
        self.lock = threading.RLock()
        self._data: dict[str, dict[str, Any]] = {}
        self._db: sqlite3.Connection | None = None
        if db_path is not None:
            path = Path(db_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            # WAL + NORMAL: a commit per write without an fsync per write.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS docs (ns TEXT NOT NULL, key TEXT NOT NULL, "
                "value TEXT NOT NULL, PRIMARY KEY (ns, key))"
            )
            for ns, key, value in self._db.execute("SELECT ns, key, value FROM docs"):
                self._data.setdefault(ns, {})[key] = json.loads(value)

    @property
    def persistent(self) -> bool:
        return self._db is not None

    def get(self, ns: str, key: str, default: Any = None) -> Any:
        return self._data.get(ns, {}).get(key, default)

    def namespace(self, ns: str) -> dict[str, Any]:
        """The live dict of one namespace (read-only by convention)."""
        return self._data.get(ns, {})

    def namespaces(self, prefix: str = "") -> Iterator[str]:
        return (ns for ns in list(self._data) if ns.startswith(prefix))

    def put(self, ns: str, key: str, value: Any) -> None:
        with self.lock:
            self._data.setdefault(ns, {})[key] = value
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO docs (ns, key, value) VALUES (?, ?, ?)",
                    (ns, key, json.dumps(value, separators=(",", ":"))),
                )

    def delete(self, ns: str, key: str) -> None:
        with self.lock:
            self._data.get(ns, {}).pop(key, None)
            if self._db is not None:
                self._db.execute("DELETE FROM docs WHERE ns = ? AND key = ?", (ns, key))

    def drop(self, ns: str) -> int:
        """Forget one namespace; how many documents it held."""
        with self.lock:
            held = len(self._data.pop(ns, {}))
            if self._db is not None:
                self._db.execute("DELETE FROM docs WHERE ns = ?", (ns,))
            return held

    def clear(self) -> None:
        with self.lock:
            self._data.clear()
            if self._db is not None:
                self._db.execute("DELETE FROM docs")

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None
