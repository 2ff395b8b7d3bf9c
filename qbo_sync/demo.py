"""`qbo-sync demo`: the whole sync on the demo company, against the embedded QBO sandbox.

It never talks to a real QuickBooks company: it refuses unless the QBO connection is the
embedded sandbox, and it keeps its state in the data directory's own files.
"""

from __future__ import annotations

import time

import yaml

from qbo_sync.settings import load_settings

# Job costing in the demo company (docs/mapping.md): a class per cost type on bill lines and
# time, a location per project on bills. The sandbox's seed has neither these classes nor
# locations, so the demo sets the company up as its bookkeeper would (_set_up_job_costing).
DEMO_MAPPINGS = {
    "classes": {"by_type": {"Labor": "Field Labor", "Material": "Materials and Equipment",
                            "Equipment": "Materials and Equipment", "Subcontract": "Subcontractors",
                            "Other": "Overhead"}},
    "locations": {"by_project": {"P-00001": "Peninsula", "P-00002": "Peninsula"}, "default": "East Bay"},
}


def run_demo(args) -> int:
    from qbo_sync.cli import CliError

    settings = load_settings(args.config)
    if settings.qbo.kind != "sandbox" or settings.database_url:
        raise CliError("the demo runs only on the embedded defaults (qbo.kind sandbox, SQLite staging "
                       "database): it never touches a real QuickBooks company or your database")
    # The demo's own settings file: the user's settings, plus the demo source, and customer
    # suggestions confirmed so that the demo shows records reaching QBO (a real setup
    # confirms each link with `qbo-sync map customer` unless auto_confirm_customer is on).
    demo_config = settings.data_dir / "demo-settings.yaml"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    demo_config.write_text(yaml.safe_dump({
        "data_dir": str(settings.data_dir),
        "reports_dir": str(settings.reports_dir),
        **({"validations_dir": str(settings.validations_dir)} if settings.validations_dir else {}),
        "source": {"kind": "demo", "demo": {"size": args.size, "seed": settings.source.demo.seed,
                                            "documents": str(settings.data_dir / "demo-documents")}},
        "sync": {"project_mode": settings.sync.project_mode, "auto_confirm_customer": True},
    }, sort_keys=False))
    # Beside the demo's settings file, so its runs read it (mappings.find_path).
    (settings.data_dir / "mappings.yaml").write_text(yaml.safe_dump(DEMO_MAPPINGS, sort_keys=False))
    if not args.keep:
        for name in ("staging.db", "staging.db-wal", "staging.db-shm", "sandbox.db",
                     "sandbox.db-wal", "sandbox.db-shm"):
            (settings.data_dir / name).unlink(missing_ok=True)

    started = time.monotonic()
    print(f"qbo-sync demo: a generated construction company (size {args.size}) synced to the local "
          f"QBO sandbox; state in {settings.data_dir.resolve()}")
    from qbo_sync import preflight

    _set_up_job_costing(str(demo_config))
    preflight.check(str(demo_config))   # e.g. a tuned suites folder that lacks a suite: one line, no run
    from qbo_sync.flows.sync import sync
    from qbo_sync.ops import temporary_server

    temporary_server.start()
    report = sync(entities=None, mode="all", approval="yes", config=str(demo_config))

    from qbo_sync.pipeline.report import to_text

    print(to_text(report))
    _pay_some_bills(str(demo_config))
    print(f"Finished in {time.monotonic() - started:.0f} s. Where to look next:")
    print("  qbo-sync status                      every staged record and its status")
    print("  qbo-sync status --status 'Needs Action'   what to fix, in plain words")
    print("  qbo-sync history projects/<ID>       a record's field changes and sync activity")
    print("  qbo-sync payload projects/<ID>       the JSON sent to QuickBooks and its answer")
    print("  qbo-sync report                      this run's report again")
    print("  prefect server start                 the Prefect UI, with this run in its flow-run history")
    return 0


# Bills the office pays in QuickBooks after the demo's push: (bill, share of it paid, how).
DEMO_PAYMENTS = (("B-000001", 1.0, ("Check", "1001")), ("B-000004", 1.0, ("Check", "1002")),
                 ("B-000002", 0.5, ("CreditCard", "VISA-0425")))
