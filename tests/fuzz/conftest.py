"""Hypothesis profiles for the fuzz suites (docs/source-format.md, "Fuzzing").

    ci     (the default, and what `make test` runs): a bounded number of examples, derandomized
           so that CI is repeatable; the whole fuzz folder stays well under 3 minutes.
    local  many more examples, random each run, for a developer's machine:
           HYPOTHESIS_PROFILE=local .venv/bin/python -m pytest tests/fuzz -q
Examples hypothesis finds are kept as regular tests in tests/fuzz/test_findings.py.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                      HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=8, derandomize=True, database=None, **_COMMON)
settings.register_profile("local", max_examples=300, **_COMMON)
# While writing a fix: many examples, no shrinking (an example costs a second: shrinking is slow).
settings.register_profile("explore", max_examples=40, report_multiple_bugs=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate], **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
