"""One sync run in its own process (import → validate → map → preview → push), to be killed.

    python -m tests.reliability.push_worker CONFIG.yaml [--push-only]
Prints PUSHING when the push starts and PROGRESS done/total as requests settle.
"""

import sys

from qbo_sync.pipeline import stages
from qbo_sync.resources import for_config


def main(config: str, push_only: bool = False) -> None:
    res = for_config(config)
    if not push_only:
        stages.run_import(res, None, "all")
        stages.run_validate(res, None)
        stages.run_map(res, None)
    preview = stages.run_preview(res, None)
    print("PUSHING", flush=True)
    stages.run_push(res, preview, on_progress=lambda done, total: print(f"PROGRESS {done}/{total}", flush=True))
    print("DONE", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], push_only="--push-only" in sys.argv)
