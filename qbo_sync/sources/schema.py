"""The logical tables every source provides, as documented in README's source format.

This is the contract between source adapters and the staging core: an adapter returns
each table as a DataFrame of strings with exactly these columns (extra source columns are
dropped, missing optional values are empty strings). Types are parsed later, by the
validation suites, so that a bad value becomes a Needs Action reason instead of a crash.
"""

from __future__ import annotations

TABLES: dict[str, tuple[str, ...]] = {
    "projects": (
        "project_id", "name", "number", "client_name", "status",
        "start_date", "end_date", "address", "updated_at",
    ),
    "cost_codes": ("code", "name", "type", "active", "updated_at"),
    "employees": (
        "employee_id", "first_name", "last_name", "email", "hourly_cost", "active", "updated_at",
    ),
    "vendors": ("vendor_id", "name", "email", "phone", "active", "updated_at"),
    "timesheets": (
        "entry_id", "employee_id", "project_id", "cost_code", "week_ending",
        "mon", "tue", "wed", "thu", "fri", "sat", "sun",
        "billable", "hourly_rate", "description", "updated_at",
    ),
    "vendor_bills": (
        "bill_id", "vendor_id", "bill_number", "bill_date", "due_date",
        "project_id", "memo", "updated_at", "document",
    ),
    "vendor_bill_lines": (
        "bill_id", "line_no", "cost_code", "project_id", "description", "amount",
    ),
}

# Columns that must exist in the source (a missing one fails the import, naming it).
# Every other column of a table may be absent; it is then read as empty.
REQUIRED: dict[str, tuple[str, ...]] = {
    "projects": ("project_id", "name", "client_name", "status"),
    "cost_codes": ("code", "name", "type"),
    "employees": ("employee_id", "first_name", "last_name"),
    "vendors": ("vendor_id", "name"),
    "timesheets": (
        "entry_id", "employee_id", "project_id", "cost_code", "week_ending",
        "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    ),
    "vendor_bills": ("bill_id", "vendor_id", "bill_number", "bill_date"),
    "vendor_bill_lines": ("bill_id", "line_no", "amount"),
}

# The column that identifies a row of each table in the source system.
KEYS: dict[str, str] = {
    "projects": "project_id",
    "cost_codes": "code",
    "employees": "employee_id",
    "vendors": "vendor_id",
    "timesheets": "entry_id",
    "vendor_bills": "bill_id",
    "vendor_bill_lines": "bill_id",  # lines belong to their bill; (bill_id, line_no) is unique
}
