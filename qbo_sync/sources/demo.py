"""A generated construction company: the demo source, test fixture and benchmark load.

Northwind Builders, a general contractor in Oregon and Washington: clients and their
projects (numbers like "2026-014", addresses, statuses, start/end dates), a cost-code
catalogue ("01-100 General Conditions", types Labor/Material/Equipment/Subcontract/Other),
crew members with hourly costs, suppliers and subcontractors, six weeks of weekly payroll
entries ending Sunday 2026-03-01, vendor bills with their lines, and purchase orders: every
fifth bill received an order placed two weeks before it, and a few orders are not billed yet.

Deterministic for a (size, seed). Size 1 is the small company (12 projects, 20 cost codes,
8 employees, 6 vendors, about 100 timesheet entries, 25 bills with about 100 lines, 7 purchase
orders, 5 of them received by a bill);
size N scales every count by N (size 200: about 20,000 timesheet entries, 5,000 bills and
20,000 bill lines). Generation is vectorised with numpy, so size 200 builds in about a second.

Names are shared with the sandbox's seeded QuickBooks company, so that matching shows:
most projects belong to its customers (one written "CEDAR RIDGE SCHOOL DISTRICT", to show
the case-insensitive match; "Pier 9 Renovation" and "Clinic Expansion" are its existing
sub-customers), four of its vendors and four of its employees appear beside new ones.

Seeded defects, present at every size and seed (DemoSource.defects() lists them with the
row keys; each should end as the Needs Action reason given here):
- projects P-00011: end_date before start_date -> "end date is before start date".
- projects P-00009: status "Pending" -> "unknown status "Pending"".
- projects P-00012: client "Lakeshore Dental Studio", not in QBO yet ->
  "client not in QuickBooks" (create the customer, or map it to an existing one).
- projects P-00008: name "Summit Hotel: Phase 2 Guest Rooms" holds ':', which QBO names
  may not: not a defect by itself, the name rule downstream cleans it (no Needs Action).
- timesheets T-0000001: 25 hours on Wednesday -> "more than 24 hours in a day".
- timesheets T-0000002: week_ending a Saturday -> "week ending is not a Sunday".
- timesheets T-0000003: Thursday hours "abc" -> "hours are not a number".
- timesheets T-0000004: employee_id not among the employees -> "unknown employee".
- vendor_bills B-000003: bill_number of 28 characters -> "bill number longer than 21
  characters" (QBO's DocNumber limit).
- vendor_bill_lines B-000005 line 1: cost code "03-350", not in the catalogue ->
  "unknown cost code".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from qbo_sync.sources.base import SourceError
from qbo_sync.sources.frames import check_table, finish
from qbo_sync.sources.schema import TABLES

MAX_SIZE = 5_000
LAST_WEEK_ENDING = np.datetime64("2026-03-01")  # a Sunday: "today" in the demo company
WEEKS = 6
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EMAIL_DOMAIN = "northwindbuilders.com"

QBO_CLIENTS = (
    "Harbor View Properties LLC", "Cedar Ridge School District", "Northgate Medical Group",
    "Maple & Main Retail Partners", "Summit Hospitality Inc", "Riverside Municipal Water",
)
NEW_CLIENT = "Lakeshore Dental Studio"

# (name, client, status) of the first twelve projects, P-00001..P-00012, at every size.
BASE_PROJECTS = (
    ("Pier 9 Renovation", "Harbor View Properties LLC", "Active"),
    ("Clinic Expansion", "Northgate Medical Group", "Active"),
    ("Harbor View Lobby Remodel", "Harbor View Properties LLC", "Completed"),
    ("Cedar Ridge Elementary Gym Addition", "CEDAR RIDGE SCHOOL DISTRICT", "Active"),
    ("Cedar Ridge High Roof Replacement", "Cedar Ridge School District", "On Hold"),
    ("Northgate Imaging Suite Fit-Out", "Northgate Medical Group", "Active"),
    ("Maple & Main Storefront Build-Out", "Maple & Main Retail Partners", "Active"),
    ("Summit Hotel: Phase 2 Guest Rooms", "Summit Hospitality Inc", "Active"),
    ("Summit Hotel Parking Structure Repairs", "Summit Hospitality Inc", "Pending"),
    ("Riverside Pump Station Upgrade", "Riverside Municipal Water", "Active"),
    ("Riverside Water Main Replacement", "Riverside Municipal Water", "Closed"),
    ("Lakeshore Dental Office Fit-Out", NEW_CLIENT, "Active"),
)
END_BEFORE_START_PROJECT = 10  # index into BASE_PROJECTS (P-00011)
STATUSES = ("Active", "On Hold", "Completed", "Closed")
STATUS_WEIGHTS = (0.6, 0.1, 0.2, 0.1)

SITES = (
    "Elm Street", "Harborfront", "Oak Park", "Westside", "Riverbend", "Hillcrest",
    "Union Station", "Broadway", "Mill Creek", "Airport Way", "Pearl District", "Eastgate",
    "Fairview", "Sunset Ridge", "Kingsgate", "Market Square", "Northshore", "Bridgeport",
    "Canyon Road", "Greenwood",
)
BUILDINGS = (
    "Warehouse", "Office Tower", "Medical Office", "Retail Center", "Apartments", "Library",
    "Fire Station", "Middle School", "Parking Garage", "Community Center",
)
WORKS = (
    "Tenant Improvement", "Roof Replacement", "Seismic Retrofit", "HVAC Upgrade", "Renovation",
    "Addition", "Façade Repair", "ADA Upgrades", "New Construction", "Interior Remodel",
)
STREET_NAMES = (
    "Harbor", "Cedar", "Alder", "Burnside", "Division", "Hawthorne", "Sandy", "Macadam",
    "Fremont", "Lovejoy", "Belmont", "Stark", "Glisan", "Powell", "Killingsworth", "Taylor",
)
STREET_KINDS = ("St", "Ave", "Blvd", "Way", "Rd", "Dr")
STREET_SIDES = ("NE", "NW", "SE", "SW", "N")
CITIES = (  # city, state, first three zip digits
    ("Portland", "OR", "972"), ("Beaverton", "OR", "970"), ("Salem", "OR", "973"),
    ("Vancouver", "WA", "986"), ("Tacoma", "WA", "984"), ("Eugene", "OR", "974"),
    ("Hillsboro", "OR", "971"), ("Bend", "OR", "977"),
)

# code, name, type, active. Masonry is inactive and never used, as in a real catalogue.
BASE_COST_CODES = (
    ("01-100", "General Conditions", "Other", True),
    ("01-200", "Supervision", "Labor", True),
    ("01-300", "Temporary Facilities", "Equipment", True),
    ("02-100", "Site Preparation", "Labor", True),
    ("02-200", "Excavation & Grading", "Equipment", True),
    ("03-100", "Concrete Forming", "Labor", True),
    ("03-200", "Reinforcing Steel", "Material", True),
    ("03-300", "Cast-in-Place Concrete", "Material", True),
    ("04-100", "Masonry", "Subcontract", False),
    ("05-100", "Structural Steel", "Subcontract", True),
    ("06-100", "Rough Carpentry", "Labor", True),
    ("06-200", "Finish Carpentry", "Labor", True),
    ("06-300", "Lumber & Sheathing", "Material", True),
    ("07-100", "Roofing", "Subcontract", True),
    ("08-100", "Doors, Frames & Hardware", "Material", True),
    ("09-100", "Drywall", "Subcontract", True),
    ("09-200", "Painting", "Labor", True),
    ("15-100", "Plumbing", "Subcontract", True),
    ("16-100", "Electrical Labor", "Labor", True),
    ("16-200", "Electrical Materials", "Material", True),
)
UNKNOWN_COST_CODE = "03-350"  # a plausible typo of 03-300; never in the catalogue
# Labor code -> billing rate and what the crew writes on the timesheet.
LABOR = {
    "01-200": ("95.00", ("Site supervision", "Coordinate trades and inspections", "Daily reports and safety walk")),
    "02-100": ("78.00", ("Clear and grub lot", "Set erosion control", "Layout and staking")),
    "03-100": ("82.00", ("Form footings", "Strip forms level 1", "Set anchor bolts")),
    "06-100": ("85.00", ("Frame east wall", "Sheathing and blocking", "Frame interior partitions")),
    "06-200": ("88.00", ("Install trim and casing", "Hang interior doors", "Install millwork")),
    "09-200": ("72.00", ("Prime and paint corridors", "Patch and touch-up", "Paint exterior trim")),
    "16-100": ("98.00", ("Rough-in electrical", "Pull wire to panels", "Install fixtures")),
}
LABOR_CODES = tuple(LABOR)

BASE_EMPLOYEES = (  # first, last: the first four are the sandbox's QBO employees
    ("Maria", "Lopez"), ("James", "Carter"), ("Aisha", "Khan"), ("Tom", "Becker"),
    ("Luis", "Ortega"), ("Hannah", "Schmidt"), ("Derek", "Nguyen"), ("Priya", "Raman"),
)
FIRST_NAMES = (
    "Alex", "Ben", "Carla", "Diego", "Elena", "Frank", "Grace", "Hector", "Irene", "Jamal",
    "Kara", "Leo", "Mona", "Nate", "Olga", "Pablo", "Quinn", "Rosa", "Sam", "Tina", "Umar",
    "Vera", "Wes", "Ximena", "Yusuf", "Zoe", "Andre", "Bianca", "Cody", "Dana", "Eli",
    "Fatima", "Gus", "Holly", "Ivan", "Jade", "Kyle", "Lena", "Marco", "Nina", "Omar",
    "Paige", "Raul", "Sofia", "Trent", "Uma", "Victor", "Wendy", "Xavier", "Yara",
)
LAST_NAMES = (
    "Anderson", "Baker", "Chen", "Dawson", "Evans", "Fischer", "Garcia", "Holt", "Ibarra",
    "Jensen", "Kowalski", "Larsen", "Morales", "Novak", "Olsen", "Patel", "Quintero",
    "Reyes", "Sato", "Thompson", "Underwood", "Vasquez", "Walsh", "Xu", "Young", "Zimmer",
    "Alvarez", "Brooks", "Castillo", "Dunn", "Erikson", "Flores", "Gupta", "Hughes", "Ito",
    "Jordan", "Kim", "Lindqvist", "Mendoza", "Nakamura", "O'Brien", "Price", "Ramos",
    "Silva", "Tran", "Ulrich", "Vance", "Wright", "Yilmaz", "Zhang",
)
HOURLY_COSTS = ("32.00", "34.50", "38.00", "42.50", "46.00", "52.00")

# trade -> bill-line cost codes, line descriptions, amount range in dollars
TRADES = {
    "concrete": (("03-300", "03-200"), ("4000 PSI ready-mix concrete", "#4 rebar, 20 ft bundles", "Pump truck, 4 hr minimum", "Short-load fee", "Fiber mesh additive"), (180, 9_500)),
    "lumber": (("06-300", "08-100"), ("2x6 studs, KD", "3/4 in. plywood sheathing", "LVL beams", "Pressure-treated sill plate", "Pre-hung interior doors"), (120, 7_800)),
    "electrical": (("16-200",), ("12/2 MC cable, 250 ft", "200A panelboard", "LED troffers", "3/4 in. EMT conduit", "Connectors and boxes"), (60, 6_400)),
    "equipment": (("01-300", "02-200", "01-100"), ("Scissor lift rental, weekly", "Mini excavator rental", "Delivery and pickup", "Portable toilet service", "Telehandler rental, monthly"), (95, 4_800)),
    "plumbing": (("15-100",), ("PEX tubing and fittings", "Water heater, 50 gal", "Cast iron drain pipe", "Backflow preventer"), (150, 8_200)),
    "roofing": (("07-100",), ("TPO membrane install", "Roof insulation board", "Flashing and coping", "Roof drains"), (900, 24_000)),
    "drywall": (("09-100",), ("Hang and tape, level 4 finish", "Metal stud framing", "Acoustic ceiling grid"), (700, 18_000)),
}
TRADE_NAMES = tuple(TRADES)
BASE_VENDORS = (  # name, trade, area code: the first four are the sandbox's QBO vendors
    ("Ace Concrete Supply", "concrete", "503"),
    ("Pacific Lumber Co", "lumber", "503"),
    ("Bright Electric Wholesale", "electrical", "971"),
    ("Metro Equipment Rentals", "equipment", "360"),
    ("Cascade Plumbing Supply", "plumbing", "503"),
    ("Northwest Roofing Contractors", "roofing", "541"),
)
VENDOR_PLACES = (
    "Cascade", "Evergreen", "Willamette", "Tualatin", "Rainier", "Olympic", "Columbia Gorge",
    "Rose City", "Puget", "Siskiyou", "Klamath", "Umpqua", "Yamhill", "Chehalis", "Skagit",
    "Deschutes", "Clackamas", "Multnomah", "Wasco", "Tillamook", "Coos Bay", "Astoria",
    "Newberg", "Sandy River",
)
VENDOR_WORDS = {
    "concrete": ("Concrete Supply", "Ready Mix", "Aggregates"),
    "lumber": ("Lumber Co", "Building Supply", "Millwork"),
    "electrical": ("Electric Supply", "Electrical Wholesale"),
    "equipment": ("Equipment Rentals", "Crane Service", "Rental Center"),
    "plumbing": ("Plumbing Supply", "Mechanical Supply"),
    "roofing": ("Roofing Contractors", "Roofing & Sheet Metal"),
    "drywall": ("Drywall Contractors", "Interiors Inc"),
}
BILL_MEMOS = {
    "concrete": "Concrete deliveries", "lumber": "Framing package", "electrical": "Electrical materials",
    "equipment": "Equipment rental", "plumbing": "Plumbing materials", "roofing": "Roofing progress billing",
    "drywall": "Drywall progress billing",
}
DOCUMENTED_BILLS = ("B-000001", "B-000002", "B-000004")   # bills whose invoice the demo attaches
LONG_BILL_NUMBER = "ACE-INV-2026-0000482-REVISED"  # 28 characters: QBO's DocNumber allows 21
HOURS_TEXT = ("0", "4", "5", "6", "7.5", "8", "9", "10")
WEEKDAY_HOURS = np.array([3, 4, 5, 5, 5, 5, 5, 5, 6, 7])  # indexes into HOURS_TEXT: mostly 8 h


@dataclass(frozen=True)
class Defect:
    """One seeded defect: the row (by its table's key), the column, its value, and why."""

    table: str
    key: str
    column: str
    value: str
    reason: str


class DemoSource:
    name = "demo"

    def __init__(self, size: int = 1, seed: int = 7, folder: Path | None = None):
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
            raise SourceError(f"demo size must be a whole number from 1 to {MAX_SIZE}, got {size!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise SourceError(f"demo seed must be a whole number of 0 or more, got {seed!r}")
        self.size = size
        self.seed = seed
        # With a folder, a few bills name their invoice (a small PDF written there): documents
        # are read from a source's folder (pipeline/documents.py).
        self.folder = Path(folder) if folder is not None else None
        self._frames: dict[str, pd.DataFrame] | None = None

    def read(self, table: str, ids: Iterable[str] | None = None) -> pd.DataFrame:
        check_table(table)
        company = self._company()
        if ids is None:
            return company[table].copy()  # a copy: callers may change it, the cache stays
        return finish(table, company[table], f"demo table {table}", ids)

    def _with_documents(self, frames: dict[str, pd.DataFrame]) -> None:
        """Name the invoices of DOCUMENTED_BILLS and write them into the folder as small PDFs."""
        bills = frames["vendor_bills"]
        bills["document"] = ""
        for bill_id in DOCUMENTED_BILLS:
            found = bills["bill_id"] == bill_id
            if not found.any():
                continue
            number = bills.loc[found, "bill_number"].iloc[0]
            name = f"invoices/{bill_id}.pdf"
            bills.loc[found, "document"] = name
            path = self.folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            pdf = invoice_pdf(f"Invoice {number}", f"{bills.loc[found, 'memo'].iloc[0]}")
            if not path.exists() or path.read_bytes() != pdf:
                path.write_bytes(pdf)

    def write_csv(self, folder: Path) -> None:
        """The whole company as the CSV source format, one `{table}.csv` per table."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            self.read(table).to_csv(folder / f"{table}.csv", index=False, encoding="utf-8", lineterminator="\n")

    def defects(self) -> list[Defect]:
        """The seeded defects of this company (see the module docstring)."""
        projects = self.read("projects", ["P-00011"]).set_index("project_id")
        entries = self.read("timesheets", ["T-0000002", "T-0000004"]).set_index("entry_id")
        return [
            Defect("projects", "P-00011", "end_date", projects.at["P-00011", "end_date"], "end date is before start date"),
            Defect("projects", "P-00009", "status", "Pending", 'unknown status "Pending"'),
            Defect("projects", "P-00012", "client_name", NEW_CLIENT, "client not in QuickBooks"),
            Defect("projects", "P-00008", "name", BASE_PROJECTS[7][0], "name holds ':' (cleaned by the name rule; not Needs Action)"),
            Defect("timesheets", "T-0000001", "wed", "25", "more than 24 hours in a day"),
            Defect("timesheets", "T-0000002", "week_ending", entries.at["T-0000002", "week_ending"], "week ending is not a Sunday"),
            Defect("timesheets", "T-0000003", "thu", "abc", "hours are not a number"),
            Defect("timesheets", "T-0000004", "employee_id", entries.at["T-0000004", "employee_id"], "unknown employee"),
            Defect("vendor_bills", "B-000003", "bill_number", LONG_BILL_NUMBER, "bill number longer than 21 characters"),
            Defect("vendor_bill_lines", "B-000005", "cost_code", UNKNOWN_COST_CODE, "unknown cost code"),
        ]

    def _company(self) -> dict[str, pd.DataFrame]:
        if self._frames is None:  # generated and shaped once; reads then only copy or filter
            generated = _generate(self.size, self.seed)
            self._frames = {table: finish(table, frame, f"demo table {table}") for table, frame in generated.items()}
            if self.folder is not None:
                self._with_documents(self._frames)
        return self._frames


def invoice_pdf(title: str, text: str) -> bytes:
    """A one-page PDF showing two lines of text: a vendor's invoice, small enough for the repo
    never to hold it (written when the demo runs)."""
    def escaped(value: str) -> str:
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = (f"BT /F1 18 Tf 72 720 Td ({escaped(title)}) Tj /F1 11 Tf 0 -28 Td ({escaped(text)}) Tj ET"
              ).encode("latin-1", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# -- generation ---------------------------------------------------------------------------


def _generate(size: int, seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    projects = _projects(rng, size)
    cost_codes = _cost_codes(rng, size)
    employees = _employees(rng, size)
    vendors, vendor_trades = _vendors(rng, size)
    timesheets = _timesheets(rng, projects, employees)
    bills, lines = _bills(rng, size, projects, vendors, vendor_trades)
    orders, order_lines = _purchase_orders(bills, lines)
    return {
        "projects": projects, "cost_codes": cost_codes, "employees": employees, "vendors": vendors,
        "timesheets": timesheets, "purchase_orders": orders, "purchase_order_lines": order_lines,
        "vendor_bills": bills, "vendor_bill_lines": lines,
    }


def _projects(rng: np.random.Generator, size: int) -> pd.DataFrame:
    count = len(BASE_PROJECTS) * size
    extra = count - len(BASE_PROJECTS)
    # Larger companies get more jobs for the same clients: a client QBO lacks would be one
    # more Needs Action per project, and the seeded defects must stay the same at every size.
    client_pool = np.array(QBO_CLIENTS)
    names = [p[0] for p in BASE_PROJECTS] + _unique_names(
        rng, [f"{s} {b} {w}" for s, b, w in itertools.product(SITES, BUILDINGS, WORKS)], extra
    )
    clients = [p[1] for p in BASE_PROJECTS] + list(client_pool[rng.integers(0, len(client_pool), extra)])
    statuses = np.array([p[2] for p in BASE_PROJECTS] + list(rng.choice(STATUSES, extra, p=STATUS_WEIGHTS)))

    # Dates in days relative to the demo's "today", by status: running jobs started in the
    # last year and end ahead; finished ones lie in the past.
    finished = np.isin(statuses, ("Completed", "Closed"))
    start = np.where(finished, -rng.integers(400, 900, count), -rng.integers(30, 420, count))
    end = np.where(finished, start + rng.integers(90, 360, count), rng.integers(30, 360, count))
    pending = statuses == "Pending"
    start = np.where(pending, rng.integers(20, 60, count), start)
    end[END_BEFORE_START_PROJECT] = start[END_BEFORE_START_PROJECT] - 45
    start_dates = _day_text(start)
    end_dates = np.where(pending, "", _day_text(end))

    years = pd.Series(start_dates).str[:4]
    numbers = years + "-" + (years.groupby(years).cumcount() + 1).map("{:03d}".format)
    return pd.DataFrame({
        "project_id": _ids("P-", count, 5),
        "name": names,
        "number": numbers,
        "client_name": clients,
        "status": statuses,
        "start_date": start_dates,
        "end_date": end_dates,
        "address": _addresses(rng, count),
        "updated_at": _stamps(rng, -rng.integers(0, 30, count)),
    })


def _cost_codes(rng: np.random.Generator, size: int) -> pd.DataFrame:
    rows = [(code, name, kind, active) for code, name, kind, active in BASE_COST_CODES]
    # Larger companies break the catalogue down by area: "03-300.002 Cast-in-Place Concrete - Area 2".
    for area in range(2, size + 1):
        rows += [(f"{code}.{area:03d}", f"{name} - Area {area}", kind, active) for code, name, kind, active in BASE_COST_CODES]
    frame = pd.DataFrame(rows, columns=["code", "name", "type", "active"])
    frame["active"] = np.where(frame["active"], "true", "false")
    frame["updated_at"] = _stamps(rng, -rng.integers(30, 400, len(frame)))
    return frame


def _employees(rng: np.random.Generator, size: int) -> pd.DataFrame:
    count = len(BASE_EMPLOYEES) * size
    combos = [pair for pair in itertools.product(FIRST_NAMES, LAST_NAMES) if pair not in BASE_EMPLOYEES]
    order = rng.permutation(len(combos))
    people = list(BASE_EMPLOYEES)
    for i in range(count - len(BASE_EMPLOYEES)):
        first, last = combos[order[i % len(combos)]]
        round_ = i // len(combos)  # past 2,450 people, a middle initial keeps names unique
        people.append((f"{first} {_letters(round_)}." if round_ else first, last))
    active = np.ones(count, dtype=bool)
    active[len(BASE_EMPLOYEES):] = rng.random(count - len(BASE_EMPLOYEES)) > 0.04
    return pd.DataFrame({
        "employee_id": _ids("E-", count, 5),
        "first_name": [first for first, _ in people],
        "last_name": [last for _, last in people],
        "email": [_email_name(f"{first}.{last}") + f"@{EMAIL_DOMAIN}" for first, last in people],
        "hourly_cost": rng.choice(HOURLY_COSTS, count),
        "active": np.where(active, "true", "false"),
        "updated_at": _stamps(rng, -rng.integers(5, 200, count)),
    })


def _vendors(rng: np.random.Generator, size: int) -> tuple[pd.DataFrame, np.ndarray]:
    count = len(BASE_VENDORS) * size
    extra = count - len(BASE_VENDORS)
    taken = {name for name, _, _ in BASE_VENDORS}
    combos = [
        (f"{place} {word}", trade)
        for trade, words in VENDOR_WORDS.items() for place, word in itertools.product(VENDOR_PLACES, words)
        if f"{place} {word}" not in taken
    ]
    order = rng.permutation(len(combos))
    names, trades = [n for n, _, _ in BASE_VENDORS], [t for _, t, _ in BASE_VENDORS]
    areas = [a for _, _, a in BASE_VENDORS] + list(rng.choice(("503", "971", "360", "541", "253"), extra))
    for i in range(extra):
        name, trade = combos[order[i % len(combos)]]
        round_ = i // len(combos)  # past 408 vendors, a branch letter keeps names unique
        names.append(f"{name} - Branch {_letters(round_)}" if round_ else name)
        trades.append(trade)
    slugs = [_email_name(name.replace("&", "and")).replace(".", "") for name in names]
    phones = [f"({a}) 555-{n:04d}" for a, n in zip(areas, rng.integers(100, 200, count))]
    frame = pd.DataFrame({
        "vendor_id": _ids("V-", count, 5),
        "name": names,
        "email": [f"ap@{s[:40]}.com" for s in slugs],
        "phone": phones,
        "active": "true",
        "updated_at": _stamps(rng, -rng.integers(10, 300, count)),
    })
    return frame, np.array(trades)


def _timesheets(rng: np.random.Generator, projects: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    active_projects = projects.loc[projects["status"] == "Active", "project_id"].to_numpy()
    crew = employees.loc[employees["active"] == "true", "employee_id"].to_numpy()
    # One slot per crew member and week; each slot splits its days among 1-3 entries (jobs).
    slot_employee = np.tile(np.arange(len(crew)), WEEKS)
    slot_week = np.repeat(np.arange(WEEKS), len(crew))
    per_slot = rng.choice((1, 2, 3), len(slot_employee), p=(0.25, 0.45, 0.30))
    first_entry = np.concatenate(([0], np.cumsum(per_slot)[:-1]))
    count = int(per_slot.sum())
    entry_slot = np.repeat(np.arange(len(per_slot)), per_slot)
    entry_rank = np.arange(count) - first_entry[entry_slot]

    # Weekday owners: the first k days go to entries 0..k-1 (so no entry is empty), the rest at random.
    owners = np.minimum(rng.integers(0, 3, (len(per_slot), 5)), per_slot[:, None] - 1)
    owners[:, :3] = np.where(np.arange(3) < per_slot[:, None], np.arange(3), owners[:, :3])
    hours = np.zeros((count, 7), dtype=int)  # indexes into HOURS_TEXT
    for day in range(5):
        hours[first_entry + owners[:, day], day] = rng.choice(WEEKDAY_HOURS, len(per_slot))
    saturday = rng.random(len(per_slot)) < 0.15
    hours[first_entry[saturday], 5] = rng.choice((1, 2), int(saturday.sum()))

    home_project = rng.integers(0, len(active_projects), len(crew))
    other_project = rng.integers(0, len(active_projects), count)
    project_index = np.where(entry_rank == 0, home_project[slot_employee[entry_slot]], other_project)
    codes = rng.choice(LABOR_CODES, count)
    billable = rng.random(count) < 0.85
    week_offset = -7 * (WEEKS - 1 - slot_week[entry_slot])
    descriptions = [LABOR[c][1][i] for c, i in zip(codes, rng.integers(0, 3, count))]

    frame = pd.DataFrame({
        "entry_id": _ids("T-", count, 7),
        "employee_id": crew[slot_employee[entry_slot]],
        "project_id": active_projects[project_index],
        "cost_code": codes,
        "week_ending": _day_text(week_offset),
    })
    hours_text = np.array(HOURS_TEXT)[hours]
    for i, day in enumerate(DAYS):
        frame[day] = hours_text[:, i]
    frame["billable"] = np.where(billable, "true", "false")
    frame["hourly_rate"] = np.where(billable, [LABOR[c][0] for c in codes], "")
    frame["description"] = descriptions
    frame["updated_at"] = _stamps(rng, week_offset + 1)

    frame.loc[0, "wed"] = "25"
    frame.loc[1, "week_ending"] = str(_day_text(np.array([week_offset[1] - 1]))[0])  # the Saturday before
    frame.loc[2, "thu"] = "abc"
    frame.loc[3, "employee_id"] = f"E-{len(employees) + 501:05d}"  # left the company, never imported
    return frame


def _bills(rng, size, projects, vendors, vendor_trades) -> tuple[pd.DataFrame, pd.DataFrame]:
    count = 25 * size
    open_jobs = projects[projects["status"].isin(("Active", "On Hold"))]
    job_ids, job_numbers = open_jobs["project_id"].to_numpy(), open_jobs["number"].to_numpy()
    vendor_index = rng.integers(0, len(vendors), count)
    vendor_index[2] = 0  # the over-long bill number is Ace Concrete's
    job_index = rng.integers(0, len(job_ids), count)
    bill_day = -rng.integers(0, 75, count)
    terms = rng.choice((15, 30, 30, 30, 45), count)
    bill_trades = vendor_trades[vendor_index]

    # Bill numbers in the vendor's own style; the running index keeps them unique.
    serial = np.arange(count)
    style = vendor_index % 3
    initials = np.array(["".join(w[0] for w in n.split() if w[0].isalpha()).upper() for n in vendors["name"]])
    numbers = np.where(
        style == 0, np.char.add("INV-", (40_000 + serial).astype(str)),
        np.where(style == 1, (100_000 + 3 * serial).astype(str),
                 np.char.add(np.char.add(initials[vendor_index], "-"), (1_000 + serial).astype(str))),
    )
    numbers = numbers.astype(object)  # a fixed-width numpy str array would truncate the next line
    numbers[2] = LONG_BILL_NUMBER
    bill_ids = _ids("B-", count, 6)
    bills = pd.DataFrame({
        "bill_id": bill_ids,
        "vendor_id": vendors["vendor_id"].to_numpy()[vendor_index],
        "bill_number": numbers,
        "bill_date": _day_text(bill_day),
        "due_date": _day_text(bill_day + terms),
        "project_id": job_ids[job_index],
        "memo": [f"{BILL_MEMOS[t]} - job {n}" for t, n in zip(bill_trades, job_numbers[job_index])],
        "updated_at": _stamps(rng, bill_day + rng.integers(1, 4, count)),
    })

    per_bill = rng.choice((1, 2, 3, 4, 5, 6), count, p=(0.05, 0.10, 0.20, 0.30, 0.20, 0.15))
    line_bill = np.repeat(np.arange(count), per_bill)
    line_no = np.arange(len(line_bill)) - np.repeat(np.cumsum(per_bill) - per_bill, per_bill) + 1
    pick = rng.random((len(line_bill), 3))
    codes, texts, amounts = [], [], []
    for trade, (p_code, p_text, p_amount) in zip(bill_trades[line_bill], pick):
        trade_codes, trade_texts, (low, high) = TRADES[trade]
        codes.append(trade_codes[int(p_code * len(trade_codes))])
        texts.append(trade_texts[int(p_text * len(trade_texts))])
        amounts.append(f"{low + (high - low) * p_amount ** 2:.2f}")  # many small lines, a few large
    shared = rng.random(len(line_bill)) < 0.05  # a delivery split with another job
    line_jobs = np.where(shared, job_ids[rng.integers(0, len(job_ids), len(line_bill))], job_ids[job_index][line_bill])
    lines = pd.DataFrame({
        "bill_id": bill_ids[line_bill],
        "line_no": line_no.astype(str),
        "cost_code": codes,
        "project_id": line_jobs,
        "description": texts,
        "amount": amounts,
    })
    lines.loc[lines.index[(lines["bill_id"] == "B-000005") & (lines["line_no"] == "1")], "cost_code"] = UNKNOWN_COST_CODE
    return bills, lines


def _purchase_orders(bills: pd.DataFrame, lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders copied from bills (vendor, job, lines), placed two weeks before them. Every fifth
    bill from the fourth (B-000004, B-000009...) received its order and names it (po_id); every
    tenth from the seventh is the pattern of an order not billed yet (dated on the bill's day)."""
    index = np.arange(len(bills))
    received, waiting = index[index % 5 == 3], index[index % 10 == 6]
    templates = np.concatenate([received, waiting])
    ids = _ids("PO-", len(templates), 5)
    bill_days = pd.to_datetime(bills["bill_date"].to_numpy()[templates])
    placed = np.where(np.arange(len(templates)) < len(received), -14, 0)
    orders = pd.DataFrame({
        "po_id": ids,
        "vendor_id": bills["vendor_id"].to_numpy()[templates],
        "project_id": bills["project_id"].to_numpy()[templates],
        "po_number": [f"PO-{1001 + i}" for i in range(len(templates))],
        "po_date": (bill_days + pd.to_timedelta(placed, unit="D")).strftime("%Y-%m-%d"),
        "memo": [f"Ordered for {memo}" for memo in bills["memo"].to_numpy()[templates]],
        "updated_at": (bill_days + pd.to_timedelta(placed + 1, unit="D")).strftime("%Y-%m-%dT09:00:00"),
    })
    order_of_bill = dict(zip(bills["bill_id"].to_numpy()[templates], ids.tolist()))
    order_lines = lines[lines["bill_id"].isin(list(order_of_bill))].rename(columns={"bill_id": "po_id"})
    order_lines["po_id"] = order_lines["po_id"].map(order_of_bill)
    bills["po_id"] = ""
    bills.loc[received, "po_id"] = ids[:len(received)].tolist()
    return orders.reset_index(drop=True), order_lines.reset_index(drop=True)


# -- small helpers ------------------------------------------------------------------------


def _ids(prefix: str, count: int, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, count + 1).astype(str), width))


