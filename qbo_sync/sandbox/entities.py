"""Per-entity rules: required fields, defaults, FullyQualifiedName, references.

Each `check_<entity>(ctx, doc, old)` gets the merged document of a create (old None) or
an update, fixes up what QBO computes, and raises QboError with QBO's code when a rule
is broken. Sources per rule are listed in docs/sandbox.md (Intuit's entity pages).
`ctx` is the company (see company.py): ctx.get(entity, id), ctx.by_name(...), ctx.today().
"""

from __future__ import annotations

from typing import Any, Callable

from qbo_sync.sandbox.faults import DUPLICATE_NAME, INACTIVE_REF, QboError

# The entities the sandbox serves, by the lower-case name used in URLs.
ENTITIES = {
    name.lower(): name
    for name in ("Customer", "Vendor", "Employee", "Item", "Account", "Class",
                 "TimeActivity", "Bill", "CompanyInfo", "Preferences",
                 "BillPayment", "PurchaseOrder", "Department", "Term", "Attachable")
}
NAME_LISTS = {"Customer", "Vendor", "Employee", "Item", "Account", "Class", "Department", "Term"}
PEOPLE = {"Customer", "Vendor", "Employee"}          # DisplayName unique across these
# Name lists are made inactive instead of deleted.
DELETABLE = {"TimeActivity", "Bill", "BillPayment", "PurchaseOrder", "Attachable"}
VOIDABLE = {"BillPayment"}                              # ?operation=update&include=void
WRITABLE = NAME_LISTS | DELETABLE
READ_ONLY = {"Id", "SyncToken", "MetaData", "domain", "sparse", "FullyQualifiedName", "Level",
             "time", "status"}

FORBIDDEN_IN_NAMES = (":", "\t", "\n")
PERSON_NAME_LIMITS = {"Title": 16, "GivenName": 100, "MiddleName": 100, "FamilyName": 100,
                      "Suffix": 16, "DisplayName": 500, "PrintOnCheckName": 110,
                      "CompanyName": 100}
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
ACCOUNT_TYPES = {
    "Bank": "Asset", "Other Current Asset": "Asset", "Fixed Asset": "Asset", "Other Asset": "Asset",
    "Accounts Receivable": "Asset", "Equity": "Equity", "Expense": "Expense",
    "Other Expense": "Expense", "Cost of Goods Sold": "Expense", "Accounts Payable": "Liability",
    "Credit Card": "Liability", "Long Term Liability": "Liability",
    "Other Current Liability": "Liability", "Income": "Revenue", "Other Income": "Revenue",
}
SUBTYPE_TO_TYPE = {
    "Checking": "Bank", "Savings": "Bank", "ServiceFeeIncome": "Income",
    "SalesOfProductIncome": "Income", "OtherPrimaryIncome": "Income",
    "SuppliesMaterialsCogs": "Cost of Goods Sold", "CostOfLaborCos": "Cost of Goods Sold",
    "OtherCostsOfServiceCos": "Cost of Goods Sold", "EquipmentRental": "Expense",
    "Auto": "Expense", "OtherMiscellaneousServiceCost": "Expense",
    "AccountsPayable": "Accounts Payable", "AccountsReceivable": "Accounts Receivable",
}
BILLABLE_STATUSES = {"Billable", "NotBillable", "HasBeenBilled"}
LINE_DETAILS = {"AccountBasedExpenseLineDetail": ("AccountRef", "Account"),
                "ItemBasedExpenseLineDetail": ("ItemRef", "Item")}


