"""The sandbox's state: store, clock, settings, companies, OAuth, throttle, fault
injection, request logs. One instance per server; the HTTP layers only call into it.
"""

from __future__ import annotations

import secrets
import threading
from collections import defaultdict, deque
from pathlib import Path

from qbo_sync.sandbox import snapshot
from qbo_sync.sandbox.chaos import Chaos
from qbo_sync.sandbox.clock import Clock
from qbo_sync.sandbox.company import Company
from qbo_sync.sandbox.entities import ENTITIES
from qbo_sync.sandbox.oauth import OAuth, new_app_credentials
from qbo_sync.sandbox.seed import DEMO_COMPANY_NAME, seed_company
from qbo_sync.sandbox.settings import Settings
from qbo_sync.sandbox.store import Store
from qbo_sync.sandbox.throttle import Throttle

REQUEST_LOG_SIZE = 5000


def new_realm_id() -> str:
    # QBO realm ids are 16- to 19-digit numbers.
    return str(9130000000000000 + secrets.randbelow(10**15))


class Sandbox:
    def __init__(self, db_path: str | Path | None = None) -> None:
        self.store = Store(db_path)
        self.clock = Clock()
        self.settings = Settings()
        self.throttle = Throttle(self.settings, self.clock)
        self.chaos = Chaos(self.settings)
        self.oauth = OAuth(self)
        self._lock = threading.RLock()
        self._companies: dict[str, Company] = {}
        self.request_log: dict[str, deque] = defaultdict(lambda: deque(maxlen=REQUEST_LOG_SIZE))
        if self.store.get("meta", "app") is None:
            self.store.put("meta", "app", new_app_credentials())
            self.store.put("meta", "demo_realm", new_realm_id())
        if self.company(self.demo_realm) is None:
            self._create(self.demo_realm, DEMO_COMPANY_NAME, projects_enabled=True, seed=True)

    @property
    def app_credentials(self) -> dict:
        return self.store.get("meta", "app")

    @property
    def demo_realm(self) -> str:
        return self.store.get("meta", "demo_realm")

    def company(self, realm: str) -> Company | None:
        company = self._companies.get(realm)
        if company is None and self.store.get("realms", realm) is not None:
            with self._lock:
                company = self._companies.setdefault(realm, Company(self.store, realm, self.clock))
        return company

    def realms(self) -> list[str]:
        return list(self.store.namespace("realms"))

    def _create(self, realm: str, name: str, *, projects_enabled: bool, seed: bool,
                projects_api: str = "allowed") -> Company:
        with self._lock:
            self.store.put("realms", realm, {"ids": {}, "name": name, "projects_api": projects_api})
            company = self.company(realm)
            seed_company(company, company_name=name, projects_enabled=projects_enabled, demo=seed)
            return company

    def create_realm(self, *, projects_enabled: bool = True, seed: bool = True,
                     company_name: str | None = None, projects_api: str = "allowed") -> str:
        """projects_api: "allowed", or how the GraphQL Projects API refuses this app
        ("tier": not offered to its partner tier; "scope": the connection lacks the scope)."""
        realm = new_realm_id()
        self._create(realm, company_name or f"Sandbox Company {realm[-4:]}",
                     projects_enabled=projects_enabled, seed=seed, projects_api=projects_api)
        return realm

    def create_realm_from_snapshot(self, body) -> tuple[str, dict[str, int]]:
        """A new realm holding a copy of a company's lists (snapshot.py); raises
        SnapshotError, before anything is written, when the snapshot can't be one."""
        singletons, lists = snapshot.prepare(body, self.clock.iso())
        realm = new_realm_id()
        with self._lock:
            # New objects of every entity get Ids above all copied ones: no Id of the copy
            # can then be mistaken for a new object's, whatever list it is in.
            floor = max((int(obj_id) for objects in lists.values() for obj_id in objects), default=0)
            ids = {entity: floor for entity in ENTITIES.values()}
            self.store.put("realms", realm, {"ids": ids, "name": snapshot.company_name(body, singletons)})
            for entity, doc in singletons.items():
                self.store.put(f"r:{realm}:{entity}", "1", doc)
            for entity, objects in lists.items():
                for obj_id, doc in objects.items():
                    self.store.put(f"r:{realm}:{entity}", obj_id, doc)
            self.company(realm)   # indexes the copied names
        return realm, {entity: len(objects) for entity, objects in lists.items()}

    def reset(self) -> None:
        """A fresh sandbox: the demo company re-seeded; demo realm id and app kept."""
        with self._lock:
            app, demo = self.app_credentials, self.demo_realm
            self.store.clear()
            self.store.put("meta", "app", app)
            self.store.put("meta", "demo_realm", demo)
            self._companies.clear()
            self.request_log.clear()
            self.clock.reset()
            self.throttle.reset()
            fresh = Settings()
            for key, value in fresh.as_dict().items():
                setattr(self.settings, key, value)
            self._create(demo, DEMO_COMPANY_NAME, projects_enabled=True, seed=True)

    def info(self, base_url: str) -> dict:
        app = self.app_credentials
        return {"base_url": base_url, "api_url_v3": f"{base_url}/v3",
                "discovery_url": f"{base_url}/.well-known/openid_configuration",
                "realm_id": self.demo_realm, "client_id": app["client_id"],
                "client_secret": app["client_secret"], "redirect_uri": app["redirect_uri"]}

    def close(self) -> None:
        self.store.close()
