"""QBO's Fault JSON and the one catalogue of error codes the sandbox answers with.

Shape (developer.intuit.com, "Error codes"; copies in qbo-api-docs/entities):
    {"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type": "..."},
     "time": "..."}
python-quickbooks maps `code` to its exception classes by range, so the codes matter.
"""

from __future__ import annotations

from dataclasses import dataclass

# code -> (Message, Fault type, HTTP status)
CATALOGUE: dict[int, tuple[str, str, int]] = {
    500: ("Unsupported Operation", "ValidationFault", 400),
    610: ("Object Not Found", "ValidationFault", 400),
    1040: ("Batch size exceeds the allowed limit", "ValidationFault", 400),
    2010: ("Request has invalid or unsupported property", "ValidationFault", 400),
    2020: ("Required param missing, need to supply the required value for the API", "ValidationFault", 400),
    2050: ("String length is either shorter or longer than supported by specification", "ValidationFault", 400),
    2500: ("Invalid Reference Id", "ValidationFault", 400),
    3001: ("message=ThrottleExceeded; errorCode=003001; statusCode=429", "SERVICE", 429),
    3100: ("message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403", "AUTHORIZATION", 403),
    3200: ("message=AuthenticationFailed; errorCode=003200; statusCode=401", "AUTHENTICATION", 401),
    4000: ("Error parsing query", "ValidationFault", 400),
    4001: ("Invalid query", "ValidationFault", 400),
    5010: ("Stale Object Error", "ValidationFault", 400),
    6000: ("A business validation error has occurred while processing your request", "ValidationFault", 400),
    6010: ("Invalid account type", "ValidationFault", 400),
    6240: ("Duplicate Name Exists Error", "ValidationFault", 400),
    10000: ("An application error has occurred while processing your request", "SystemFault", 500),
}


@dataclass
class QboError(Exception):
    """A rule QBO enforces was broken; the route turns it into a Fault answer."""

    code: int
    detail: str = ""
    element: str = ""
    status: int | None = None  # overrides the catalogue's HTTP status

    def __post_init__(self):
        super().__init__(f"{self.code}: {self.detail}")

    @property
    def http_status(self) -> int:
        return self.status or CATALOGUE[self.code][2]

    def fault(self) -> dict:
        message, fault_type, _ = CATALOGUE[self.code]
        error = {"Message": message, "Detail": self.detail or message, "code": str(self.code)}
        if self.element:
            error["element"] = self.element
        return {"Error": [error], "type": fault_type}


def fault_body(error: QboError, time: str) -> dict:
    return {"Fault": error.fault(), "time": time}


def throttle_xml(time: str) -> str:
    """The XML body QBO has been seen to send on 429 even when JSON was asked for."""
    message = CATALOGUE[3001][0]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}">'
        f'<Fault type="SERVICE"><Error code="3001"><Message>{message}</Message>'
        "</Error></Fault></IntuitResponse>"
    )


# Details used in more than one place, worded as QBO words them.
DUPLICATE_NAME = ("The name supplied already exists. : Another customer, vendor or employee "
                  "is already using this name. Please use a different name.")
INACTIVE_REF = ("Object Not Found : Something you're trying to use has been made inactive. "
                "Check the fields with accounts, customers, items, vendors or employees.")
STALE = ("Stale Object Error : You and another user were working on the same thing. "
         "Please try again.")
