"""Where people open a run's report files and Data Docs: the console serves reports_dir
at /reports/ (qbo_sync.console.files), under the address settings console.public_url.

The Prefect UI's link artifacts point there: a browser refuses the file:// links a run
could otherwise give, and the run may have happened on another machine (a worker).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

REPORTS_PATH = "/reports"


def report_url(settings, path: Path) -> str:
    """The console's address of a file under settings.reports_dir."""
    relative = Path(path).resolve().relative_to(Path(settings.reports_dir).resolve())
    return f"{settings.console.public_url.rstrip('/')}{REPORTS_PATH}/{quote(relative.as_posix())}"
