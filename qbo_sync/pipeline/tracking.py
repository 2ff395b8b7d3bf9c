"""Before any write: the classes and locations mapping fits the QuickBooks company.

A run whose entities carry mapped classes or locations (EntitySpec.tracking) reads the
company's Preferences (AccountingInfoPrefs) and its Class and Department lists. Class
tracking off while classes are mapped, one class per transaction while bill lines would get
different classes, locations off while locations are mapped, or a mapped name QuickBooks
does not have: the run stops with one message naming every mismatch, before anything is
written. (QuickBooks would refuse each such transaction on its own, 6000 or 2500.) The CLI
runs the check in preflight, before Prefect starts; the map stage runs it again for runs
started elsewhere (deployments, the console).
"""

from __future__ import annotations

from qbo_sync.entities.base import EntitySpec
from qbo_sync.qbo.lists import CLASS, CLASS_SETTING, LOCATION, LOCATION_SETTING, TRACKING_KIND
from qbo_sync.qbo.reader import QboReader


class TrackingMismatch(Exception):
    """The mapping needs class or location tracking the company does not have; nothing was written."""


def accounting_prefs(reader: QboReader) -> dict:
    return (reader.company("preferences").get("Preferences") or {}).get("AccountingInfoPrefs") or {}


def needed(specs: list[EntitySpec], mappings) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """({setting: class name}, {setting: location name}, tracking kinds) a run of `specs` writes."""
    kinds = {kind for spec in specs for kind in spec.tracking}
    classes = mappings.classes.named() if kinds & {"class", "line class"} else {}
    locations = mappings.locations.named() if "location" in kinds else {}
    return classes, locations, kinds


def check(reader: QboReader, specs: list[EntitySpec], mappings) -> None:
    """Raise TrackingMismatch when the run's mapped classes or locations cannot be written."""
    classes, locations, kinds = needed(specs, mappings)
    if not classes and not locations:
        return
    prefs = accounting_prefs(reader)
    problems = []
    per_line, per_txn = prefs.get("ClassTrackingPerTxnLine"), prefs.get("ClassTrackingPerTxn")
    if classes and not (per_line or per_txn):
        problems.append("The mapping puts QuickBooks classes on bills and time (classes in the mapping "
                        "settings), but this QuickBooks company does not track classes. Turn class "
                        f"tracking on ({CLASS_SETTING}), or remove the classes mapping.")
    elif classes and not per_line and "line class" in kinds and len(set(classes.values())) > 1:
        problems.append("This QuickBooks company assigns one class to each transaction, but the classes "
                        "mapping gives each bill line the class of its cost code, so one bill can get "
                        f"several classes. Assign classes to each row instead ({CLASS_SETTING}), or map "
                        "every cost code to one class.")
    if locations and not prefs.get("TrackDepartments"):
        problems.append("The mapping puts QuickBooks locations on bills (locations in the mapping "
                        "settings), but this QuickBooks company does not track locations. Turn location "
                        f"tracking on ({LOCATION_SETTING}), or remove the locations mapping.")
    if not problems:
        problems += _unknown(reader, CLASS, classes) + _unknown(reader, LOCATION, locations)
    if problems:
        raise TrackingMismatch(f"{mappings.path}: " + " ".join(problems) + " Nothing was pushed.")


def _unknown(reader: QboReader, qbo_entity: str, named: dict[str, str]) -> list[str]:
    """A mapped name with no active object of that name in QBO."""
    if not named:
        return []
    held = {o.get("Name") for o in reader.query_all(qbo_entity, inactive_too=True) if o.get("Active", True)}
    kind = TRACKING_KIND[qbo_entity]
    return [f"{setting}: QuickBooks has no active {kind} named \"{name}\"; create it in QuickBooks or "
            "change the mapping." for setting, name in named.items() if name not in held]
