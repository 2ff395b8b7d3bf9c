"""A record's reasons in the console's words, and the action the console offers for them.

The stored reasons are written for every screen, the CLI included, and some name a CLI
command ("qbo-sync reconcile --accept ..."). A finance person in the console gets the same
facts with what to click instead; no command text reaches a page.
"""

from __future__ import annotations

import re

from qbo_sync.qbo.faults import classify

# QBO's duplicate-name refusal (6240) as faults.py words it, up to its advice; and as
# pipeline/name_clash.py words it when it knows the clashing object ("a vendor named ...").
_DUPLICATE_NAME = classify("6240").plain.split(". ")[0]
_NAME_CLASH = re.compile(r'^QuickBooks already has an? (customer, vendor or employee|customer|sub-customer|project|'
                         r'vendor|employee) named "')
# "(fix it in the source, then qbo-sync retry)": the advice stays, the command goes.
_THEN_COMMAND = re.compile(r"\(([^()]*?),? then `?qbo-sync [^()]*\)")
# A clause, sentence or parenthesis that tells the user to run a command.
_COMMAND_CLAUSE = re.compile(r"\s*(\([^()]*qbo-sync[^()]*\)|[:;,]?[^:;,.()]*`?qbo-sync [^;.()]*`?)")

RECONCILE_CHANGED = "Changed in QuickBooks after it was synced."
RECONCILE_DELETED = "Deleted in QuickBooks after it was synced."


def is_duplicate_name(text: str) -> bool:
    return text.startswith(_DUPLICATE_NAME) or bool(_NAME_CLASH.match(text))


def _clash_kind(text: str) -> str:
    """The kind of object a duplicate-name reason names ("vendor"), or "" when it does not say."""
    found = _NAME_CLASH.match(text)
    return found.group(1) if found and found.group(1) != "customer, vendor or employee" else ""


def console_text(text: str) -> str:
    """One stored reason without the command it may name."""
    if text.startswith(_DUPLICATE_NAME):
        return _DUPLICATE_NAME + ". Rename it in the source system, or link this record to the existing one."
    if text.startswith("Changed in QuickBooks after it was synced"):
        return RECONCILE_CHANGED
    if text.startswith("Deleted in QuickBooks after it was synced"):
        return RECONCILE_DELETED
    if text.startswith("review it; qbo-sync reconcile"):   # a timesheet's days say what changed
        return ""
    cleaned = _COMMAND_CLAUSE.sub("", _THEN_COMMAND.sub(r"(\1)", text)).strip(" ;,:")
    return cleaned if cleaned else text.split("qbo-sync")[0].strip(" ;,:(")


def for_row(texts: list[str]) -> list[str]:
    """The reasons shown in a row, in console wording, each once."""
    shown = [console_text(t) for t in texts]
    return [t for i, t in enumerate(shown) if t and t not in shown[:i]]


def offered_action(status: str, texts: list[str], reconcile: dict | None, qbo_entity: str = "") -> str:
    """The action the row offers: "reconcile" (keep QBO's version / overwrite with ours),
    "recreate" (deleted in QBO: create it again), "link_existing" (a duplicate name, when the
    object QuickBooks has could be this record's: of its kind, or of a kind not said), or ""."""
    if reconcile:
        deleted = reconcile.get("state") == "deleted" or "deleted" in (reconcile.get("parts") or {}).values()
        return "recreate" if deleted else "reconcile"
    clashes = [t for t in texts if is_duplicate_name(t)]
    if status == "failed" and any(_clash_kind(t) in ("", qbo_entity.lower()) for t in clashes):
        return "link_existing"
    return ""
