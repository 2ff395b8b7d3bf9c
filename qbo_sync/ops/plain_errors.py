"""Failures whose message says it all (QuickBooks down, connection expired) print no traceback.

Prefect logs a failed task or flow with its traceback on the terminal; for these failures
the traceback tells a finance person nothing and hides the one line that matters, which the
command line prints last. Logs sent to the Prefect server keep everything.
"""

from __future__ import annotations

import logging


class _WithoutTraceback(logging.Filter):
    def __init__(self, plain: tuple[type[BaseException], ...]):
        super().__init__()
        self.plain = plain

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.plain):
            record.exc_info, record.exc_text = None, None
        return True


def on_the_terminal(*plain: type[BaseException]) -> None:
    """Strip the tracebacks of these exceptions from what the console handlers print."""
    from prefect.logging.configuration import ensure_logging_setup

    # Only if Prefect has not set its handlers up yet (`import prefect` does): setting them up
    # again would bind new handlers to the current stdout, a test's captured one that closes.
    ensure_logging_setup()
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not any(
                isinstance(f, _WithoutTraceback) for f in handler.filters):
            handler.addFilter(_WithoutTraceback(plain))
