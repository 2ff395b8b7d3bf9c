"""`qbo-sync init [DIR]`: write a starter configuration folder and say what to do next."""

from __future__ import annotations

import shlex
from pathlib import Path

from qbo_sync.cli import CliError

NEXT_STEPS = """\
Next:
  1. Use this configuration from any folder:
       export QBO_SYNC_CONFIG={settings}
  2. Rehearse a sync on its defaults, the demo company and the embedded QBO sandbox:
       qbo-sync sync --all --yes
       qbo-sync status --status "Needs Action"
  3. Point it at your data in settings.yaml: source.kind csv (source.csv.path) or sql (source.sql.url).
  4. Connect your QuickBooks company: in settings.yaml set qbo.kind remote, its URLs, realm_id and
     client_id; then, in the environment (never in the file):
       export QBO_SYNC_QBO__CLIENT_SECRET='<your Intuit app's client secret>'
       export QBO_SYNC_TOKEN_KEY="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
       qbo-sync connect
  5. Preview, then sync:  qbo-sync sync --dry-run  and  qbo-sync sync
  Tune the suites in {validations} and check them with  qbo-sync validate.
  docs/operations.md (in the qbo-sync repository) walks through each step and the nightly schedule."""


def cmd_init(args) -> int:
    from qbo_sync.ops.starter import StarterExists, write_starter

    folder = Path(args.dir).absolute()
    try:
        write_starter(folder, force=args.force)
    except StarterExists as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write the starter configuration to {folder}: {exc.strerror or exc}") from None
    print(f"Wrote a starter configuration to {folder}:")
    print("  settings.yaml   every setting, with a comment (folders in it are relative to this folder)")
    print("  mappings.yaml   how cost codes, employees and vendors become QuickBooks records")
    print("  validations/    the validation suites to tune (settings: validations_dir)")
    print("  prefect.yaml    the deployments (nightly, on-demand, retry-failed, pull) for `prefect deploy --all`")
    print()
    print(NEXT_STEPS.format(settings=shlex.quote(str(folder / "settings.yaml")),
                            validations=folder / "validations"))
    return 0


def register(verbs) -> None:
    p = verbs.add_parser("init", help="write a starter configuration folder (settings, mappings, suites)",
                         description="Write DIR/settings.yaml (every setting, with a comment), "
                                     "DIR/mappings.yaml, DIR/validations/ (a copy of the shipped "
                                     "validation suites, to tune) and DIR/prefect.yaml (the deployments), "
                                     "then print what to do next.")
    p.add_argument("dir", nargs="?", default="config", metavar="DIR",
                   help="the folder to write (default: ./config, where qbo-sync looks for config/settings.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite the files of an earlier init")
    p.set_defaults(func=cmd_init)
