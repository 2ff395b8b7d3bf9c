"""The push engine: writes operations to QBO in batches, retrying what can be retried.

Batching, pacing and retries live here and nowhere else, so the engine can grow
(global rate limits, crash recovery) without touching the stages that feed it.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from typing import Callable

from qbo_sync.qbo import faults
from qbo_sync.qbo.connection import QboConnection
from qbo_sync.qbo.faults import QboFault

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
class PushEngine:
    connection: QboConnection
    batch_size: int = 30
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    stats: dict = field(default_factory=lambda: {"requests": 0, "retries": 0})

    def run(self, operations: list[Operation],
            on_progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
        outcomes: list[Outcome] = []
        rest = [op for op in operations if op.writer == "rest"]
        projects = [op for op in operations if op.writer == "project"]
        total = len(operations)
        for start in range(0, len(rest), self.batch_size):
            outcomes += self._batch(rest[start:start + self.batch_size])
            if on_progress:
                on_progress(len(outcomes), total)
        for op in projects:
            outcomes.append(self._project(op))
            if on_progress:
                on_progress(len(outcomes), total)
        return outcomes

    # --- REST, through the Batch API ---------------------------------------------
    def _batch(self, chunk: list[Operation]) -> list[Outcome]:
        items = [{"bId": str(i), "operation": op.action, op.qbo_entity: op.body}
                 for i, op in enumerate(chunk)]
        body = {"BatchItemRequest": items}
        # The same chunk gets the same request id, so a retry after a lost answer
        # returns QBO's first answer instead of writing twice.
        request_id = _request_id("b", [f"{op.key}:{op.action}:{op.version}" for op in chunk])

        def send(client):
            url = f"{client.api_url}/company/{client.company_id}/batch"
            return client.make_request("POST", url, json.dumps(body), request_id=request_id)

        try:
            answer = self._with_retries(send)
        except _GaveUp as failure:
            return [Outcome(op.key, False, request=op.body, fault=failure.fault) for op in chunk]
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
        answer = self.connection.graphql(mutation, {"input": op.body})
        self.stats["requests"] += 1
        if answer.get("errors"):
            message = "; ".join(e.get("message", "") for e in answer["errors"])
            retryable = answer.get("status_code") in faults.RETRYABLE_HTTP
            fault = QboFault(code="graphql", message=message, detail="",
                             plain=f"QuickBooks refused the project: {message}", retryable=retryable)
            return Outcome(op.key, False, request=op.body, response=answer, fault=fault)
        project = (answer.get("data") or {}).get(field_name) or {}
        qbo_id = project.get("id")
        # A QBO Project is a Customer underneath: read its SyncToken for later updates.
        customer = self._with_retries(
            lambda client: client.get_single_object("Customer", qbo_id)).get("Customer", {})
        return Outcome(op.key, True, qbo_id=qbo_id, sync_token=customer.get("SyncToken"),
                       request=op.body, response=answer)

    # --- retries -------------------------------------------------------------------
    def _with_retries(self, call):
        force_refresh = False
        for attempt in range(1, self.max_attempts + 1):
            try:
                self.stats["requests"] += 1
                return call(self.connection.client(force_refresh=force_refresh))
            except Exception as exc:  # classified below: only QBO and network faults retry
                fault = faults.from_exception(exc)
                if fault.http_status == 401 and not force_refresh:
                    force_refresh = True           # the token may have expired mid-run
                    continue
                if not fault.retryable or attempt == self.max_attempts:
                    raise _GaveUp(fault) from exc
                self.stats["retries"] += 1
                self.sleep(_backoff(self.backoff_seconds, attempt))
        raise AssertionError("unreachable")


class _GaveUp(Exception):
    def __init__(self, fault: QboFault):
        super().__init__(fault.plain)
        self.fault = fault


def _backoff(base: float, attempt: int) -> float:
    """Exponential backoff with full jitter, capped at a minute (QBO's throttle window)."""
    return random.uniform(0, min(60.0, base * 2 ** (attempt - 1)))


def _request_id(prefix: str, parts: list[str]) -> str:
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()
    return f"{prefix}-{digest}"[:36]    # QBO allows 36 characters on a batch request id
