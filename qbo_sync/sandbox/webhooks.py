"""The sandbox sends webhooks as Intuit does: changes bundled, signed, POSTed to the app.

A realm's webhook setting (admin API: POST /admin/realms/{realm}/webhooks) names the
endpoint, the format (`legacy`: eventNotifications → dataChangeEvent → entities;
`cloudevents`: a list of events with type qbo.<entity>.<created|updated|deleted>.v1,
intuitaccountid, intuitentityid) and the verifier token. Every create, update and delete
in that realm is noted; once the oldest noted change is `bundle_seconds` old (Intuit bundles
over 1-5 minutes; the sandbox defaults to one second for tests) they go out in one POST with
`intuit-signature`: base64 HMAC-SHA256 of the body with the verifier token
(developer.intuit.com .../develop/webhooks; blogs.intuit.com 2025/11/12 "webhooks payload
structure"). A failed delivery is tried again a few times; each attempt is in the
deliveries log (GET /admin/realms/{realm}/webhooks/deliveries).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import defaultdict, deque

from qbo_sync.sandbox.clock import Clock
from qbo_sync.sandbox.store import Store

FORMATS = ("legacy", "cloudevents")
VERBS = {"Create": "created", "Update": "updated", "Delete": "deleted", "Merge": "merged", "Void": "voided"}
ATTEMPTS = 3


def check_config(body: dict) -> dict:
    """A realm's webhook setting from the admin API; a ValueError names what is wrong."""
    url = str(body.get("url") or "")
    if not url.startswith(("http://", "https://")):
        raise ValueError("url must be an http(s) URL")
    fmt = str(body.get("format") or "legacy")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    token = str(body.get("verifier_token") or "")
    if not token:
        raise ValueError("verifier_token is required")
    bundle = float(body.get("bundle_seconds", 1.0))
    if bundle < 0:
        raise ValueError("bundle_seconds cannot be negative")
    return {"url": url, "format": fmt, "verifier_token": token, "bundle_seconds": bundle}


class WebhookSender:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self._lock = threading.Lock()
        self._pending: dict[str, list[dict]] = defaultdict(list)
        self._since: dict[str, float] = {}
        self.deliveries: dict[str, deque] = defaultdict(lambda: deque(maxlen=200))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Kept in memory too: every write asks, and most realms have no webhooks.
        self._configs: dict[str, dict] = dict(store.namespace("webhooks"))

    def configure(self, realm: str, config: dict | None) -> None:
        if config is None:
            self.store.delete("webhooks", realm)
            self._configs.pop(realm, None)
        else:
            self.store.put("webhooks", realm, config)
            self._configs[realm] = config
            self._start()

    def config(self, realm: str) -> dict | None:
        return self._configs.get(realm)

    def reset(self) -> None:
        with self._lock:
            self._configs.clear()
            self._pending.clear()
            self._since.clear()
            self.deliveries.clear()

    def note(self, realm: str, entity: str, obj_id: str, operation: str) -> None:
        """Called by the company on every write; ignored unless the realm has webhooks."""
        if self.config(realm) is None:
            return
        with self._lock:
            self._pending[realm].append({"entity": entity, "id": str(obj_id), "operation": operation,
                                         "time": self.clock.iso_ms()})
            self._since.setdefault(realm, time.monotonic())
        self._start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="sandbox-webhooks", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            for realm, changes in self._due():
                config = self.config(realm)
                if config is not None:
                    self._deliver(realm, config, changes)

    def _due(self) -> list[tuple[str, list[dict]]]:
        now, due = time.monotonic(), []
        with self._lock:
            for realm, since in list(self._since.items()):
                config = self.config(realm) or {}
                if now - since >= config.get("bundle_seconds", 1.0):
                    due.append((realm, self._pending.pop(realm, [])))
                    del self._since[realm]
        return due

    def _deliver(self, realm: str, config: dict, changes: list[dict]) -> None:
        import requests

        body = json.dumps(payload(realm, config["format"], changes)).encode()
        headers = {"Content-Type": "application/json", "intuit-signature": sign(body, config["verifier_token"])}
        for attempt in range(1, ATTEMPTS + 1):
            try:
                answer = requests.post(config["url"], data=body, headers=headers, timeout=10)
                status = answer.status_code
            except requests.RequestException as exc:
                status = f"error: {type(exc).__name__}"
            self.deliveries[realm].append({"time": self.clock.iso_ms(), "format": config["format"],
                                           "changes": len(changes), "status": status, "attempt": attempt})
            if isinstance(status, int) and 200 <= status < 300:
                return
            time.sleep(0.5 * attempt)


def sign(body: bytes, verifier_token: str) -> str:
    return base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()).decode()


def payload(realm: str, fmt: str, changes: list[dict]):
    if fmt == "legacy":
        return {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": [
            {"name": c["entity"], "id": c["id"], "operation": c["operation"], "lastUpdated": c["time"]}
            for c in changes]}}]}
    return [{"specversion": "1.0", "id": str(uuid.uuid4()), "source": "intuit.sandbox",
             "type": f"qbo.{c['entity'].lower()}.{VERBS.get(c['operation'], c['operation'].lower())}.v1",
             "datacontenttype": "application/json", "time": c["time"], "intuitentityid": c["id"],
             "intuitaccountid": realm, "data": {}} for c in changes]
