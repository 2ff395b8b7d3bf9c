"""What QuickBooks accepts as an attachment (Intuit's Attachable page and upload guide):
the file types by extension and the size of one file. Checked before an upload, so that a
file QBO would refuse is named to the finance person before anything is written."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

ACCEPTED_EXTENSIONS = ("ai", "csv", "doc", "docx", "eps", "gif", "jpeg", "jpg", "ods", "pages", "pdf", "png",
                       "rtf", "tif", "tiff", "txt", "xls", "xlsx", "xml")
MAX_BYTES = 100 * 1024 * 1024      # 100 MB a file


def refusal(file_name: str, size: int) -> str | None:
    """Why QBO would refuse this file, in plain words; None when it takes it."""
    extension = PurePath(file_name).suffix.lower().lstrip(".")
    if extension not in ACCEPTED_EXTENSIONS:
        kind = f'a ".{extension}" file' if extension else "a file without an extension"
        return (f"is {kind}, which QuickBooks does not accept as an attachment "
                f"(it takes {', '.join(ACCEPTED_EXTENSIONS)})")
    if size > MAX_BYTES:
        return f"is {size / 1024 / 1024:,.1f} MB, over QuickBooks' limit of 100 MB for one attachment"
    if size == 0:
        return "is empty"
    return None


def content_type(file_name: str) -> str:
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"
