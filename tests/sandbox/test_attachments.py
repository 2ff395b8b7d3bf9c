"""Attachable and POST /upload over HTTP: python-quickbooks' own upload (base64 parts,
"\\n" line ends) and a plain multipart form (binary, CRLF) as Intuit documents it; the
download link; QBO's type and size limits; queries by the attached bill."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects import Account, Attachable, Bill, Vendor
from quickbooks.objects.base import AttachableRef
from quickbooks.objects.detailline import AccountBasedExpenseLine, AccountBasedExpenseLineDetail

from tests.sandbox.objects import ref

from conftest import fault_code

PDF = b"%PDF-1.4\r\n%\xe2\xe3\xcf\xd3\r\n1 0 obj<<>>endobj\n\x00\x01binary\r\n%%EOF\r\n"


def make_bill(qb) -> Bill:
    bill = Bill()
    bill.VendorRef = ref(Vendor.filter(DisplayName="Ace Concrete Supply", qb=qb)[0].Id)
    line = AccountBasedExpenseLine()
    line.Amount = 980
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = ref(Account.filter(Name="Job Materials", qb=qb)[0].Id)
    bill.Line = [line]
    bill.DocNumber = "ACE-3301"
    return bill.save(qb=qb)


def attachment(bill_id: str, file_name: str = "ACE-3301.pdf", data: bytes = PDF) -> Attachable:
    a = Attachable()
    link = AttachableRef()
    link.EntityRef = ref(bill_id)
    link.EntityRef.type = "Bill"
    a.AttachableRef = [link]
    a.FileName, a.ContentType, a._FileBytes = file_name, "application/pdf", data
    return a


def form(bill_id: str, file_name: str, data: bytes, content_type="application/pdf") -> dict:
    """A multipart upload as Intuit's guide shows it: metadata and file, suffix 0."""
    meta = {"AttachableRef": [{"EntityRef": {"type": "Bill", "value": bill_id}}],
            "FileName": file_name, "ContentType": content_type}
    return {"file_metadata_0": (None, json.dumps(meta), "application/json"),
            "file_content_0": (file_name, data, content_type)}


def test_python_quickbooks_upload_links_the_file_to_the_bill_and_downloads(qb, raw):
    bill = make_bill(qb)
    saved = attachment(bill.Id).save(qb=qb)
    assert saved.Id and saved.SyncToken == "0"
    assert (saved.FileName, saved.ContentType, saved.Size) == ("ACE-3301.pdf", "application/pdf", len(PDF))
    assert saved.AttachableRef[0].EntityRef.value == bill.Id
    assert saved.FileAccessUri == f"/v3/company/{qb.company_id}/download/{saved.Id}"

    found = Attachable.where(f"AttachableRef.EntityRef.Type = 'Bill' AND "
                             f"AttachableRef.EntityRef.Value = '{bill.Id}'", qb=qb)
    assert [a.Id for a in found] == [saved.Id]
    assert Attachable.where("AttachableRef.EntityRef.Value = '999'", qb=qb) == []

    link = raw.get(f"/download/{saved.Id}")
    assert link.status_code == 200 and link.headers["content-type"].startswith("text/plain")
    file = requests.get(link.text, timeout=10)                      # no token: a signed link
    assert file.status_code == 200 and file.content == PDF
    assert file.headers["content-type"] == "application/pdf"
    assert requests.get(link.text.replace("signature=", "signature=0"), timeout=10).status_code == 403


def test_download_link_expires(qb, raw, admin):
    saved = attachment(make_bill(qb).Id).save(qb=qb)
    link = raw.get(f"/download/{saved.Id}").text
    admin.advance_clock(16 * 60)
    assert requests.get(link, timeout=10).status_code == 403
    assert requests.get(raw.get(f"/download/{saved.Id}").text, timeout=10).content == PDF


def test_plain_multipart_form_with_binary_file_and_requestid(qb, raw):
    bill = make_bill(qb)
    request_id = uuid.uuid4().hex
    first = raw.post("/upload", params={"requestid": request_id},
                     files=form(bill.Id, "Delivery ticket.pdf", PDF))
    assert first.status_code == 200, first.text
    created = first.json()["AttachableResponse"][0]["Attachable"]
    assert created["FileName"] == "Delivery ticket.pdf" and created["Size"] == len(PDF)
    again = raw.post("/upload", params={"requestid": request_id},
                     files=form(bill.Id, "Delivery ticket.pdf", PDF))
    assert again.json()["AttachableResponse"][0]["Attachable"]["Id"] == created["Id"]
    assert Attachable.count(qb=qb) == 1                              # the retry made no copy
    assert requests.get(raw.get(f"/download/{created['Id']}").text, timeout=10).content == PDF


def test_type_size_and_reference_limits(qb, raw, admin):
    bill = make_bill(qb)
    refused = raw.post("/upload", files=form(bill.Id, "setup.exe", b"MZ\x90", "application/x-msdownload"))
    assert refused.status_code == 400 and fault_code(refused) == "6000"
    assert "setup.exe" in refused.json()["Fault"]["Error"][0]["Detail"]

    admin.settings(max_upload_bytes=64)
    too_big = raw.post("/upload", files=form(bill.Id, "scan.pdf", b"%PDF" + b"x" * 100))
    assert fault_code(too_big) == "6000" and "over the limit of 64 bytes" in too_big.text
    with pytest.raises(QuickbooksException) as big:
        attachment(bill.Id, data=b"%PDF" + b"y" * 100).save(qb=qb)
    assert big.value.error_code == 6000

    admin.settings(max_upload_bytes=100 * 1024 * 1024)
    missing = raw.post("/upload", files=form("9999", "scan.pdf", PDF))
    assert fault_code(missing) == "2500"
    not_multipart = raw.post("/upload", data=b"hello", headers={"Content-Type": "text/plain"})
    assert fault_code(not_multipart) == "2010"
    assert Attachable.count(qb=qb) == 0


def test_note_attachable_update_keeps_the_file_and_delete(qb):
    bill = make_bill(qb)
    note = Attachable()
    link = AttachableRef()
    link.EntityRef = ref(bill.Id)
    link.EntityRef.type = "Bill"
    note.AttachableRef, note.Note = [link], "Approved by site manager"
    note = note.save(qb=qb)
    assert Attachable.get(note.Id, qb=qb).Note == "Approved by site manager"

    file = attachment(bill.Id).save(qb=qb)
    current = Attachable.get(file.Id, qb=qb)
    current.Note, current.Size = "Signed copy", 1               # Size is the upload's, not ours
    updated = current.save(qb=qb)
    assert (updated.Note, updated.Size, updated.FileName, updated.SyncToken) == \
        ("Signed copy", len(PDF), "ACE-3301.pdf", "1")
    updated.delete(qb=qb)
    assert [a.Id for a in Attachable.all(qb=qb)] == [note.Id]

    empty = Attachable()
    with pytest.raises(QuickbooksException) as nothing:
        empty.save(qb=qb)
    assert nothing.value.error_code == 2020
