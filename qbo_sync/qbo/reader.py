"""Every QBO read goes through here: paced within the company's budget, retried by fault class.

The reads (reference pulls, reconcile's queries and CDC, adoption look-ups, the refetch
after a stale SyncToken) share the realm's pacer with the push engine's writes, so reads
and writes together stay under QBO's 500 requests a minute. A 429 is QBO asking us to
wait: the reader waits as Intuit advises (a minute), however often it is asked. A 5xx or a
dropped connection backs off and tries again until QuickBooks has not answered for the
outage limit (qbo.outage_minutes), then raises QuickBooksDown with a plain message.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from qbo_sync.qbo import faults, pacing
from qbo_sync.qbo.connection import NotConnected, QboConnection
from qbo_sync.qbo.metering import READ, CallMeter
from qbo_sync.qbo.outage import Outage, QuickBooksDown

PAGE = 1000                 # QBO's maximum MAXRESULTS
MAX_THROTTLED = 30          # 429s in a row for one read before it counts as an outage


class QboReadError(Exception):
    """A read QuickBooks refused for good (not a fault that waiting can cure); the message is plain."""

    def __init__(self, fault: faults.QboFault):
        super().__init__(fault.plain)
        self.fault = fault


@dataclass
class QboReader:
    connection: QboConnection
    pacer: pacing.Pacer
    outage: Outage = field(default_factory=Outage)
    meter: CallMeter | None = None     # counts every call (qbo/metering.py)
    backoff_seconds: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    stats: dict = field(default_factory=lambda: {"reads": 0, "retries": 0, "throttled": 0})

    @property
    def realm_id(self) -> str:
        return self.connection.realm_id

    # --- the one way to read ----------------------------------------------------------
    def call(self, read: Callable):
        """`read(client)` once QBO answers; QboReadError when QBO refuses it for good."""
        force_refresh, attempt, throttled = False, 0, 0
        while True:
            try:
                client = self.connection.client(force_refresh=force_refresh)
                with self.pacer.slot(pacing.SINGLE):
                    self.stats["reads"] += 1
                    self.count(READ)
                    answer = read(client)
                self.outage.answered()
                return answer
            except (NotConnected, QuickBooksDown):
                raise
            except Exception as exc:  # classified below: only QBO and network faults retry
                fault = faults.from_exception(exc)
            if fault.http_status == 401:
                if force_refresh:   # a fresh token refused too: the connection is gone
                    raise NotConnected(faults.CONNECTION_EXPIRED)
                force_refresh = True           # the access token may have expired mid-run
                continue
            if fault.http_status == 429 and throttled < MAX_THROTTLED:
                throttled += 1
                self.stats["throttled"] += 1
                wait = random.uniform(0.5, 1.0) * self.pacer.limits.window   # Intuit: wait a minute
                self.pacer.pause(wait)
                self.sleep(wait)
                continue
            if not fault.retryable:
                self.outage.answered()         # QBO answered, even if it said no
                raise QboReadError(fault)
            attempt += 1
            self.stats["retries"] += 1
            self.outage.failed(fault)          # raises QuickBooksDown past the outage limit
            self.sleep(self.outage.clip(_backoff(self.backoff_seconds, attempt)))

    def count(self, kind: str, run: str | None = None) -> None:
        if self.meter is not None:
            self.meter.add(kind, run)

    def current_run(self) -> str | None:
        return self.meter.current_run() if self.meter is not None else None

    # --- what the product reads ---------------------------------------------------------
    def query(self, text: str) -> dict:
        return self.call(lambda client: client.query(text))

    def query_all(self, entity: str, where: str = "", inactive_too: bool = False) -> list[dict]:
        """Every object matching `where`, page by page (QBO answers at most 1,000 a page).

        inactive_too: name lists (Customer, Vendor...) answer only active objects unless asked.
        """
        conditions = [c for c in (where, "Active IN (true, false)" if inactive_too else "") if c]
        clause = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows: list[dict] = []
        start = 1
        while True:
            page = self.query(f"SELECT * FROM {entity}{clause} STARTPOSITION {start} MAXRESULTS {PAGE}"
                              ).get("QueryResponse", {}).get(entity, [])
            rows += page
            if len(page) < PAGE:
                return rows
            start += PAGE

    def by_ids(self, entity: str, ids: list[str], chunk: int = 30) -> dict[str, dict]:
        """{id: object} of those ids QBO still has."""
        found = {}
        for start in range(0, len(ids), chunk):
            listed = ", ".join(f"'{i}'" for i in ids[start:start + chunk])
            for obj in self.query_all(entity, f"Id IN ({listed})"):
                found[obj["Id"]] = obj
        return found

    def get(self, entity: str, qbo_id: str) -> dict:
        """One object by id (the refetch after a stale SyncToken)."""
        return (self.call(lambda client: client.get_single_object(entity, qbo_id)) or {}).get(entity) or {}

    def company(self, path: str, params: dict | None = None) -> dict:
        """A GET under the company's URL: `preferences`, `cdc`..."""
        return self.call(lambda client: client.get(f"{client.api_url}/company/{client.company_id}/{path}",
                                                   params=params))

    def cdc(self, entities: list[str], since: datetime) -> dict[str, dict[str, dict]]:
        """{entity: {id: object or {"status": "Deleted"}}} changed since `since` (one request)."""
        answer = self.company("cdc", {"entities": ",".join(entities),
                                      "changedSince": since.isoformat(timespec="seconds")})
        found: dict[str, dict[str, dict]] = {e: {} for e in entities}
        for block in answer.get("CDCResponse", [{}])[0].get("QueryResponse", []):
            for entity, objects in block.items():
                if entity in found and isinstance(objects, list):
                    found[entity].update({o["Id"]: o for o in objects})
        return found


def _backoff(base: float, attempt: int) -> float:
    """Exponential backoff with full jitter, capped at a minute (QBO's throttle window)."""
    return random.uniform(0, min(60.0, base * 2 ** (attempt - 1)))
