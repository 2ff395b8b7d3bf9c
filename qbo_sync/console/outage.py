"""QuickBooks out of reach, in plain words: what happened and what happens next.

A network error, a 5xx page or throttling from QBO is not a problem with the records, and
nothing is lost: the page says so instead of "Something went wrong" or QBO's raw HTML.
"""

from __future__ import annotations

NEXT_STEP = ("Nothing is lost: records already sent stay Synced, the others keep their status "
             "and go with the next sync. Try again in a few minutes.")


def _why(exc: BaseException) -> str | None:
    import requests
    from quickbooks.exceptions import AuthorizationException, QuickbooksException

    from qbo_sync.qbo.faults import from_exception
    from qbo_sync.qbo.outage import QuickBooksDown

    if isinstance(exc, QuickBooksDown):   # the reader or the push engine waited it out, in vain
        waited = f"{round(exc.seconds)} seconds" if exc.seconds < 90 else f"{round(exc.seconds / 60)} minutes"
        return f"it has not answered for {waited}"
    if isinstance(exc, (requests.ConnectionError, ConnectionError)):
        return "no answer over the network"
    if isinstance(exc, (requests.Timeout, TimeoutError)):
        return "it did not answer in time"
    if isinstance(exc, QuickbooksException) and not isinstance(exc, AuthorizationException):
        fault = from_exception(exc)
        if not fault.retryable:   # a refusal of this record, not an outage
            return None
        if fault.http_status == 429 or fault.code == "3001":
            return "it is limiting how fast we may send"
        if fault.code == "nonjson":
            return "it answered with an error page instead of data"
        if fault.http_status:
            return f"it answered HTTP {fault.http_status}, an error on its side"
        return "it reported an error on its side"
    return None


def explain(exc: BaseException) -> str | None:
    """The message for a QBO outage (this exception or one it was raised from); None otherwise."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        why = _why(exc)
        if why:
            return f"QuickBooks cannot be reached right now ({why}). {NEXT_STEP}"
        exc = exc.__cause__ or exc.__context__
    return None
