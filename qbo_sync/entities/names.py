"""QBO's rules for names: the cleaning rule a name is sent with, and when two names are the same.

clean_name: QBO refuses ':' (it separates levels in FullyQualifiedName), tab and newline in
the names of customers, vendors, employees, items, accounts and classes. Rather than make
finance fix every such name in the PM system, the sync cleans them: ':' becomes ' - ', tabs
and line breaks become a space, runs of spaces fold to one, and the ends are trimmed.

name_key: the one normalisation every name match uses (customers, vendors, employees, items,
accounts, classes; in map, match, the push's in-doubt check and `mapping check`). It is
computed in Python, never by the database, because SQLite's lower() folds only ASCII while
PostgreSQL's depends on the server's collation: the same names must match on both.
"""

from __future__ import annotations

import re
import unicodedata

_COLON = re.compile(r"\s*:\s*")
_SPACES = re.compile(r"[ \t\r\n]+")


def clean_name(name: str) -> str:
    return _SPACES.sub(" ", _COLON.sub(" - ", name or "")).strip()


def name_key(name: str | None) -> str:
    """The form in which two names are the same name: "ÜNÏCÖDÉ  Client" and "ünïcödé client"
    have one key.

    NFKC first, so that a composed "é" and "e" + combining accent, a no-break space and a
    space, or full-width and plain letters are alike; invisible format characters (zero-width
    spaces, byte-order marks, right-to-left marks) are dropped, since nobody can see them in
    a name; then the cleaning rule (QBO holds a name cleaned) and Unicode case folding, which
    folds every script ("ß" and "ss", "Σ" and "ς"), not only ASCII.
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFKC", clean_name(text).casefold())
