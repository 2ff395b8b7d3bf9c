"""Record statuses as users know them, and the one rule that settles a record's status.

Transitions (docs/statuses.md has the diagram):
- import of a new record, or an edit to a staged one      -> Needs Sync
- validate or map finds a problem                          -> Needs Action (with reasons)
- validate and map find none                               -> Needs Sync
- push succeeds                                            -> Synced (with the time)
- push fails                                               -> Failed (with QBO's reason)
- an unchanged record keeps its status; Synced stays Synced and is not written again.
- its QBO objects deleted (deleted in the source)          -> Needs Sync, unlinked

Every stage owns its own reasons on a record (Stage); the functions below are the only
writers of a status, and answer the fields to store (values unchanged since 0001).
"""

from __future__ import annotations

from enum import StrEnum

NEEDS_SYNC = "needs_sync"
NEEDS_ACTION = "needs_action"
SYNCED = "synced"
FAILED = "failed"

LABELS = {
    NEEDS_SYNC: "Needs Sync",
    NEEDS_ACTION: "Needs Action",
    SYNCED: "Synced",
    FAILED: "Failed",
}

# Records whose checks are (re)run by validate and map: not yet in QBO as they are now.
PENDING = (NEEDS_SYNC, NEEDS_ACTION)


def parse(text: str) -> str:
    """Accept a status as a user types it: 'Needs Action', 'needs-action', 'needs_action'."""
    wanted = text.strip().lower().replace("-", " ").replace("_", " ")
    for code, label in LABELS.items():
        if wanted in (label.lower(), code.replace("_", " ")):
            return code
    raise ValueError(f"unknown status {text!r}: use one of " + ", ".join(LABELS.values()))


def label(code: str) -> str:
    return LABELS.get(code, code)


class Stage(StrEnum):
    """The stage of a run that found a reason (stored as its value in Record.reasons)."""

    IMPORT = "import"
    VALIDATE = "validate"
    MAP = "map"
    REFS = "refs"            # the records it points at, checked before map and at push time
    PUSH = "push"
    RECONCILE = "reconcile"
    PAYMENTS = "payments"    # paid in QuickBooks, then changed in the source
    DOCUMENTS = "documents"  # the record's document cannot be attached


def settle(reasons: list[dict]) -> str:
    """The status of a pending record given its reasons from import, validate and map."""
    return NEEDS_ACTION if reasons else NEEDS_SYNC


def reasons_from(stage: Stage | str, texts: list[str]) -> list[dict]:
    return [{"stage": str(stage), "text": text} for text in texts]


def replace_stage(reasons: list[dict], stage: Stage | str, texts: list[str]) -> list[dict]:
    """A record's reasons with those of one stage replaced: each stage owns its own."""
    kept = [r for r in reasons or [] if r.get("stage") != stage]
    return kept + reasons_from(stage, texts)


def reason_texts(reasons: list[dict]) -> list[str]:
    return [r["text"] for r in reasons or []]


# Transitions: each answers the fields of the record to store.

def checked(reasons: list[dict], stage: Stage, texts: list[str]) -> dict:
    """A pending record after one stage's checks: its reasons replaced, Needs Action or Needs Sync."""
    kept = replace_stage(reasons, stage, texts)
    return {"reasons": kept, "status": settle(kept)}


def needs_action(reasons: list[dict], stage: Stage, texts: list[str]) -> dict:
    """Held back whatever its other reasons: a finance person must act first."""
    return {"reasons": replace_stage(reasons, stage, texts), "status": NEEDS_ACTION}


def held(status: str, reasons: list[dict], stage: Stage, texts: list[str], in_step: bool) -> dict | None:
    """A stage that may hold back a record already in QBO (paid there; its document missing).

    Needs Action while the stage has a reason; once lifted, the record is Synced again when QBO
    holds it as it is (in step) and nothing else stops it, else what its other reasons make it.
    None when the stage's reasons did not change.
    """
    kept = replace_stage(reasons, stage, texts)
    if kept == (reasons or []):
        return None
    if texts:
        return {"reasons": kept, "status": NEEDS_ACTION}
    if status not in PENDING:
        return {"reasons": kept, "status": status}
    return {"reasons": kept, "status": SYNCED if in_step and not kept else settle(kept)}


def synced() -> dict:
    return {"reasons": [], "status": SYNCED}


def failed(reasons: list[dict], texts: list[str]) -> dict:
    """QBO refused the write: its reasons replace the push's earlier ones."""
    return {"reasons": replace_stage(reasons, Stage.PUSH, texts), "status": FAILED}


def unlinked() -> dict:
    """Its QBO objects are gone: should it come back, it is created again."""
    return {"reasons": [], "status": NEEDS_SYNC}