def clean(value: Any) -> Any:
    """Drop empty strings and emptied objects: python-quickbooks serialises unset fields as ""."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = clean(v)
            if v == "" or v is None or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def _text(doc: dict, field: str) -> str:
    value = doc.get(field)
    return value.strip() if isinstance(value, str) else ""


def _number(doc: dict, field: str, element: str | None = None) -> float | None:
    value = doc.get(field)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise QboError(2010, f"Property Name:{field} must be a number", element or field) from None


def non_negative(doc: dict, field: str) -> float | None:
    value = _number(doc, field)
    if value is not None and value < 0:
        raise QboError(6000, f"{field} cannot be negative", field)
    return value


def check_length(doc: dict, field: str, limit: int) -> None:
    value = doc.get(field)
    if isinstance(value, str) and len(value) > limit:
        raise QboError(2050, f"String length is either shorter or longer than supported by "
                             f"specification. Min:0 Max:{limit} supplied length:{len(value)}", field)


def check_name_chars(doc: dict, field: str) -> None:
    value = doc.get(field)
    if isinstance(value, str) and any(c in value for c in FORBIDDEN_IN_NAMES):
        raise QboError(6000, f"Invalid character in {field}: names cannot contain a colon (:), "
                             "tab or newline.", field)


def ref(ctx, doc: dict, field: str, entity: str, *, required: bool = False) -> dict | None:
    """Resolve a reference: missing object 2500, inactive object 610; fills in its name."""
    value = doc.get(field)
    if not value or not isinstance(value, dict) or not value.get("value"):
        if required:
            raise QboError(2020, f"Required parameter {field} is missing in the request", field)
        doc.pop(field, None)
        return None
    target = ctx.get(entity, str(value["value"]))
    if target is None:
        raise QboError(2500, f"Invalid Reference Id : {entity} assigned to {field} "
                             f"({value['value']}) does not exist", field)
    if target.get("Active") is False:
        raise QboError(610, INACTIVE_REF, field)
    name = target.get("FullyQualifiedName") or target.get("DisplayName") or target.get("Name")
    doc[field] = {"value": str(value["value"]), "name": name}
    return target


def _person(ctx, entity: str, doc: dict, old: dict | None) -> dict:
    for field, limit in PERSON_NAME_LIMITS.items():
        check_length(doc, field, limit)
    check_length(doc, "Notes", 2000)
    for field in (*NAME_PARTS, "DisplayName", "PrintOnCheckName"):
        check_name_chars(doc, field)
    if not _text(doc, "DisplayName"):
        parts = [_text(doc, p) for p in NAME_PARTS if _text(doc, p)]
        if not parts:
            raise QboError(2020, "Required parameter DisplayName or one of Title, GivenName, "
                                 "MiddleName, FamilyName, Suffix is missing in the request",
                           "DisplayName")
        doc["DisplayName"] = " ".join(parts)
    doc["DisplayName"] = doc["DisplayName"].strip()
    clash = ctx.person_named(doc["DisplayName"])
    if clash is not None and not (old and clash == (entity, old["Id"])):
        raise QboError(6240, f"{DUPLICATE_NAME} : Id={clash[1]}", "DisplayName")
    doc.setdefault("PrintOnCheckName", doc["DisplayName"])
    doc.setdefault("Active", True)
    return doc


def check_customer(ctx, doc: dict, old: dict | None) -> dict:
    _person(ctx, "Customer", doc, old)
    # IsProject is read-only in REST: projects come from the GraphQL Project API.
    doc["IsProject"] = bool(old and old.get("IsProject"))
    if doc.get("Job") is True or doc["IsProject"]:
        parent = ref(ctx, doc, "ParentRef", "Customer", required=True)
        if old and _is_descendant(ctx, parent, old["Id"]):
            raise QboError(6000, "A customer cannot be its own parent or sub-customer", "ParentRef")
        doc["Level"] = int(parent.get("Level", 0)) + 1
        if doc["Level"] > 4:
            raise QboError(6000, "Sub-customers can be nested up to 4 levels below a top-level "
                                 "customer", "ParentRef")
        doc["FullyQualifiedName"] = f"{parent['FullyQualifiedName']}:{doc['DisplayName']}"
        doc["BillWithParent"] = bool(doc.get("BillWithParent", False))
    else:
        # Without Job=true QBO makes a top-level customer (python-quickbooks issue #139).
        doc.pop("ParentRef", None)
        doc.update(Job=False, BillWithParent=False, Level=0, FullyQualifiedName=doc["DisplayName"])
    doc.setdefault("Taxable", False)
    doc.setdefault("Balance", 0)
    doc.setdefault("BalanceWithJobs", doc["Balance"])
    doc.setdefault("PreferredDeliveryMethod", "Print")
    doc.setdefault("CurrencyRef", {"value": "USD", "name": "United States Dollar"})
    return doc


def _is_descendant(ctx, node: dict, ancestor_id: str) -> bool:
    while node is not None:
        if node["Id"] == ancestor_id:
            return True
        parent = node.get("ParentRef")
        node = ctx.get("Customer", parent["value"]) if parent else None
    return False


def check_vendor(ctx, doc: dict, old: dict | None) -> dict:
    _person(ctx, "Vendor", doc, old)
    check_length(doc, "AcctNum", 100)
    doc.setdefault("Vendor1099", False)
    doc.setdefault("Balance", 0)
    doc.setdefault("CurrencyRef", {"value": "USD", "name": "United States Dollar"})
    return doc


def check_employee(ctx, doc: dict, old: dict | None) -> dict:
    _person(ctx, "Employee", doc, old)
    # Labour cost rate (job costing) and billing rate: money per hour, never negative.
    non_negative(doc, "CostRate")
    non_negative(doc, "BillRate")
    doc.setdefault("BillableTime", False)
    return doc


def _named(ctx, entity: str, doc: dict, old: dict | None, *, limit: int = 100,
           forbidden: tuple[str, ...] = FORBIDDEN_IN_NAMES, parent_flag: str | None = None) -> None:
    name = _text(doc, "Name")
    if not name:
        raise QboError(2020, "Required parameter Name is missing in the request", "Name")
    doc["Name"] = name
    check_length(doc, "Name", limit)
    if any(c in name for c in forbidden):
        shown = " ".join(repr(c) for c in forbidden)
        raise QboError(6000, f"Invalid character in Name: it cannot contain {shown}", "Name")
    fqn = name
    if parent_flag and doc.get(parent_flag) is True:
        parent = ref(ctx, doc, "ParentRef", entity, required=True)
        fqn = f"{parent['FullyQualifiedName']}:{name}"
    else:
        doc.pop("ParentRef", None)
        if parent_flag:
            doc[parent_flag] = False
    clash = ctx.named(entity, fqn)
    if clash is not None and not (old and clash == old["Id"]):
        raise QboError(6240, f"The name supplied already exists. : Id={clash}", "Name")
    doc["FullyQualifiedName"] = fqn
    doc.setdefault("Active", True)


def check_item(ctx, doc: dict, old: dict | None) -> dict:
    _named(ctx, "Item", doc, old, parent_flag="SubItem")
    kind = doc.get("Type")
    if not kind:
        raise QboError(2020, "Required parameter Type is missing in the request", "Type")
    if kind not in ("Service", "NonInventory"):
        raise QboError(6000, f"Item Type {kind!r} is not supported by the sandbox "
                             "(Service and NonInventory are)", "Type")
    income = ref(ctx, doc, "IncomeAccountRef", "Account", required=(kind == "Service"))
    expense = ref(ctx, doc, "ExpenseAccountRef", "Account")
    if kind == "NonInventory" and not (income or expense):
        raise QboError(2020, "Required parameter IncomeAccountRef or ExpenseAccountRef is "
                             "missing in the request", "IncomeAccountRef")
    check_length(doc, "Description", 4000)
    doc.setdefault("UnitPrice", 0)
    doc.setdefault("Taxable", False)
    doc["TrackQtyOnHand"] = False
    return doc


def check_account(ctx, doc: dict, old: dict | None) -> dict:
    _named(ctx, "Account", doc, old, forbidden=('"', ":"), parent_flag="SubAccount")
    kind, subtype = doc.get("AccountType"), doc.get("AccountSubType")
    if not kind and subtype:
        kind = SUBTYPE_TO_TYPE.get(subtype)
    if not kind:
        raise QboError(6010, "Invalid account type: You must select an account type "
                             "(AccountType or AccountSubType)", "AccountType")
    if kind not in ACCOUNT_TYPES:
        raise QboError(2010, f"Property Name:AccountType value {kind!r} is not supported",
                       "AccountType")
    doc["AccountType"] = kind
    doc["Classification"] = ACCOUNT_TYPES[kind]
    doc.setdefault("CurrentBalance", 0)
    doc.setdefault("CurrentBalanceWithSubAccounts", doc["CurrentBalance"])
    doc.setdefault("CurrencyRef", {"value": "USD", "name": "United States Dollar"})
    return doc


def check_class(ctx, doc: dict, old: dict | None) -> dict:
    _named(ctx, "Class", doc, old, parent_flag="SubClass")
    return doc


def check_department(ctx, doc: dict, old: dict | None) -> dict:
    """A location (Department): a name list like Class, nested with SubDepartment."""
    _named(ctx, "Department", doc, old, parent_flag="SubDepartment")
    return doc


TERM_TYPES = {"Standard": ("DueDays", "DiscountDays"),
              "DateDriven": ("DayOfMonthDue", "DueNextMonthDays", "DiscountDayOfMonth")}


def check_term(ctx, doc: dict, old: dict | None) -> dict:
    """Payment terms: Standard (due after DueDays) or DateDriven (DayOfMonthDue)."""
    _named(ctx, "Term", doc, old, limit=31)
    kind = "DateDriven" if doc.get("DayOfMonthDue") not in (None, "") else "Standard"
    for field in TERM_TYPES["Standard"] + TERM_TYPES["DateDriven"]:
        non_negative(doc, field)
    if kind == "Standard" and doc.get("DueDays") in (None, ""):
        raise QboError(2020, "Required parameter DueDays or DayOfMonthDue is missing in the "
                             "request", "DueDays")
    doc["Type"] = kind   # read-only in QBO: follows from the fields given
    return doc


def check_time_activity(ctx, doc: dict, old: dict | None) -> dict:
    name_of = doc.get("NameOf")
    if not name_of:
        raise QboError(2020, "Required parameter NameOf is missing in the request", "NameOf")
    if name_of not in ("Employee", "Vendor"):
        raise QboError(2010, f"Property Name:NameOf value {name_of!r} is not Employee or Vendor",
                       "NameOf")
    field = f"{name_of}Ref"
    ref(ctx, doc, field, name_of, required=True)
    doc.pop("VendorRef" if name_of == "Employee" else "EmployeeRef", None)

    hours, minutes = _number(doc, "Hours"), _number(doc, "Minutes")
    start, end = doc.get("StartTime"), doc.get("EndTime")
    if start or end:
        if not (start and end):
            raise QboError(2020, "Required parameter StartTime and EndTime must be given "
                                 "together", "EndTime" if start else "StartTime")
        from qbo_sync.sandbox.clock import parse_time
        try:
            seconds = parse_time(end) - parse_time(start)
        except ValueError:
            raise QboError(2010, "Property Name:StartTime/EndTime must be ISO 8601 times",
                           "StartTime") from None
        breaks = (_number(doc, "BreakHours") or 0) * 3600 + (_number(doc, "BreakMinutes") or 0) * 60
        if seconds <= 0 or seconds - breaks < 0:
            raise QboError(6000, "EndTime must be after StartTime (and longer than the break)",
                           "EndTime")
        worked = int(seconds - breaks) // 60
        doc["Hours"], doc["Minutes"] = worked // 60, worked % 60
    else:
        if doc.get("BreakHours") or doc.get("BreakMinutes"):
            raise QboError(6000, "BreakHours can only be given with StartTime and EndTime",
                           "BreakHours")
        if hours is None and minutes is None:
            raise QboError(2020, "Required parameter Hours/Minutes or StartTime/EndTime is "
                                 "missing in the request", "Hours")
        if (hours or 0) < 0 or (minutes or 0) < 0 or (minutes or 0) >= 60:
            raise QboError(6000, "Hours must be 0 or more and Minutes between 0 and 59", "Minutes")
        doc["Hours"], doc["Minutes"] = int(hours or 0), int(minutes or 0)

    status = doc.get("BillableStatus", "NotBillable")
    if status not in BILLABLE_STATUSES:
        raise QboError(2010, f"Property Name:BillableStatus value {status!r} is not supported",
                       "BillableStatus")
    if status == "HasBeenBilled" and (old is None or old.get("BillableStatus") != "HasBeenBilled"):
        raise QboError(6000, "BillableStatus HasBeenBilled cannot be set directly; it is set "
                             "when the time is invoiced", "BillableStatus")
    doc["BillableStatus"] = status
    customer = ref(ctx, doc, "CustomerRef", "Customer", required=(status == "Billable"))
    if status == "Billable" and doc.get("HourlyRate") in (None, ""):
        raise QboError(2020, "Required parameter HourlyRate is missing in the request "
                             "(BillableStatus is Billable)", "HourlyRate")
    non_negative(doc, "HourlyRate")
    non_negative(doc, "CostRate")
    item = ref(ctx, doc, "ItemRef", "Item")
    if item is not None and item.get("Type") != "Service":
        raise QboError(6000, "ItemRef of a TimeActivity must be a Service item", "ItemRef")
    ref(ctx, doc, "ClassRef", "Class")
    project = ref(ctx, doc, "ProjectRef", "Customer")
    if project is not None and not project.get("IsProject"):
        raise QboError(2500, "Invalid Reference Id : ProjectRef is not a project", "ProjectRef")
    if customer is None:
        doc.pop("CustomerRef", None)
    doc.setdefault("TxnDate", ctx.today())
    doc.setdefault("Taxable", False)
    check_length(doc, "Description", 4000)
    return doc


def expense_lines(ctx, lines: list, noun: str) -> float:
    """Check the expense lines of a Bill or PurchaseOrder; number them; answer their total."""
    total = 0.0
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise QboError(2010, "Property Name:Line must hold objects", "Line")
        kind = line.get("DetailType")
        if kind not in LINE_DETAILS:
            raise QboError(2020, f"Required parameter Line.DetailType (one of "
                                 f"{', '.join(LINE_DETAILS)}) is missing or unsupported", "Line.DetailType")
        ref_field, ref_entity = LINE_DETAILS[kind]
        detail = line.get(kind)
        if not isinstance(detail, dict):
            raise QboError(2020, f"Required parameter Line.{kind} is missing in the request",
                           f"Line.{kind}")
        target = ref(ctx, detail, ref_field, ref_entity, required=True)
        ref(ctx, detail, "CustomerRef", "Customer")
        ref(ctx, detail, "ClassRef", "Class")
        if kind == "ItemBasedExpenseLineDetail" and target.get("Type") not in ("Service", "NonInventory"):
            raise QboError(6000, "ItemRef must be a purchasable item", "ItemRef")
        amount = _number(line, "Amount", "Line.Amount")
        if amount is None:
            raise QboError(2020, "Required parameter Line.Amount is missing in the request",
                           "Line.Amount")
        if amount < 0:
            raise QboError(6000, f"{noun} line amounts cannot be negative", "Line.Amount")
        line["Id"] = str(number)
        line["LineNum"] = number
        total += amount
    return total


def check_bill(ctx, doc: dict, old: dict | None) -> dict:
    ref(ctx, doc, "VendorRef", "Vendor", required=True)
    lines = doc.get("Line")
    if not isinstance(lines, list) or not lines:
        raise QboError(2020, "Required parameter Line is missing in the request", "Line")
    check_length(doc, "DocNumber", 21)
    check_length(doc, "PrivateNote", 4000)
    total = expense_lines(ctx, lines, "Bill")
    doc.setdefault("TxnDate", ctx.today())
    doc.setdefault("DueDate", doc["TxnDate"])
    if "APAccountRef" in doc:
        ref(ctx, doc, "APAccountRef", "Account")
    else:
        ap = ctx.first_account("Accounts Payable")
        if ap is not None:
            doc["APAccountRef"] = {"value": ap["Id"], "name": ap["Name"]}
    doc["TotalAmt"] = round(total, 2)
    doc["Balance"] = doc["TotalAmt"]
    doc.setdefault("CurrencyRef", {"value": "USD", "name": "United States Dollar"})
    return doc


RULES: dict[str, Callable[[Any, dict, dict | None], dict]] = {
    "Customer": check_customer, "Vendor": check_vendor, "Employee": check_employee,
    "Item": check_item, "Account": check_account, "Class": check_class,
    "TimeActivity": check_time_activity, "Bill": check_bill,
    "Department": check_department, "Term": check_term,
}
