"""Validation of source tables with Great Expectations suites kept as JSON under validations/.

Importing this package does not import Great Expectations (2-3 s, ~230 MB); the first
validate_frame or load_suite call does, once per process.
"""

from qbo_sync.validation.runner import ValidationOutcome, validate_frame
from qbo_sync.validation.suites import SuiteError, available_suites, default_suites_dir, load_suite

__all__ = [
    "SuiteError",
    "ValidationOutcome",
    "available_suites",
    "default_suites_dir",
    "load_suite",
    "validate_frame",
]
