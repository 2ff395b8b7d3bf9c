"""The rule that makes a source name acceptable to QuickBooks as a name (DisplayName, Item Name).

QBO refuses names containing ':' (it separates parent and child, "Client:Job"), a tab or a
line break. Rather than block such records, the payload mapping cleans them by one rule:
':' (with the spaces around it) becomes ' - ', tabs and line breaks become a space, runs of
spaces fold to one, and the ends are trimmed. The suites measure name lengths on the cleaned
name, because that is what QBO sees. This must stay the same rule as the mapping's
(qbo_sync.entities.names.clean_name); a test compares the two.
"""

from __future__ import annotations

import re

_COLON = re.compile(r"\s*:\s*")
_SPACES = re.compile(r"[ \t\r\n]+")


def clean_qbo_name(name: str) -> str:
    """'Smith: Kitchen\\tRemodel ' -> 'Smith - Kitchen Remodel'."""
    return _SPACES.sub(" ", _COLON.sub(" - ", name)).strip()
