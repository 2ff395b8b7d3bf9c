"""Weekly payroll entries become one QBO TimeActivity per day with hours.

A row is one employee's week on one project and cost code (mon..sun hours, week_ending a
Sunday). Each day with hours is a part of the record (Record.qbo_objects["mon"] = {id,
sync_token, hash}): an edit of one day updates that TimeActivity only, and a day set to
zero deletes its TimeActivity.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from qbo_sync.entities import tracking
from qbo_sync.entities.base import Column, EntitySpec, FindAgain, PayloadContext, PayloadError, field_column
from qbo_sync.entities.projects import project_ref

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")))


def refs(row: dict) -> list[tuple[str, str]]:
    return [("employees", row["employee_id"]), ("projects", row["project_id"]),
            ("cost_codes", row["cost_code"])]


def week_total_shown(row: dict) -> str:
    """The week's total hours as the console lists them; blank when a day is not a number
    (Needs Action says which), where week_hours below counts only the days QuickBooks holds."""
    from decimal import Decimal, InvalidOperation

    try:
        return str(sum((Decimal((row.get(day) or "0").strip() or "0") for day in DAYS), Decimal(0)))
    except InvalidOperation:
        return ""


def day_dates(week_ending: str) -> dict[str, str]:
    # Read as validation reads it ("2026-1-4" is valid there; date.fromisoformat refuses it).
    sunday = datetime.strptime(week_ending.strip(), "%Y-%m-%d").date()
    return {day: (sunday - timedelta(days=6 - i)).isoformat() for i, day in enumerate(DAYS)}


def _billable(row: dict, ctx: PayloadContext) -> bool:
    if row.get("billable") in ("true", "false"):
        return row["billable"] == "true"
    return ctx.mappings.timesheets.default_billable


def _rate(row: dict, ctx: PayloadContext) -> str:
    source = ctx.mappings.timesheets.hourly_rate_from
    if source == "entry":
        return row.get("hourly_rate") or ""
    if source == "employee":
        return ctx.ref("employees", row["employee_id"]).data.get("hourly_cost") or ""
    return ""


def week_hours(row: dict) -> float:
    """The week's hours as QuickBooks holds them (each day rounded to the minute); 0 for days
    that never passed validation ("abc")."""
    from qbo_sync.mappings import hours_minutes

    total = 0.0
    for day in DAYS:
        try:
            hours, minutes = hours_minutes(row.get(day) or "0")
        except ValueError:
            continue
        total += hours + minutes / 60
    return round(total, 2)


def parts(row: dict, ctx: PayloadContext) -> dict[str, dict]:
    """{day: TimeActivity body} for each day with hours."""
    from qbo_sync import mappings   # pydantic: only when building payloads, not when listing entities

    mapping = ctx.mappings.timesheets
    employee = ctx.ref("employees", row["employee_id"])
    project = ctx.ref("projects", row["project_id"])
    cost_code = ctx.ref("cost_codes", row["cost_code"])
    common = {"NameOf": "Employee", "EmployeeRef": {"value": employee.qbo_id},
              "CustomerRef": {"value": project.qbo_id}, **project_ref(ctx.sync, project)}
    if cost_code.qbo_entity == "Item":
        common["ItemRef"] = {"value": cost_code.qbo_id}
    elif cost_code.qbo_entity == "Class":
        common["ClassRef"] = {"value": cost_code.qbo_id}
    if mapping.class_name and "ClassRef" not in common:
        common["ClassRef"] = {"value": ctx.accounts[mapping.class_name]}
    mapped = tracking.class_ref(ctx, cost_code)
    if mapped:   # the classes mapping is the job-costing class: it wins over the two above
        common["ClassRef"] = mapped
    description = mapping.description_template.format_map(_Blank(
        description=row.get("description", ""), cost_code=row["cost_code"],
        cost_code_name=cost_code.name, project=project.name, entry_id=row["entry_id"]))
    if description:
        common["Description"] = description[:4000]
    if employee.data.get("hourly_cost"):
        # What an hour costs the company: QuickBooks' job costing counts labour cost with it.
        common["CostRate"] = float(employee.data["hourly_cost"])
    if _billable(row, ctx):
        rate = _rate(row, ctx)
        if not rate:
            raise PayloadError(f"Billable time needs an hourly rate, and the mapping takes it from the "
                               f"{mapping.hourly_rate_from}, which has none")
        common.update(BillableStatus="Billable", HourlyRate=float(rate))
    else:
        common["BillableStatus"] = "NotBillable"
    dates = day_dates(row["week_ending"])
    bodies = {}
    for day in DAYS:
        hours, minutes = mappings.hours_minutes(row.get(day) or "0")
        if hours or minutes:
            bodies[day] = {**common, "TxnDate": dates[day], "Hours": hours, "Minutes": minutes}
    return bodies


def week_totals(row: dict) -> list[tuple[str, Decimal, Decimal]]:
    """The week's hours on its project, as they will be written (each day to the minute)."""
    from qbo_sync.mappings import hours_minutes

    minutes = 0
    for day in DAYS:
        hours, extra = hours_minutes(row.get(day) or "0")
        minutes += hours * 60 + extra
    return [(row.get("project_id") or "", Decimal(minutes) / 60, Decimal(0))]


