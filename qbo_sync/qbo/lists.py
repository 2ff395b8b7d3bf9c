"""QuickBooks' own lists and rules that the pipeline checks against (not entities of ours).

Our entities say which QBO entity they write (EntitySpec.qbo_entity); what QuickBooks keeps
beside them, and the rules it applies across lists, live here.
"""

from __future__ import annotations

CUSTOMER = "Customer"   # the list projects, jobs and sub-customers live in, under their client

# QBO refuses a name used in any of these lists (6240): names are unique across the three.
SHARED_NAME_LISTS = ("Customer", "Vendor", "Employee")
SHARED_NAMES = "customers, vendors and employees"    # the three, as a message says them

ACCOUNT = "Account"
CLASS = "Class"
LOCATION = "Department"     # QuickBooks calls locations Departments in its API

# The lists a posting can name by name: accounts, classes, locations; in the words a user reads.
TRACKING_KIND = {CLASS: "class", LOCATION: "location"}
POSTING_LISTS = (ACCOUNT, CLASS, LOCATION)

# The lists a cost-code-like target may be in: a product/service item, an account or a class.
TARGET_LISTS = ("Item", ACCOUNT, CLASS)
ITEM = "Item"

# Where a QuickBooks admin turns a company feature on (Settings > Account and settings).
SETTINGS = "QuickBooks: Settings > Account and settings > Advanced"
PROJECTS_SETTING = f"{SETTINGS} > Projects"
CLASS_SETTING = f"{SETTINGS} > Categories > Track classes"
LOCATION_SETTING = f"{SETTINGS} > Categories > Track locations"
