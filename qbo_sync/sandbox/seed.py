"""The demo company: how a small US contractor's QBO looks before qbo-sync touches it.

The names are shared with the demo source (qbo_sync/sources) so that matching is shown:
same customers, vendors and employees on both sides, one inactive customer, sub-customers.
"""

from __future__ import annotations

from qbo_sync.sandbox.company import Company

DEMO_COMPANY_NAME = "Keystone Builders Demo Co"

ACCOUNTS = [  # (Name, AccountType, AccountSubType)
    ("Construction Income", "Income", "ServiceFeeIncome"),
    ("Services", "Income", "ServiceFeeIncome"),
    ("Job Materials", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("Subcontractors", "Cost of Goods Sold", "OtherCostsOfServiceCos"),
    ("Cost of Labor", "Cost of Goods Sold", "CostOfLaborCos"),
    ("Equipment Rental", "Expense", "EquipmentRental"),
    ("Fuel", "Expense", "Auto"),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
    ("Checking", "Bank", "Checking"),
]
MINIMAL_ACCOUNTS = [ACCOUNTS[1], ACCOUNTS[4], ACCOUNTS[7], ACCOUNTS[8]]
CUSTOMERS = ["Harbor View Properties LLC", "Cedar Ridge School District", "Northgate Medical Group",
             "Maple & Main Retail Partners", "Summit Hospitality Inc", "Riverside Municipal Water"]
SUB_CUSTOMERS = [("Harbor View Properties LLC", "Pier 9 Renovation"),
                 ("Northgate Medical Group", "Clinic Expansion")]
INACTIVE_CUSTOMERS = ["Old Town Bakery"]
VENDORS = ["Ace Concrete Supply", "Pacific Lumber Co", "Bright Electric Wholesale",
           "Metro Equipment Rentals", "Allied Drywall Subcontractors"]
EMPLOYEES = [("Maria", "Lopez"), ("James", "Carter"), ("Aisha", "Khan"), ("Tom", "Becker")]
SERVICE_ITEMS = ["General Labor", "Carpentry", "Electrical Labor", "Project Management"]
NON_INVENTORY_ITEMS = ["Rebar"]
CLASSES = ["Commercial", "Residential", "Public Works"]


def seed_company(company: Company, *, company_name: str, projects_enabled: bool, demo: bool) -> None:
    """demo=False: CompanyInfo, Preferences and a minimal chart of accounts only."""
    company.put_singleton("CompanyInfo", {
        "CompanyName": company_name, "LegalName": company_name,
        "CompanyAddr": {"Line1": "1200 Harbor Way", "City": "Oakland",
                        "CountrySubDivisionCode": "CA", "PostalCode": "94607", "Country": "US"},
        "Country": "US", "FiscalYearStartMonth": "January", "CompanyStartDate": "2019-01-01",
        "SupportedLanguages": "en", "Email": {"Address": "office@example.com"},
        "NameValue": [{"Name": "IndustryType", "Value": "Construction Trades"}],
    })
    company.put_singleton("Preferences", {
        "AccountingInfoPrefs": {"ClassTrackingPerTxn": False, "ClassTrackingPerTxnLine": True,
                                "TrackDepartments": False, "DepartmentTerminology": "Location",
                                "CustomerTerminology": "Customers"},
        "TimeTrackingPrefs": {"UseServices": True, "BillCustomers": True, "ShowBillRateToAll": False,
                              "WorkWeekStartDate": "Monday", "MarkTimeEntriesBillable": True},
        "VendorAndPurchasesPrefs": {"BillableExpenseTracking": True, "TrackingByCustomer": True},
        "CurrencyPrefs": {"MultiCurrencyEnabled": False,
                          "HomeCurrency": {"value": "USD"}},
        "OtherPrefs": {"NameValue": [{"Name": "ProjectsEnabled",
                                      "Value": "true" if projects_enabled else "false"}]},
    })
    accounts = {}
    for name, kind, subtype in (ACCOUNTS if demo else MINIMAL_ACCOUNTS):
        accounts[name] = company.create("Account", {"Name": name, "AccountType": kind,
                                                    "AccountSubType": subtype})
    if not demo:
        return
    parents = {}
    for name in CUSTOMERS:
        parents[name] = company.create("Customer", {"DisplayName": name, "CompanyName": name})
    for parent, name in SUB_CUSTOMERS:
        company.create("Customer", {"DisplayName": name, "Job": True, "BillWithParent": True,
                                    "ParentRef": {"value": parents[parent]["Id"]}})
    for name in INACTIVE_CUSTOMERS:
        company.create("Customer", {"DisplayName": name, "CompanyName": name, "Active": False})
    for name in VENDORS:
        company.create("Vendor", {"DisplayName": name, "CompanyName": name})
    for given, family in EMPLOYEES:
        company.create("Employee", {"GivenName": given, "FamilyName": family})
    income = {"value": accounts["Construction Income"]["Id"]}
    labor = {"value": accounts["Cost of Labor"]["Id"]}
    for name in SERVICE_ITEMS:
        company.create("Item", {"Name": name, "Type": "Service", "IncomeAccountRef": income,
                                "ExpenseAccountRef": labor})
    for name in NON_INVENTORY_ITEMS:
        company.create("Item", {"Name": name, "Type": "NonInventory", "IncomeAccountRef": income,
                                "ExpenseAccountRef": {"value": accounts["Job Materials"]["Id"]}})
    for name in CLASSES:
        company.create("Class", {"Name": name})
    company.writes.clear()
