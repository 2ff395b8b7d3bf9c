"""Which failures are worth retrying a whole stage for: the one rule Prefect tasks share."""

from __future__ import annotations


def is_transient(exc: BaseException | None) -> bool:
    """Network trouble, a busy database, a QBO fault that says "try again"."""
    if exc is None:
        return False
    import requests
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, (requests.ConnectionError, requests.Timeout, TimeoutError, ConnectionError)):
        return True
    if isinstance(exc, OperationalError):
        return "locked" in str(exc).lower() or "could not connect" in str(exc).lower()
    try:
        from quickbooks.exceptions import QuickbooksException
    except ImportError:  # pragma: no cover - python-quickbooks is a dependency
        return False
    if isinstance(exc, QuickbooksException):
        from qbo_sync.qbo.faults import from_exception

        return from_exception(exc).retryable
    return False


def retry_condition(task, task_run, state) -> bool:
    """Prefect's retry_condition_fn: retry a stage only for transient failures."""
    try:
        state.result(raise_on_failure=True)
    except Exception as exc:  # the stage's own exception, re-raised by Prefect
        return is_transient(exc)
    return False