def _day_text(offsets: np.ndarray) -> np.ndarray:
    """YYYY-MM-DD of days counted from the demo's last week ending."""
    return np.datetime_as_string(LAST_WEEK_ENDING + np.asarray(offsets).astype("timedelta64[D]"), unit="D")


def _stamps(rng: np.random.Generator, day_offsets: np.ndarray) -> np.ndarray:
    """Timestamps YYYY-MM-DDTHH:MM:SS on the given days, during office hours."""
    seconds = rng.integers(7 * 3600, 18 * 3600, len(day_offsets)) // 60 * 60
    moments = (LAST_WEEK_ENDING + np.asarray(day_offsets).astype("timedelta64[D]")).astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    return np.datetime_as_string(moments, unit="s")


def _addresses(rng: np.random.Generator, count: int) -> list[str]:
    numbers = rng.integers(100, 9_900, count)
    sides = rng.choice(STREET_SIDES, count)
    streets = rng.choice(STREET_NAMES, count)
    kinds = rng.choice(STREET_KINDS, count)
    cities = rng.integers(0, len(CITIES), count)
    zips = rng.integers(1, 99, count)
    return [
        f"{n} {side} {street} {kind}, {CITIES[c][0]}, {CITIES[c][1]} {CITIES[c][2]}{z:02d}"
        for n, side, street, kind, c, z in zip(numbers, sides, streets, kinds, cities, zips)
    ]


def _unique_names(rng: np.random.Generator, combos: list[str], count: int) -> list[str]:
    """`count` distinct names drawn from `combos` in random order; past the end of the
    list, later rounds add "Phase n" so that names stay unique."""
    if count <= 0:
        return []
    order = rng.permutation(len(combos))
    names = []
    for i in range(count):
        name, round_ = combos[order[i % len(combos)]], i // len(combos)
        names.append(f"{name} Phase {round_ + 1}" if round_ else name)
    return names


def _letters(number: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA: a suffix that never repeats."""
    text = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def _email_name(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == ".")
