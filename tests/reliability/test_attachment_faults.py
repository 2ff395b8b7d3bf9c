"""Bill documents under SIGKILL: runs killed at random points while they replace bills'
files (upload the new one, delete the old) leave, after one more run, exactly one
Attachable per bill in QuickBooks (the current file), none duplicated, none lost. Figures
are printed (-s)."""

from __future__ import annotations

import os
import random
import signal
import time

from qbo_sync.pipeline import stages
from tests.e2e.test_bill_documents import PDF
from tests.e2e.test_timesheets_sync import rows
from tests.reliability.test_push_faults import Worker, full_run


def attachables(res) -> list[dict]:
    return res.qbo.client().query("SELECT * FROM Attachable STARTPOSITION 1 MAXRESULTS 1000"
                                  ).get("QueryResponse", {}).get("Attachable", [])


def write_documents(source, bill_ids: list[str], version: bytes) -> None:
    folder = source.path / "invoices"
    folder.mkdir(exist_ok=True)
    for bill_id in bill_ids:
        (folder / f"{bill_id}.pdf").write_bytes(PDF.replace(b"%%EOF", b"% " + version + b" " + bill_id.encode()
                                                            + b"\n%%EOF"))


def kill_during_uploads(config: str, kills: int, rng: random.Random) -> int:
    """Runs killed at a random moment after their push began; how many died before finishing."""
    died = 0
    for _ in range(kills):
        worker = Worker(config)
        assert worker.pushing.wait(120), "the run never reached the push"
        time.sleep(rng.uniform(0.0, 0.6))
        worker.proc.send_signal(signal.SIGKILL)
        worker.proc.wait()
        died += "DONE" not in worker.lines
    return died


def test_sigkill_while_attaching_and_replacing_documents_leaves_one_attachable_per_bill(
        make_resources, scaled, config_for, source):
    kills = int(os.environ.get("FAULT_SUITE_KILLS", "8"))
    scaled.settings(slow_rate=0.5, slow_seconds=0.1)     # slow answers: kills land among the uploads
    res = make_resources()
    # The bills and their first documents, without a fault: the killed runs below only upload
    # and replace files. (A killed bill *update* is the push's in-doubt recovery, covered apart.)
    bills = [b for b in source.frame("vendor_bills")["bill_id"] if b not in ("B-000003", "B-000005", "B-000014")]
    frame = source.frame("vendor_bills")
    frame["document"] = [f"invoices/{b}.pdf" if b in bills else "" for b in frame["bill_id"]]
    source.save("vendor_bills", frame)
    write_documents(source, bills, b"first")
    full_run(res)
    assert sorted(b["source_id"] for b in rows(res, "vendor_bills").values() if b["status"] == "Synced") == bills
    rng = random.Random(int(os.environ.get("FAULT_SUITE_SEED", "5")))
    config = config_for(res)

    figures = []
    for version in (b"signed", b"final"):                # every file replaced, twice
        write_documents(source, bills, version)
        died = kill_during_uploads(config, kills, rng)
        Worker(config).finish()
        found = attachables(res)
        per_bill: dict[str, list[dict]] = {}
        for a in found:
            per_bill.setdefault(a["AttachableRef"][0]["EntityRef"]["value"], []).append(a)
        staged = rows(res, "vendor_bills")
        held = {staged[b]["qbo_id"]: staged[b]["qbo_ids"].get("document") for b in bills}
        figures.append(f"{version.decode()}: {kills} kills ({died} mid-run), {len(found)} Attachables "
                       f"for {len(bills)} bills")
        assert sorted(per_bill) == sorted(held), "every bill has its document, no other object has one"
        assert all(len(v) == 1 for v in per_bill.values()), "no duplicate Attachable"
        assert {k: v[0]["Id"] for k, v in per_bill.items()} == held, "the staged records name them"
        expected = len(PDF) + len(b"% ") + len(version) + len(" B-000001\n")
        assert {a["Size"] for a in found} == {expected}, "each holds the current file"
        assert all(staged[b]["status"] == "Synced" for b in bills)
        assert died > 0, "some kills should land before the run finished"
    print("\nSIGKILL during uploads: " + "; ".join(figures))
    preview = stages.run_preview(res, None)
    assert preview.attachments == {}                     # nothing left to attach
