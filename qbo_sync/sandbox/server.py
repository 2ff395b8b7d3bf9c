"""Start and stop a sandbox in a background thread (tests, demo, benchmarks).

    with SandboxServer() as srv:          # in memory, a free port on 127.0.0.1
        srv.info["api_url_v3"]
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from qbo_sync.sandbox.app import create_app
from qbo_sync.sandbox.core import Sandbox

START_TIMEOUT_SECONDS = 15


class SandboxError(RuntimeError):
    """The sandbox could not start (port taken, bad database file...)."""


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


class SandboxServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 db_path: str | Path | None = None, admin_key: str | None = None) -> None:
        self.host, self.port, self.db_path = host, port, db_path
        self.admin_key = admin_key   # set: /admin/... answers only requests that carry it
        self.sandbox: Sandbox | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def info(self) -> dict:
        if self.sandbox is None:
            raise SandboxError("the sandbox is not running; call start() first")
        return self.sandbox.info(self.base_url)

    def bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto says TCP, and without it every keep-alive answer waits ~40 ms (Nagle).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise SandboxError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}") from None
        sock.listen(2048)
        self.port = sock.getsockname()[1]
        return sock

    def make_server(self) -> uvicorn.Server:
        try:
            self.sandbox = Sandbox(self.db_path)
        except Exception as exc:   # a bad --db path or an unreadable file
            raise SandboxError(f"cannot open sandbox database {self.db_path}: {exc}") from None
        config = uvicorn.Config(create_app(self.sandbox, self.admin_key), log_level="warning", access_log=False,
                                lifespan="off", loop="asyncio", timeout_keep_alive=30)
        self._server = uvicorn.Server(config)
        return self._server

    def start(self) -> "SandboxServer":
        self._socket = self.bind()
        server = self.make_server()
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [self._socket]},
                                        name="qbo-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise SandboxError("the sandbox server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        if self.sandbox is not None:
            self.sandbox.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
