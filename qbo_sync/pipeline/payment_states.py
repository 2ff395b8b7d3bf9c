"""What finance reads of an object's payments in QuickBooks: its state, the reason a paid
record is held back, the totals. Pure (no database, no SQLAlchemy): `status` reads it."""

from __future__ import annotations

from datetime import datetime

from qbo_sync.entities.base import PaymentsRule

STAGE = "payments"          # the qbo_objects key of a record's payment state
OPEN, PARTLY_PAID, PAID = "open", "partially paid", "paid"
CENT = 0.005


def state_of(obj: dict, rule: PaymentsRule, txn_type: str, payments: dict[str, dict], now: datetime) -> dict:
    """What finance reads of one object's payments, from QBO's object and its payments."""
    total, balance = float(obj.get("TotalAmt") or 0), float(obj.get("Balance", obj.get("TotalAmt")) or 0)
    paid = []
    for payment_id in [link["TxnId"] for link in obj.get("LinkedTxn") or [] if link.get("TxnType") == rule.qbo_entity]:
        payment = payments.get(payment_id)
        if payment is None:
            continue
        amount = sum(float(line.get("Amount") or 0) for line in payment.get("Line") or []
                     if obj["Id"] in [str(link.get("TxnId")) for link in line.get("LinkedTxn") or []
                                      if link.get("TxnType") == txn_type])
        paid.append({"id": payment_id, "date": payment.get("TxnDate", ""),
                     "method": rule.methods.get(payment.get("PayType", ""), payment.get("PayType", "")),
                     "reference": payment.get("DocNumber", ""), "amount": round(amount, 2)})
    paid.sort(key=lambda p: (p["date"], int(p["id"]) if p["id"].isdigit() else 0))
    state = PAID if balance < CENT and total > 0 else OPEN if abs(total - balance) < CENT else PARTLY_PAID
    return {"state": state, "balance": round(balance, 2), "total": round(total, 2), "payments": paid,
            "sync_token": str(obj.get("SyncToken")), "checked_at": now.isoformat()}


def paid_reason(state: dict) -> str:
    last = state["payments"][-1] if state["payments"] else None
    how = f"{last['method']} {last['reference']}".strip() if last else ""
    when = f" on {last['date']}" if last and last["date"] else ""
    what = "Paid" if state["state"] == PAID else f"Partially paid ({money(state['total'] - state['balance'])})"
    return (f"{what} in QuickBooks{when}{f' ({how})' if how else ''}: changing it there would unbalance "
            "the payment, so the change in the source is not sent. Undo the change in the source, or "
            "void the payment in QuickBooks and run the sync again to send it.")


def money(amount: float) -> str:
    return f"${amount:,.2f}"


def summary(states: list[dict]) -> dict:
    """Counts and money of a set of payment states (status, the report)."""
    found = {"count": {OPEN: 0, PARTLY_PAID: 0, PAID: 0}, "paid": 0.0, "open": 0.0}
    for state in states:
        found["count"][state["state"]] += 1
        found["paid"] += state["total"] - state["balance"]
        found["open"] += state["balance"]
    found["paid"], found["open"] = round(found["paid"], 2), round(found["open"], 2)
    return found


def summary_line(label: str, states: list[dict]) -> str:
    """`status`'s line for one entity: "Vendor bills in QuickBooks: 2 paid, 1 partially paid, ..."."""
    found = summary(states)
    counts = ", ".join(f"{found['count'][s]} {s}" for s in (PAID, PARTLY_PAID, OPEN))
    return f"{label} in QuickBooks: {counts}; {money(found['paid'])} paid, {money(found['open'])} open"
