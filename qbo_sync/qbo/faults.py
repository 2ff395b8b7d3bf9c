"""QBO faults in plain words, and whether trying again can help. The one home for both.

Codes and messages: Intuit's error-code page and ../shared/reference/qbo-api.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QboFault:
    code: str
    message: str          # QBO's own Message
    detail: str           # QBO's own Detail
    plain: str            # what a finance person reads
    retryable: bool
    http_status: int | None = None


# code -> (plain text template, retryable). {detail} is QBO's own explanation.
_PLAIN: dict[str, tuple[str, bool]] = {
    "6240": ("QuickBooks already has a customer, vendor or employee with this name (names must be "
             "unique across all three). Rename it in the source system, or link this record to the "
             "existing one with `qbo-sync map link`.", False),
    "5010": ("Someone changed this record in QuickBooks since the last sync. Review the QuickBooks "
             "change, then retry.", False),
    "2500": ("It refers to a QuickBooks record that does not exist: {detail}", False),
    "610": ("It refers to a QuickBooks record that was deleted or made inactive: {detail}", False),
    "2020": ("A required field is missing: {detail}", False),
    "6000": ("QuickBooks refused it: {detail}", False),
    "6140": ("QuickBooks already has a transaction with this number (DocNumber): {detail}", False),
    "6010": ("The account needs an account type: {detail}", False),
    "6080": ("No name was given: {detail}", False),
    "2050": ("A value is too long or has characters QuickBooks refuses: {detail}", False),
    "3001": ("QuickBooks is limiting how fast we can send (too many requests); it will be retried.", True),
    "3200": ("The QuickBooks connection expired: reconnect to QuickBooks.", False),
    "100": ("The QuickBooks connection is not authorized: reconnect to QuickBooks.", False),
    "120": ("The QuickBooks connection is not authorized: reconnect to QuickBooks.", False),
    "1040": ("Too many operations in one batch request.", False),
    # QBO's own server error ("An application error has occurred"), answered with HTTP 500.
    "10000": ("QuickBooks had an internal error: {detail}; it will be retried.", True),
}

RETRYABLE_HTTP = {429, 500, 502, 503, 504}

# The refresh token expired or was revoked (Intuit answers invalid_grant): only the user can fix it.
CONNECTION_EXPIRED = "QuickBooks connection expired: run `qbo-sync connect`"


def classify(code: str | int, message: str = "", detail: str = "",
             http_status: int | None = None) -> QboFault:
    code = str(code or "")
    if code == "10000" and http_status is None:
        http_status = 500     # QBO's internal error comes with HTTP 500 (python-quickbooks drops the status)
    template, retryable = _PLAIN.get(code, (None, False))
    if template is None:
        text = detail or message or "QuickBooks refused it without a reason"
        plain = f"QuickBooks refused it: {text}"
        retryable = http_status in RETRYABLE_HTTP if http_status else False
    else:
        plain = template.format(detail=detail or message)
    if http_status in RETRYABLE_HTTP:
        retryable = True
    return QboFault(code=code, message=message, detail=detail, plain=plain,
                    retryable=retryable, http_status=http_status)


def from_fault_json(fault: dict, http_status: int | None = None) -> QboFault:
    """A QBO Fault object ({"Error": [{"Message", "Detail", "code"}], "type"})."""
    errors = fault.get("Error") or [{}]
    first = errors[0]
    return classify(first.get("code", ""), first.get("Message", ""), first.get("Detail", ""),
                    http_status)


def from_exception(exc: Exception) -> QboFault:
    """A python-quickbooks exception, a transport error, or anything else."""
    from quickbooks.exceptions import AuthorizationException, QuickbooksException
    import requests

    if isinstance(exc, AuthorizationException):
        return classify("100", exc.message, str(exc.detail)[:300], http_status=401)
    if isinstance(exc, QuickbooksException):
        text = str(exc.message)
        # A non-JSON body (an XML 429, an HTML 503) arrives as code 10000.
        if "ThrottleExceeded" in text or "statusCode=429" in text or "status code '429'" in text:
            return classify("3001", text[:300], "", http_status=429)
        for status in (500, 502, 503, 504):
            if f"status code '{status}'" in text or f"<h1>{status} " in text:
                return classify(str(exc.error_code), "", f"HTTP {status}", http_status=status)
        if "Error reading json response" in text:
            # Not a QBO fault at all but a gateway's or server's page: worth another try.
            return QboFault(code="nonjson", message=text[:300], detail="",
                            plain="QuickBooks answered with an error page instead of data; it will be retried.",
                            retryable=True)
        return classify(exc.error_code, text, str(exc.detail or ""))
    from intuitlib.exceptions import AuthClientError

    if isinstance(exc, AuthClientError) and exc.status_code in RETRYABLE_HTTP:
        # Intuit's token endpoint down while refreshing: an outage like any other.
        return classify("", "", f"HTTP {exc.status_code} from the token endpoint", http_status=exc.status_code)
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return QboFault(code="network", message=str(exc)[:300], detail="",
                        plain="QuickBooks could not be reached (network error); it will be retried.",
                        retryable=True)
    return QboFault(code="error", message=str(exc)[:300], detail="",
                    plain=f"Unexpected error: {exc}", retryable=False)