CARD_ACCOUNT = "Company Visa"


def _pay_some_bills(config: str) -> None:
    """Pay a few of the demo's bills in the embedded sandbox, as the office would in QuickBooks
    (BillPayments by check and credit card), then pull the payments back: `status`, the
    console and the next run's report show them. Bills paid already (a --keep run) are left."""
    from quickbooks.objects import Account, BillPayment
    from quickbooks.objects.base import LinkedTxn, Ref
    from quickbooks.objects.billpayment import BillPaymentCreditCard, BillPaymentLine, CheckPayment

    from qbo_sync import entities as registry
    from qbo_sync.pipeline import payments
    from qbo_sync.resources import Resources
    from qbo_sync.views import payment_lines, status_rows

    def ref(value: str) -> Ref:
        found = Ref()
        found.value = value
        return found

    res = Resources(load_settings(config))
    try:
        qb = res.qbo.client()
        bills = {r["source_id"]: r for r in status_rows(res.db, entity="vendor_bills") if r["qbo_id"]}
        for source_id, share, (pay_type, reference) in DEMO_PAYMENTS:
            bill = res.reader.by_ids("Bill", [bills[source_id]["qbo_id"]]).get(bills[source_id]["qbo_id"]) \
                if source_id in bills else None
            if bill is None or bill.get("LinkedTxn"):
                continue
            payment = BillPayment()
            payment.VendorRef, payment.PayType, payment.DocNumber = ref(bill["VendorRef"]["value"]), pay_type, reference
            if pay_type == "Check":
                payment.CheckPayment = CheckPayment()
                payment.CheckPayment.BankAccountRef = ref(Account.filter(Name="Checking", qb=qb)[0].Id)
            else:
                payment.CheckPayment = None
                payment.CreditCardPayment = BillPaymentCreditCard()
                payment.CreditCardPayment.CCAccountRef = ref(_card_account(qb).Id)
            line, link = BillPaymentLine(), LinkedTxn()
            line.Amount = payment.TotalAmt = round(bill["TotalAmt"] * share, 2)
            link.TxnId, link.TxnType = bill["Id"], "Bill"
            line.LinkedTxn = [link]
            payment.Line = [line]
            payment.save(qb=qb)
        payments.refresh(res.db, res.reader, [registry.get("vendor_bills")])
        print("Then the office paid a few bills in QuickBooks (by check and credit card); pulled back:")
        for line in payment_lines(res.db, "vendor_bills"):
            print(f"  {line}")
    finally:
        res.close()


def _card_account(qb):
    from quickbooks.objects import Account

    found = Account.filter(Name=CARD_ACCOUNT, qb=qb)
    if found:
        return found[0]
    account = Account()
    account.Name, account.AccountType = CARD_ACCOUNT, "Credit Card"
    return account.save(qb=qb)


def _set_up_job_costing(config: str) -> None:
    """The embedded sandbox's company tracks locations and has the demo's classes and locations."""
    import json

    from qbo_sync.resources import Resources

    res = Resources(load_settings(config))
    try:
        client = res.qbo.client()
        base = f"{client.api_url}/company/{client.company_id}"
        prefs = client.get(f"{base}/preferences")["Preferences"]
        if not (prefs.get("AccountingInfoPrefs") or {}).get("TrackDepartments"):
            client.make_request("POST", f"{base}/preferences", json.dumps(
                {"SyncToken": prefs["SyncToken"], "AccountingInfoPrefs": {"TrackDepartments": True}}))
        wanted = {"Class": set(DEMO_MAPPINGS["classes"]["by_type"].values()),
                  "Department": {DEMO_MAPPINGS["locations"]["default"],
                                 *DEMO_MAPPINGS["locations"]["by_project"].values()}}
        for entity, names in wanted.items():
            held = {o.get("Name") for o in res.reader.query_all(entity, inactive_too=True)}
            for name in sorted(names - held):
                client.make_request("POST", f"{base}/{entity.lower()}", json.dumps({"Name": name}))
    finally:
        res.close()