def write_key(obj: dict) -> tuple:
    """A TimeActivity is the employee's time on one day, customer and item or class: the
    hours are left out, so an edited day is found again (and updated, not created twice)."""
    ref = lambda name: (obj.get(name) or {}).get("value")   # noqa: E731
    return (ref("EmployeeRef"), ref("CustomerRef"), ref("ItemRef"), ref("ClassRef"), obj.get("TxnDate"))


def same_day_entry(obj: dict) -> tuple:
    """A day's TimeActivity as written: who, for whom, on what, how long and why. Several alike
    objects are told apart by the records that already hold them."""
    ref = lambda name: (obj.get(name) or {}).get("value")   # noqa: E731
    return (ref("EmployeeRef"), ref("VendorRef"), ref("CustomerRef"), ref("ItemRef"), ref("ClassRef"),
            int(obj.get("Hours") or 0), int(obj.get("Minutes") or 0), obj.get("Description") or "")


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


TIMESHEETS = EntitySpec(
    name="timesheets",
    label="Timesheets",
    key="entry_id",
    noun="Timesheet entry",
    source_columns=("entry_id", "employee_id", "project_id", "cost_code", "week_ending", *DAYS,
                    "billable", "hourly_rate", "description", "updated_at"),
    required_columns=("entry_id", "employee_id", "project_id", "cost_code", "week_ending", *DAYS),
    qbo_entity="TimeActivity",
    display_name=lambda row: f"{row.get('employee_id', '')} · {row.get('project_id', '')} · "
                             f"{row.get('cost_code', '')} · week ending {row.get('week_ending', '')}",
    payload=lambda row, ctx: parts(row, ctx),
    list_columns=("employee_id", "project_id", "cost_code", "week_ending", *DAYS),
    columns=(field_column("Employee", "employee_id", ref="employees", width="medium"),
             field_column("Project", "project_id", ref="projects", width="medium"),
             field_column("Cost code", "cost_code", ref="cost_codes", width="medium"),
             field_column("Week ending", "week_ending", kind="date"),
             *(field_column(DAY_NAMES[day][:3], day, kind="hours", total=True, sums=(f"data.{day}",),
                            width="narrow") for day in DAYS),
             Column("Week", lambda row, _l: week_total_shown(row), kind="hours", total=True,
                    sums=tuple(f"data.{day}" for day in DAYS), width="total")),
    depends_on=("employees", "projects", "cost_codes"),
    natural_key=None,
    write_key=write_key,
    # A day's objects are queried one day at a time.
    find_again=FindAgain(field="TxnDate", same=same_day_entry, batch=1),
    refs=refs,
    pulls=("Account", "Class"),
    parts=parts,
    suite_parameters=("known_employee_ids", "known_project_ids", "known_cost_codes"),
    totals=week_totals,
    delete_rule=lambda mappings: mappings.timesheets.delete_in_qbo_when_deleted_in_source,
    measures=lambda row: {"hours": week_hours(row)},
    tracking=("class",),
)
