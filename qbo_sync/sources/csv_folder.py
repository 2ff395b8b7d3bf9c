"""A folder of CSV files, one per logical table (docs/source-format.md).

Format: `{table}.csv`, a header row, UTF-8 (a byte-order mark is accepted), extra columns
ignored, missing optional columns read as ''. Every value is read as the text the file
holds; nothing is parsed here, so that a bad value reaches validation unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from qbo_sync.sources.base import SourceError
from qbo_sync.sources.frames import check_table, finish

BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode Text" export


class CsvSource:
    name = "csv"

    def __init__(self, path: str | Path):
        self.folder = Path(path)

    def read(self, table: str, ids: Iterable[str] | None = None) -> pd.DataFrame:
        columns = check_table(table)
        file_name = f"{table}.csv"
        text = self._text(file_name)
        try:
            # header=None: the header is row 0, so that a row with more fields than the
            # header is an error. With a header, pandas would silently drop the extra field
            # or, when every row has one, shift all values one column to the left.
            cells = pd.read_csv(
                io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_filter=False,
            )
        except pd.errors.EmptyDataError:
            raise SourceError(f"{file_name}: the file is empty (a header row is required)") from None
        except (pd.errors.ParserError, csv.Error, ValueError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise SourceError(f"{file_name}: not a readable CSV file ({reason})") from None
        # Spreadsheet exports often pad header cells; values are kept exactly as written.
        headers = [str(header).strip() for header in cells.iloc[0]]
        for column in columns:
            if headers.count(column) > 1:
                raise SourceError(f'{file_name}: column "{column}" appears more than once in the header')
        raw = cells.iloc[1:]
        raw.columns = headers
        raw = raw[[header for header in headers if header in columns]]
        return finish(table, raw, file_name, ids, numbered_rows=True)

    def fingerprint(self, table: str) -> str | None:
        """A hash of the table's file as it is now; None when it cannot be read (read() says why)."""
        check_table(table)
        try:
            return hashlib.blake2b((self.folder / f"{table}.csv").read_bytes(), digest_size=16).hexdigest()
        except OSError:
            return None

    def _text(self, file_name: str) -> str:
        path = self.folder / file_name
        if not self.folder.is_dir():
            state = "is not a folder" if self.folder.exists() else "not found"
            raise SourceError(f"{file_name}: source folder {self.folder} {state}")
        if not path.is_file():
            raise SourceError(f"{file_name}: file not found in {self.folder}")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise SourceError(f"{file_name}: cannot be read ({error.strerror})") from None
        start = len(BOM) if data.startswith(BOM) else 0
        try:
            return data[start:].decode("utf-8")
        except UnicodeDecodeError as error:
            position = start + error.start  # counted from the file's first byte
            line = data.count(b"\n", 0, position) + 1
            hint = " (it looks like UTF-16)" if data[:2] in UTF16_BOMS else ""
            raise SourceError(
                f"{file_name}: not valid UTF-8 (byte 0x{data[position]:02x} at position "
                f"{position}, line {line}){hint}; save the file as UTF-8"
            ) from None
