"""The push engine: writes operations to QBO in batches, retrying what can be retried.

Batching, pacing and retries live here and nowhere else, so the engine can grow
(global rate limits, crash recovery) without touching the stages that feed it.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from qbo_sync.qbo import faults, pacing
from qbo_sync.qbo.connection import NotConnected, QboConnection
from qbo_sync.qbo.faults import QboFault
from qbo_sync.qbo.metering import WRITE
from qbo_sync.qbo.reader import QboReadError, QboReader  # noqa: F401 - QboReadError: callers catch it here too

CREATE_PROJECT = """
mutation CreateProject($input: ProjectManagement_CreateProjectInput!) {
  projectManagementCreateProject(input: $input) { id name description status customer { id } }
}"""

UPDATE_PROJECT = """
mutation UpdateProject($input: ProjectManagement_UpdateProjectInput!) {
  projectManagementUpdateProject(input: $input) { id name description status }
}"""


@dataclass
class Operation:
    key: int                  # the staged record's id
    qbo_entity: str           # "Customer"
    action: str               # "create" | "update"
    body: dict                # the QBO JSON (REST) or the mutation's input (project)
    writer: str = "rest"      # "rest" | "project"
    version: str = ""         # the record's content hash: part of the request id
    adopted: bool = False     # an update of an object QBO held before the record was synced


@dataclass
class Outcome:
    key: int
    ok: bool
    qbo_id: str | None = None
    sync_token: str | None = None
    request: dict | None = None
    response: dict | None = None
    fault: QboFault | None = None


@dataclass
class _Unit:
    """Operations sent in one request (a batch, or one single write), retried as a whole."""

    ops: list[Operation]
    kind: str                     # pacing.BATCH | pacing.SINGLE
    request_id: str
    attempt: int = 1
    throttled: int = 0
    ready_at: float = 0.0
    refresh: bool = False


@dataclass
class PushEngine:
    """Writes operations at QBO's ceiling: batches of up to 30 and single requests side by side.

    Batch workers take up to `batch_size` operations per request within the batch lane
    (40 a minute); single workers take one operation each within the rest of the
    500-a-minute budget, as long as more than one batch's worth remains. A unit that meets
    a 429, a 5xx, a timeout or a dropped connection goes back on the queue with backoff and
    the same request id (QBO answers a replayed id with its first answer). Validation
    faults are final. Hooks: `before_send(ops, request_id)` before a unit's first request
    (the write ledger), `on_outcomes(outcomes)` as each unit settles.
    """

    connection: QboConnection
    batch_size: int = 30
    max_attempts: int = 6         # 5xx, network: the same unit at most this often
    max_throttled: int = 20       # 429s are QBO asking us to wait, not a failure
    backoff_seconds: float = 1.0
    pacer: pacing.Pacer | None = None
    reader: QboReader | None = None   # reads share the pacer with the writes
    batch_workers: int = 3
    single_workers: int = 4
    stats: dict = field(default_factory=lambda: {"requests": 0, "retries": 0, "batches": 0,
                                                 "singles": 0, "throttled": 0})

    def __post_init__(self):
        if self.pacer is None:
            self.pacer = pacing.for_realm(self.connection.realm_id)
        if self.reader is None:
            self.reader = QboReader(self.connection, self.pacer)
        self._lock = threading.Lock()
        # Settling writes to the staging database: a lock of its own, so that the workers
        # keep taking and sending units (under _lock) while one of them records outcomes.
        self._settle_lock = threading.Lock()
        self._run_id: str | None = None     # the flow run whose writes are counted

    def run(self, operations: list[Operation],
            on_progress: Callable[[int, int], None] | None = None,
            before_send: Callable[[list[Operation], str], None] | None = None,
            on_outcomes: Callable[[list[Outcome]], None] | None = None) -> list[Outcome]:
        outcomes: list[Outcome] = []
        total = len(operations)
        self._run_id = self.reader.current_run()   # the workers' threads do not see the flow run

        def settle(found: list[Outcome]) -> None:
            with self._settle_lock:
                if on_outcomes:
                    on_outcomes(found)
                outcomes.extend(found)
                if on_progress:
                    on_progress(len(outcomes), total)

        rest = [op for op in operations if op.writer == "rest"]
        if rest:
            self._run_rest(rest, before_send, settle)
        projects = [op for op in operations if op.writer == "project"]
        for start in range(0, len(projects), self.batch_size):
            done = []
            try:
                for op in projects[start:start + self.batch_size]:
                    if before_send:
                        before_send([op], _request_id("p", [f"{op.key}:{op.action}:{op.version}"]))
                    done.append(self._project(op))
                self._add_sync_tokens(done)
            finally:   # what QBO has written is recorded, even when the SyncToken read fails
                if done:
                    settle(done)
        return outcomes

    # --- REST: batch and single workers over one queue ----------------------------------
    def _run_rest(self, ops: list[Operation], before_send, settle) -> None:
        state = {"fresh": deque(ops), "retry": [], "busy": 0}
        workers = [threading.Thread(target=self._worker, args=(pacing.BATCH, state, before_send, settle),
                                    daemon=True) for _ in range(max(1, self.batch_workers))]
        if len(ops) > self.batch_size:
            workers += [threading.Thread(target=self._worker, args=(pacing.SINGLE, state, before_send, settle),
                                         daemon=True) for _ in range(self.single_workers)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if state.get("error"):
            raise state["error"]

    def _next(self, kind: str, state: dict) -> _Unit | None | bool:
        """A unit to send, None to wait a little, False when this worker is done."""
        with self._lock:
            if state.get("error"):
                return False
            now = time.monotonic()
            for i, unit in enumerate(state["retry"]):
                if unit.kind == kind and unit.ready_at <= now:
                    state["busy"] += 1
                    return state["retry"].pop(i)
            fresh = state["fresh"]
            # The tail of a run: while the batch lane waits for its window, single requests
            # take the last operations rather than leave them queued behind a full lane.
            batch_lane_full = self._lane_full(pacing.BATCH)
            if kind == pacing.SINGLE:
                if len(fresh) > self.batch_size or (fresh and batch_lane_full):
                    state["busy"] += 1
                    op = fresh.popleft()
                    return _Unit([op], kind, _request_id("s", [f"{op.key}:{op.action}:{op.version}"]))
                if fresh:
                    return None      # the batch lane may fill up again before the last chunk goes
                return None if any(u.kind == kind for u in state["retry"]) else False
            if fresh and batch_lane_full:
                return None          # a chunk taken now would only wait in the pacer
            if fresh:
                chunk = [fresh.popleft() for _ in range(min(self.batch_size, len(fresh)))]
                state["busy"] += 1
                # The same chunk gets the same request id, so a retry after a lost answer
                # returns QBO's first answer instead of writing twice.
                return _Unit(chunk, kind, _request_id("b", [f"{op.key}:{op.action}:{op.version}" for op in chunk]))
            return None if (state["retry"] or state["busy"]) else False

    def _lane_full(self, kind: str) -> bool:
        full = getattr(self.pacer, "full", None)     # PrefectPacer cannot tell: never full
        return bool(full and full(kind))

    def _worker(self, kind: str, state: dict, before_send, settle) -> None:
        try:
            while True:
                unit = self._next(kind, state)
                if unit is False:
                    return
                if unit is None:
                    time.sleep(0.01)
                    continue
                try:
                    found = self._send(unit, before_send)
                    if found is not None:
                        settle(found)
                finally:
                    with self._lock:
                        state["busy"] -= 1
                if found is None:
                    with self._lock:
                        state["retry"].append(unit)
        except BaseException as exc:   # a bug or the database: stop every worker, raise in run()
            with self._lock:
                state["error"] = exc

    def _send(self, unit: _Unit, before_send) -> list[Outcome] | None:
        """Outcomes, or None when the unit goes back on the queue (unit.ready_at set)."""
        if unit.attempt == 1 and not unit.throttled and before_send:
            before_send(unit.ops, unit.request_id)
        try:
            client = self.connection.client(force_refresh=unit.refresh)
            with self.pacer.slot(unit.kind):
                self._count("requests", "batches" if unit.kind == pacing.BATCH else "singles")
                self.reader.count(WRITE, self._run_id)
                answer = (self._post_batch(client, unit) if unit.kind == pacing.BATCH
                          else self._post_single(client, unit))
            self.reader.outage.answered()
        except NotConnected:
            raise                            # no write can succeed: the run stops and says reconnect
        except Exception as exc:  # classified below: only QBO and network faults retry
            fault = faults.from_exception(exc)
            if fault.http_status == 401 and not unit.refresh:
                unit.refresh = True          # the token may have expired mid-run
                unit.ready_at = 0
                return None
            if fault.http_status == 429 and unit.throttled < self.max_throttled:
                unit.throttled += 1
                self._count("throttled")
                wait = random.uniform(0.5, 1.0) * self.pacer.limits.window   # Intuit: wait a minute
                self.pacer.pause(wait)
                unit.ready_at = time.monotonic() + wait
                return None
            if fault.retryable and fault.http_status != 429:
                # Raises QuickBooksDown once nothing has answered for qbo.outage_minutes. While
                # nothing answers, a unit is not out of attempts: the outage decides, not the unit.
                self.reader.outage.failed(fault)
                if unit.attempt < self.max_attempts or self.reader.outage.down:
                    self._count("retries")
                    wait = self.reader.outage.clip(_backoff(self.backoff_seconds, unit.attempt))
                    unit.ready_at = time.monotonic() + wait
                    unit.attempt += 1
                    return None
            else:
                self.reader.outage.answered()    # QBO answered, even if it said no
            return [Outcome(op.key, False, request=op.body, fault=fault) for op in unit.ops]
        if unit.kind == pacing.SINGLE:
            op = unit.ops[0]
            obj = answer.get(op.qbo_entity, {})
            return [Outcome(op.key, True, qbo_id=obj.get("Id"), sync_token=obj.get("SyncToken"),
                            request=op.body, response=answer)]
        return self._batch_outcomes(unit.ops, answer)

    def _count(self, *names: str) -> None:
        with self._lock:
            for name in names:
                self.stats[name] += 1

    def _post_batch(self, client, unit: _Unit) -> dict:
        items = [{"bId": str(i), "operation": op.action, op.qbo_entity: op.body}
                 for i, op in enumerate(unit.ops)]
        url = f"{client.api_url}/company/{client.company_id}/batch"
        return client.make_request("POST", url, json.dumps({"BatchItemRequest": items}),
                                   request_id=unit.request_id)

    def _post_single(self, client, unit: _Unit) -> dict:
        op = unit.ops[0]
        url = f"{client.api_url}/company/{client.company_id}/{op.qbo_entity.lower()}"
        params = {"operation": "delete"} if op.action == "delete" else None
        return client.make_request("POST", url, json.dumps(op.body), params=params,
                                   request_id=unit.request_id)

    def _batch_outcomes(self, chunk: list[Operation], answer: dict) -> list[Outcome]:
        by_bid = {item.get("bId"): item for item in answer.get("BatchItemResponse", [])}
        outcomes = []
        for i, op in enumerate(chunk):
            item = by_bid.get(str(i))
            if item is None:
                fault = faults.classify("missing", "QuickBooks did not answer for this record in the batch")
                outcomes.append(Outcome(op.key, False, request=op.body, fault=fault))
            elif "Fault" in item:
                outcomes.append(Outcome(op.key, False, request=op.body, response=item,
                                        fault=faults.from_fault_json(item["Fault"])))
            else:
                obj = item.get(op.qbo_entity, {})
                outcomes.append(Outcome(op.key, True, qbo_id=obj.get("Id"),
                                        sync_token=obj.get("SyncToken"), request=op.body,
                                        response=item))
        return outcomes

    # --- QBO Projects, through the GraphQL Project API -----------------------------
    def _project(self, op: Operation) -> Outcome:
        mutation, field_name = ((CREATE_PROJECT, "projectManagementCreateProject") if op.action == "create"
                                else (UPDATE_PROJECT, "projectManagementUpdateProject"))
        with self.pacer.slot(pacing.SINGLE):
            self._count("requests")
            self.reader.count(WRITE, self._run_id)
            answer = self.connection.graphql(mutation, {"input": op.body})
        if answer.get("errors"):
            message = "; ".join(e.get("message", "") for e in answer["errors"])
            retryable = answer.get("status_code") in faults.RETRYABLE_HTTP
            code = str((answer["errors"][0].get("extensions") or {}).get("code") or "")
            if code.isdigit():   # a QBO error code (6240 duplicate name...): the same plain words as REST
                fault = faults.classify(code, message, message, http_status=answer.get("status_code"))
            else:
                fault = QboFault(code="graphql", message=message, detail="",
                                 plain=f"QuickBooks refused the project: {message}", retryable=retryable)
            return Outcome(op.key, False, request=op.body, response=answer, fault=fault)
        project = (answer.get("data") or {}).get(field_name) or {}
        return Outcome(op.key, True, qbo_id=project.get("id"), request=op.body, response=answer)

    def _add_sync_tokens(self, done: list[Outcome]) -> None:
        """The SyncTokens of projects just written: one counted, paced query per 30 projects.

        A QBO Project is a Customer underneath, and reconcile tells a change in QuickBooks by
        its SyncToken. qbo-api.md documents SyncToken as the REST API's version of an object
        and Intuit's GraphQL Project API ("QBO Projects", "Premium APIs") without one: the
        Project type our mutations select (id, name, description, status, customer) has no
        SyncToken to ask for. (The sandbox's answer carries a syncToken; Intuit does not
        promise one, so it is not relied on.) Unlike a REST write, the answer cannot spare
        this read; it is one query per batch of projects instead of a read per project.
        """
        written = {o.qbo_id: o for o in done if o.ok and o.qbo_id}
        if not written:
            return
        for qbo_id, customer in self.reader.by_ids("Customer", list(written)).items():
            written[qbo_id].sync_token = customer.get("SyncToken")
        for outcome in written.values():   # not answered by the query (made inactive meanwhile?)
            if outcome.sync_token is None:
                outcome.sync_token = self.reader.get("Customer", outcome.qbo_id).get("SyncToken")

    # --- a file attached to an object (POST /upload, multipart) ---------------------------
    def upload(self, key: int, file_name: str, content_type: str, data: bytes, attach_to: tuple[str, str],
               version: str) -> Outcome:
        """Upload a file as an Attachable linked to `attach_to` (QBO entity, id): a write,
        paced and counted as one, retried as the writes are. The request id is the record's
        and the file's (`version`): sent again after a crash, QBO answers the first upload
        instead of attaching the file twice."""
        meta = {"FileName": file_name, "ContentType": content_type,
                "AttachableRef": [{"EntityRef": {"type": attach_to[0], "value": attach_to[1]}}]}
        request_id = _request_id("u", [f"{key}:{version}"])
        unit = _Unit([Operation(key, "Attachable", "create", meta)], pacing.SINGLE, request_id)
        while True:
            try:
                client = self.connection.client(force_refresh=unit.refresh)
                with self.pacer.slot(pacing.SINGLE):
                    self._count("requests", "singles")
                    self.reader.count(WRITE, self.reader.current_run())
                    url = f"{client.api_url}/company/{client.company_id}/upload"
                    answer = client.make_request("POST", url, json.dumps(meta), file_bytes=data,
                                                 request_id=request_id)
                self.reader.outage.answered()
            except NotConnected:
                raise
            except Exception as exc:  # classified: only QBO and network faults retry
                fault = faults.from_exception(exc)
                if fault.http_status == 401 and not unit.refresh:
                    unit.refresh = True
                    continue
                if fault.http_status == 429 and unit.throttled < self.max_throttled:
                    unit.throttled += 1
                    wait = random.uniform(0.5, 1.0) * self.pacer.limits.window   # Intuit: wait a minute
                    self.pacer.pause(wait)
                    time.sleep(wait)
                    continue
                if fault.retryable and fault.http_status != 429:
                    self.reader.outage.failed(fault)
                    if unit.attempt < self.max_attempts or self.reader.outage.down:
                        self._count("retries")
                        time.sleep(self.reader.outage.clip(_backoff(self.backoff_seconds, unit.attempt)))
                        unit.attempt += 1
                        continue
                else:
                    self.reader.outage.answered()
                return Outcome(key, False, request=meta, fault=fault)
            saved = ((answer.get("AttachableResponse") or [{}])[0]).get("Attachable") or {}
            return Outcome(key, bool(saved.get("Id")), qbo_id=saved.get("Id"), sync_token=saved.get("SyncToken"),
                           request=meta, response=answer)

    # --- reads: the reader's, paced by the same pacer -----------------------------------
    def read(self, call):
        """A read through the company's reader (qbo/reader.py); raises QboReadError when QBO refuses it."""
        return self.reader.call(call)


def _backoff(base: float, attempt: int) -> float:
    """Exponential backoff with full jitter, capped at a minute (QBO's throttle window)."""
    return random.uniform(0, min(60.0, base * 2 ** (attempt - 1)))


def _request_id(prefix: str, parts: list[str]) -> str:
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()
    return f"{prefix}-{digest}"[:36]    # QBO allows 36 characters on a batch request id
