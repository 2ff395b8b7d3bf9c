"""Where a QBO object opens in QuickBooks' own web app: one table, QBO object type -> page.

Intuit's API hosts map to their web apps; any other API host is the local sandbox, which
serves a simple page at the same path on its own host (it holds several companies, so its
links also name the company).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

# QBO object type -> (web app page, the query parameter that names the object)
PAGES: dict[str, tuple[str, str]] = {
    "Customer": ("customerdetail", "nameId"),     # customers, sub-customers (jobs) and projects
    "Vendor": ("vendordetail", "nameId"),
    "Employee": ("employeedetail", "nameId"),
    "Bill": ("bill", "txnId"),
    "TimeActivity": ("timeactivity", "txnId"),
    "Account": ("register", "accountId"),
}
# Items and classes have no page of their own in the web app (they open in a side panel).

INTUIT_WEB_APPS = {
    "quickbooks.api.intuit.com": "https://app.qbo.intuit.com",
    "sandbox-quickbooks.api.intuit.com": "https://app.sandbox.qbo.intuit.com",
}


def web_url(api_url_v3: str, realm_id: str, qbo_entity: str, qbo_id: str | None) -> str | None:
    """The web app address of one object; None when it has no page of its own."""
    page = PAGES.get(qbo_entity)
    if page is None or not qbo_id:
        return None
    api = urlparse(api_url_v3)
    app = INTUIT_WEB_APPS.get(api.hostname or "")
    query = {page[1]: qbo_id}
    if app is None:
        app = f"{api.scheme}://{api.netloc}"
        query["realmId"] = realm_id
    return f"{app}/app/{page[0]}?{urlencode(query)}"
