"""Attachable, POST /upload (multipart) and the download link, as QBO has them.

Intuit's "Attach images and notes" guide and Attachable page: a file is uploaded as
multipart/form-data, each file part `file_content_N` with an optional JSON part
`file_metadata_N` (an Attachable: FileName, ContentType, AttachableRef [{EntityRef {type,
value}}]); the answer is {"AttachableResponse": [{"Attachable": {...}}]}. A note alone is
created at /attachable. `GET /download/<id>` answers a temporary link (text/plain) to the
file. python-quickbooks sends its parts base64-encoded with "\\n" line ends, which the
email parser reads as well as a browser's CRLF form.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import hmac
import json
import secrets
from pathlib import PurePath

from qbo_sync.sandbox.entities import ENTITIES, check_length
from qbo_sync.sandbox.faults import QboError

# Intuit's list of attachment types QBO accepts, by file extension.
ALLOWED_EXTENSIONS = {"ai", "csv", "doc", "docx", "eps", "gif", "jpeg", "jpg", "ods", "pages",
                      "pdf", "png", "rtf", "tif", "tiff", "txt", "xls", "xlsx", "xml"}
FILE_FIELDS = ("FileName", "ContentType", "Size", "FileAccessUri")
LINK_SECONDS = 15 * 60   # a temporary download link lasts this long (sandbox clock)
NOT_ATTACHABLE_TO = {"CompanyInfo", "Preferences", "Attachable"}


# --- the Attachable's own rules ---------------------------------------------------------
def check_attachable(ctx, doc: dict, old: dict | None) -> dict:
    refs = doc.get("AttachableRef", [])
    if not isinstance(refs, list):
        raise QboError(2010, "Property Name:AttachableRef must be a list", "AttachableRef")
    for item in refs:
        entity_ref = item.get("EntityRef") if isinstance(item, dict) else None
        if not isinstance(entity_ref, dict) or not entity_ref.get("type") or not entity_ref.get("value"):
            raise QboError(2020, "Required parameter AttachableRef.EntityRef (type and value) is "
                                 "missing in the request", "AttachableRef.EntityRef")
        entity = ENTITIES.get(str(entity_ref["type"]).lower())
        if entity is None or entity in NOT_ATTACHABLE_TO:
            raise QboError(2010, f"Property Name:AttachableRef.EntityRef type "
                                 f"{entity_ref['type']!r} cannot have attachments",
                           "AttachableRef.EntityRef")
        if ctx.get(entity, str(entity_ref["value"])) is None:
            raise QboError(2500, f"Invalid Reference Id : {entity} {entity_ref['value']} in "
                                 "AttachableRef does not exist", "AttachableRef.EntityRef")
        item["EntityRef"] = {"type": entity, "value": str(entity_ref["value"])}
        item.setdefault("IncludeOnSend", False)
    check_length(doc, "Note", 2000)
    check_length(doc, "FileName", 1000)
    # A file's name, type and size come from the upload; an update keeps them.
    doc.pop("Size", None)
    doc.pop("FileAccessUri", None)
    if old is not None and "FileAccessUri" in old:
        doc.update({field: old[field] for field in FILE_FIELDS if field in old})
    if not doc.get("FileName") and not doc.get("Note"):
        raise QboError(2020, "Required parameter FileName or Note is missing in the request",
                       "Note")
    return doc


RULES = {"Attachable": check_attachable}


# --- upload -------------------------------------------------------------------------------
def _parts(content_type: str, raw: bytes) -> dict[str, dict]:
    """name -> {"filename", "type", "data"} of each part of a multipart/form-data body."""
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in content_type:
        raise QboError(2010, "Property Name:an upload is a multipart/form-data request with a "
                             "boundary", "Content-Type")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts[name] = {"filename": part.get_filename(), "type": part.get_content_type(),
                           "data": part.get_payload(decode=True) or b""}
    if not parts:
        raise QboError(2010, "Property Name:the multipart body holds no parts", "file_content_0")
    return parts


def _metadata(part: dict | None, name: str) -> dict:
    if part is None:
        return {}
    try:
        body = json.loads(part["data"])
    except ValueError:
        raise QboError(2010, f"Property Name:{name} is not JSON", name) from None
    if not isinstance(body, dict):
        raise QboError(2010, f"Property Name:{name} must be an Attachable object", name)
    return body


def uploads(content_type: str, raw: bytes, *, max_bytes: int) -> list[tuple[dict, bytes]]:
    """Each file of an upload as (Attachable body, bytes), all checked before any is kept:
    a refused file refuses the request (no half-done upload)."""
    parts = _parts(content_type, raw)
    files = []
    for name in sorted(n for n in parts if n.startswith("file_content_")):
        suffix = name[len("file_content_"):]
        meta_name = f"file_metadata_{suffix}"
        body = _metadata(parts.get(meta_name), meta_name)
        part = parts[name]
        body.setdefault("FileName", part["filename"] or "")
        body["FileName"] = PurePath(str(body["FileName"]).replace("\\", "/")).name
        if not body["FileName"]:
            raise QboError(2020, f"Required parameter FileName is missing for {name}", "FileName")
        if not body.get("ContentType") or body["ContentType"] == "application/octet-stream":
            body["ContentType"] = part["type"]
        extension = PurePath(body["FileName"]).suffix.lower().lstrip(".")
        if extension not in ALLOWED_EXTENSIONS:
            raise QboError(6000, f"The file type of {body['FileName']} is not supported: QuickBooks "
                                 f"accepts {', '.join(sorted(ALLOWED_EXTENSIONS))}", "FileName")
        if len(part["data"]) > max_bytes:
            raise QboError(6000, f"{body['FileName']} is {len(part['data'])} bytes, over the limit "
                                 f"of {max_bytes} bytes for one attachment", "Size")
        if not part["data"]:
            raise QboError(6000, f"{body['FileName']} is empty", "Size")
        files.append((body, part["data"]))
    if not files:
        raise QboError(2020, "Required parameter file_content_0 (the file) is missing in the "
                             "request", "file_content_0")
    return files


def upload(company, content_type: str, raw: bytes, *, max_bytes: int) -> dict:
    with company.lock:
        files = uploads(content_type, raw, max_bytes=max_bytes)
        answers = []
        for body, data in files:
            saved = company.create("Attachable", body, upload_size=len(data))
            company.store.put(_files_ns(company.realm), saved["Id"],
                              base64.b64encode(data).decode("ascii"))
            answers.append({"Attachable": saved})
    return {"AttachableResponse": answers}


# --- download -----------------------------------------------------------------------------
def _files_ns(realm: str) -> str:
    return f"r:{realm}:_files"


def _signature(key: str, realm: str, obj_id: str, expires: int) -> str:
    return hmac.new(key.encode(), f"{realm}/{obj_id}/{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def _key(store) -> str:
    key = store.get("meta", "file_link_key")
    if key is None:
        key = secrets.token_hex(16)
        store.put("meta", "file_link_key", key)
    return key


def download_link(company, obj_id: str, *, base_url: str, now: float) -> str:
    """A temporary link to the file, as QBO's TempDownloadUri (no token needed to follow it)."""
    doc = company.get("Attachable", obj_id)
    if doc is None or company.store.get(_files_ns(company.realm), obj_id) is None:
        raise QboError(610, f"Object Not Found : Attachable {obj_id} has no file or has been deleted")
    expires = int(now) + LINK_SECONDS
    signature = _signature(_key(company.store), company.realm, obj_id, expires)
    return f"{base_url}/files/{company.realm}/{obj_id}?expires={expires}&signature={signature}"


def linked_file(sandbox, realm: str, obj_id: str, expires: str, signature: str) -> tuple[dict, bytes] | None:
    """(Attachable, bytes) when the link is genuine and not expired, else None."""
    if not expires.isdigit() or int(expires) < sandbox.clock.now():
        return None
    if not hmac.compare_digest(signature, _signature(_key(sandbox.store), realm, obj_id, int(expires))):
        return None
    company = sandbox.company(realm)
    data = sandbox.store.get(_files_ns(realm), obj_id) if company else None
    doc = company.get("Attachable", obj_id) if company else None
    if data is None or doc is None:
        return None
    return doc, base64.b64decode(data)
