"""Bill documents end to end: a bill's file (the `document` column, a path under the source
folder) is attached in QuickBooks once across runs, a changed file replaces it, and a
missing file or one QuickBooks refuses is Needs Action naming it. Against the sandbox over
HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import requests

from tests.e2e.test_timesheets_sync import rows, sync, sync_with_preview

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def attached(res, bill_qbo_id: str) -> list[dict]:
    """The Attachables QuickBooks links to the bill, as a finance person would find them."""
    found = res.qbo.client().query(
        "SELECT * FROM Attachable WHERE AttachableRef.EntityRef.Type = 'Bill' AND "
        f"AttachableRef.EntityRef.Value = '{bill_qbo_id}'")
    return found.get("QueryResponse", {}).get("Attachable", [])


def downloaded(res, attachable_id: str) -> bytes:
    client = res.qbo.client()
    link = client.process_request("GET", f"{client.api_url}/company/{client.company_id}/download/{attachable_id}",
                                  headers={"Accept": "text/plain"})
    return requests.get(link.text, timeout=10).content


def test_a_bill_document_is_attached_once_and_a_changed_file_replaces_it(res, source):
    (source.path / "invoices").mkdir()
    (source.path / "invoices" / "B-000001.pdf").write_bytes(PDF)
    source.edit("vendor_bills", "bill_id", "B-000001", document="invoices/B-000001.pdf")
    sync(res)
    bill = rows(res, "vendor_bills")["B-000001"]
    assert bill["status"] == "Synced"
    first = attached(res, bill["qbo_id"])
    assert [(a["FileName"], a["ContentType"], a["Size"]) for a in first] == [
        ("B-000001.pdf", "application/pdf", len(PDF))]
    assert downloaded(res, first[0]["Id"]) == PDF

    preview, _ = sync_with_preview(res)           # a re-run: nothing to attach, nothing attached
    assert preview.attachments == {}
    assert [a["Id"] for a in attached(res, bill["qbo_id"])] == [first[0]["Id"]]

    changed = PDF.replace(b"%%EOF", b"% signed copy\n%%EOF")
    (source.path / "invoices" / "B-000001.pdf").write_bytes(changed)
    preview, _ = sync_with_preview(res)
    assert preview.attachments == {"vendor_bills": 1}
    now = attached(res, bill["qbo_id"])
    assert len(now) == 1 and now[0]["Id"] != first[0]["Id"] and now[0]["Size"] == len(changed)
    assert downloaded(res, now[0]["Id"]) == changed
    assert rows(res, "vendor_bills")["B-000001"]["status"] == "Synced"


def test_a_missing_or_refused_document_is_needs_action_naming_the_file(res, source):
    (source.path / "setup.exe").write_bytes(b"MZ not an invoice")
    source.edit("vendor_bills", "bill_id", "B-000001", document="invoices/missing.pdf")
    source.edit("vendor_bills", "bill_id", "B-000002", document="setup.exe")
    sync(res)
    bills = rows(res, "vendor_bills")
    missing, refused = bills["B-000001"], bills["B-000002"]
    assert missing["status"] == "Needs Action" and missing["qbo_id"] is None
    assert missing["reasons"] == ['Document "invoices/missing.pdf" was not found in the source folder: '
                                  "add the file there, or clear the bill's document"]
    assert refused["status"] == "Needs Action" and refused["qbo_id"] is None
    assert refused["reasons"][0].startswith(
        'Document "setup.exe" is a ".exe" file, which QuickBooks does not accept as an attachment')

    # The office adds the missing file: the bill is written with its document.
    (source.path / "invoices").mkdir()
    (source.path / "invoices" / "missing.pdf").write_bytes(PDF)
    sync(res)
    bill = rows(res, "vendor_bills")["B-000001"]
    assert bill["status"] == "Synced" and bill["reasons"] == []
    assert [a["FileName"] for a in attached(res, bill["qbo_id"])] == ["missing.pdf"]
    assert rows(res, "vendor_bills")["B-000002"]["status"] == "Needs Action"


def test_the_run_report_counts_documents_attached_and_waiting(res, source):
    from qbo_sync import entities as registry
    from qbo_sync.ops.report_files import to_csv, to_html
    from qbo_sync.pipeline.report import build_report, to_markdown

    (source.path / "B-000001.pdf").write_bytes(PDF)
    source.edit("vendor_bills", "bill_id", "B-000001", document="B-000001.pdf")
    source.edit("vendor_bills", "bill_id", "B-000002", document="gone.pdf")
    sync(res)
    report = build_report(res.db, registry.resolve(None))
    assert report["documents"] == [{"entity": "vendor_bills", "attached": 1, "waiting": 1}]
    assert "| Vendor bills | 1 | 1 |" in to_markdown(report)
    assert "<h2>Documents attached in QuickBooks</h2>" in to_html(report)
    assert "documents,Vendor bills,,,,,,attached,1" in to_csv(report)
