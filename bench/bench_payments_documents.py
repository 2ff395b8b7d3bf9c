"""Bill payments back and bill documents (issue 16): what they cost in QBO requests and time.

Syncs a demo company into a fresh sandbox company, pays a share of its bills in QuickBooks
(BillPayments by check, through the sandbox's API), then times the payment pull the first
time (every bill read by id) and after (one CDC request), and the upload of every bill's
document (one write each, paced as the push's writes). Figures are printed; nothing is
asserted.

    python bench/bench_payments_documents.py [--size 4] [--paid 0.3] [--time-scale 100]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

from qbo_sync import entities as registry  # noqa: E402
from qbo_sync.pipeline import documents, payments, stages  # noqa: E402
from qbo_sync.resources import Resources  # noqa: E402
from qbo_sync.sandbox.admin_client import SandboxAdmin  # noqa: E402
from qbo_sync.sandbox.server import SandboxServer  # noqa: E402
from qbo_sync.settings import load_settings  # noqa: E402
from qbo_sync.sources.demo import DemoSource, invoice_pdf  # noqa: E402


def sync(res: Resources) -> None:
    stages.run_import(res, None, "all")
    stages.run_validate(res, None)
    stages.run_map(res, None)
    stages.run_push(res, stages.run_preview(res, None))


def pay(res: Resources, bill: dict, check: str) -> None:
    """A check paying the whole bill, as QuickBooks' Pay Bills screen makes it."""
    client = res.qbo.client()
    bank = client.query("SELECT * FROM Account WHERE Name = 'Checking'")["QueryResponse"]["Account"][0]
    body = {"VendorRef": bill["VendorRef"], "PayType": "Check", "DocNumber": check, "TotalAmt": bill["TotalAmt"],
            "CheckPayment": {"BankAccountRef": {"value": bank["Id"]}},
            "Line": [{"Amount": bill["TotalAmt"], "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]}
    client.make_request("POST", f"{client.api_url}/company/{client.company_id}/billpayment", json.dumps(body))


def timed(label: str, res: Resources, fn) -> None:
    reads, started = res.reader.stats["reads"], time.perf_counter()
    found = fn()
    print(f"{label:<34} {time.perf_counter() - started:>8.2f} s {res.reader.stats['reads'] - reads:>7} reads  {found}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4, help="demo size (1: the `make demo` company)")
    parser.add_argument("--paid", type=float, default=0.3, help="share of the bills paid in QuickBooks")
    parser.add_argument("--time-scale", type=float, default=100, help="QBO's minute divided by this")
    args = parser.parse_args()
    with SandboxServer() as server, tempfile.TemporaryDirectory() as tmp:
        admin = SandboxAdmin(server.info["base_url"])
        admin.settings(time_scale=args.time_scale)
        realm = admin.create_realm(projects_enabled=True, seed=True)
        info, folder = server.info, Path(tmp)
        DemoSource(size=args.size).write_csv(folder / "source")
        res = Resources(load_settings(
            None, data_dir=folder / "data", database_url=f"sqlite:///{folder / 'staging.db'}",
            source={"kind": "csv", "csv": {"path": str(folder / "source")}},
            qbo={"kind": "remote", "discovery_url": info["discovery_url"], "api_url_v3": info["api_url_v3"],
                 "realm_id": realm, "client_id": info["client_id"], "client_secret": info["client_secret"],
                 "redirect_uri": info["redirect_uri"]},
            sync={"auto_confirm_customer": True}, push={"time_scale": args.time_scale}))
        res.qbo.connect_headless()
        sync(res)
        bills = [registry.get("vendor_bills")]
        in_qbo = res.reader.query_all("Bill")
        for n, bill in enumerate(in_qbo[:int(len(in_qbo) * args.paid)]):
            pay(res, bill, str(5000 + n))
        print(f"demo size {args.size}: {len(in_qbo)} bills in QuickBooks, {int(len(in_qbo) * args.paid)} paid there")
        timed("payments, first pull (by id)", res, lambda: payments.refresh(res.db, res.reader, bills)[0].states)
        timed("payments, next pull (CDC)", res, lambda: payments.refresh(res.db, res.reader, bills)[0].states)

        frame = DemoSource(size=args.size).read("vendor_bills")
        (folder / "source" / "invoices").mkdir()
        for bill_id, number in zip(frame["bill_id"], frame["bill_number"]):
            (folder / "source" / "invoices" / f"{bill_id}.pdf").write_bytes(invoice_pdf(f"Invoice {number}", bill_id))
        spec = bills[0]
        with res.db.session() as session, session.begin():   # name each bill's document, as an edit would
            from sqlalchemy import select

            from qbo_sync.db.models import Record
            for record in session.scalars(select(Record).where(Record.entity == spec.name)):
                record.data = {**record.data, "document": f"invoices/{record.source_id}.pdf"}
        engine = res.push_engine()
        writes = engine.stats["requests"]
        started = time.perf_counter()
        done = documents.attach(res.db, engine, res.source, spec)
        print(f"{'documents attached (uploads)':<34} {time.perf_counter() - started:>8.2f} s "
              f"{engine.stats['requests'] - writes:>7} writes {done.attached} attached")
        writes, started = engine.stats["requests"], time.perf_counter()
        again = documents.attach(res.db, engine, res.source, spec)
        print(f"{'documents, unchanged re-run':<34} {time.perf_counter() - started:>8.2f} s "
              f"{engine.stats['requests'] - writes:>7} writes {again.attached} attached")
        res.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
