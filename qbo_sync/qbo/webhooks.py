"""Intuit's webhook notifications: the signature check and both payload formats.

Each POST carries `intuit-signature`: base64 of HMAC-SHA256 over the raw body, keyed with
the app's verifier token. The body is either the legacy payload
(`eventNotifications[].realmId` + `dataChangeEvent.entities[]`: name, id, operation,
lastUpdated) or CloudEvents (a list of events, `type` like `qbo.customer.updated.v1`,
`intuitaccountid`, `intuitentityid`, `time`). Both become the same `Change`s.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

# CloudEvents name entities in lower case; QBO's own names are what the staging database keeps.
QBO_NAMES = {name.lower(): name for name in (
    "Customer", "Vendor", "Employee", "Item", "Account", "Class", "TimeActivity", "Bill",
    "BillPayment", "Invoice", "Payment", "Estimate", "PurchaseOrder", "JournalEntry", "Purchase",
    "Deposit", "Transfer", "VendorCredit", "CreditMemo", "SalesReceipt", "RefundReceipt",
    "Department", "Term", "PaymentMethod", "TaxCode", "TaxRate", "Attachable", "Budget")}
# CloudEvents verbs → the legacy operation names.
OPERATIONS = {"created": "Create", "updated": "Update", "deleted": "Delete", "merged": "Merge",
              "voided": "Void", "emailed": "Emailed"}


class BadNotification(ValueError):
    """A body that is neither payload format; the message says what is wrong."""


@dataclass(frozen=True)
class Change:
    realm_id: str
    qbo_entity: str            # "Customer"
    qbo_id: str
    operation: str             # Create | Update | Delete | Merge | Void
    changed_at: datetime | None


def signature(body: bytes, verifier_token: str) -> str:
    return base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()).decode()


def verified(body: bytes, header: str | None, verifier_token: str) -> bool:
    """True only when a verifier token is set and the header is the body's signature with it."""
    if not verifier_token or not header:
        return False
    return hmac.compare_digest(signature(body, verifier_token).encode(), header.strip().encode())


def parse(body: bytes) -> list[Change]:
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadNotification("the body is not JSON") from None
    if isinstance(payload, dict) and "eventNotifications" in payload:
        return _legacy(payload["eventNotifications"])
    events = payload if isinstance(payload, list) else [payload]
    if not all(isinstance(e, dict) and "specversion" in e for e in events):
        raise BadNotification("neither eventNotifications nor CloudEvents")
    return [_cloud_event(e) for e in events]


def _legacy(notifications) -> list[Change]:
    changes = []
    for notification in notifications or []:
        realm = str(notification.get("realmId", ""))
        for entity in (notification.get("dataChangeEvent") or {}).get("entities") or []:
            if not realm or not entity.get("name") or not entity.get("id"):
                raise BadNotification("an entity without realmId, name or id")
            changes.append(Change(realm, QBO_NAMES.get(str(entity["name"]).lower(), str(entity["name"])),
                                  str(entity["id"]), str(entity.get("operation") or "Update"),
                                  _time(entity.get("lastUpdated"))))
    return changes


def _cloud_event(event: dict) -> Change:
    parts = str(event.get("type", "")).split(".")        # qbo.customer.updated.v1
    realm, obj_id = event.get("intuitaccountid"), event.get("intuitentityid")
    if len(parts) < 3 or parts[0] != "qbo" or not realm or not obj_id:
        raise BadNotification(f"a CloudEvent without a qbo type, intuitaccountid or intuitentityid: {event.get('id')}")
    operation = OPERATIONS.get(parts[2], parts[2].capitalize())
    return Change(str(realm), QBO_NAMES.get(parts[1], parts[1].capitalize()), str(obj_id), operation,
                  _time(event.get("time")))


def _time(text) -> datetime | None:
    if not text:
        return None
    try:
        # Legacy times look like 2015-10-05T14:42:19-0700; Python 3.11 reads both forms.
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
