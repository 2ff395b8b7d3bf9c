"""The staging console: the web screen where finance teams review, map and sync records.

`create_app(settings, config)` builds the FastAPI app; `qbo-sync console` serves it.
"""

from qbo_sync.console.app import create_app

__all__ = ["create_app"]
