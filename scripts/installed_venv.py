"""qbo-sync as a user installs it: the wheel built from this tree, pip-installed with
constraints.txt into a new virtualenv outside the checkout.

Used by tests/install/test_installed_wheel.py (CI) and bench/bench_read_verbs.py. The
virtualenv is kept in the temporary folder, keyed by this checkout, and built again when
the package's files, pyproject.toml or constraints.txt change (a build takes ~2 minutes).

    python scripts/installed_venv.py        # prints the virtualenv's qbo-sync
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted([REPO / "pyproject.toml", REPO / "constraints.txt", REPO / "prefect.yaml",
                        *(p for p in (REPO / "qbo_sync").rglob("*") if p.is_file() and "__pycache__" not in p.parts)]):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def installed_venv(log=print) -> Path:
    """The virtualenv (its folder) with this tree's wheel installed; built when missing or stale."""
    home = Path(tempfile.gettempdir()) / f"qbo-sync-installed-{hashlib.sha256(str(REPO).encode()).hexdigest()[:8]}"
    stamp, venv = home / "fingerprint", home / "venv"
    fingerprint = _fingerprint()
    if stamp.is_file() and stamp.read_text() == fingerprint and (venv / "bin" / "qbo-sync").is_file():
        return venv
    shutil.rmtree(home, ignore_errors=True)
    wheels = home / "wheel"
    shutil.rmtree(REPO / "build", ignore_errors=True)   # setuptools would pack files left there by older builds
    log(f"building the qbo-sync wheel into {wheels}")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels), str(REPO)])
    log(f"installing it with constraints.txt into a new virtualenv {venv}")
    _run([sys.executable, "-m", "venv", str(venv)])
    wheel = next(wheels.glob("qbo_sync-*.whl"))
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          "-c", str(REPO / "constraints.txt"), str(wheel)])
    stamp.write_text(fingerprint)
    return venv


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


if __name__ == "__main__":
    print(installed_venv(log=lambda text: print(text, file=sys.stderr)) / "bin" / "qbo-sync")
