"""Session-wide test settings: plain http to the local sandbox, Prefect kept in a temp home."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
# Prefect writes its own database and settings under PREFECT_HOME: keep tests out of ~/.prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="qbo-sync-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Settings come from each test, never from a developer's config/settings.yaml or environment.
for name in list(os.environ):
    if name.startswith("QBO_SYNC_") and name != "QBO_SYNC_TEST_POSTGRES_URL":
        del os.environ[name]

# Shared fixtures (sandbox, Prefect harness, staging databases, sources): one per session.
pytest_plugins = ["tests.fixtures"]
