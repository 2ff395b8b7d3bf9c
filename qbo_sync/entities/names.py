"""QBO's rules for names, applied by one documented cleaning rule.

QBO refuses ':' (it separates levels in FullyQualifiedName), tab and newline in the names
of customers, vendors, employees, items, accounts and classes. Rather than make finance
fix every such name in the PM system, the sync cleans them: ':' becomes ' - ', tabs and
line breaks become a space, runs of spaces fold to one, and the ends are trimmed.
"""

from __future__ import annotations

import re

_COLON = re.compile(r"\s*:\s*")
_SPACES = re.compile(r"[ \t\r\n]+")


def clean_name(name: str) -> str:
    return _SPACES.sub(" ", _COLON.sub(" - ", name or "")).strip()
