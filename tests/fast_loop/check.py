"""Does the inner loop (`pytest -m "not slow"`) exercise every module of crawler/, dedup/ and
db/? Runs it with a recorder of called functions in every process (sitecustomize.py beside this
file) and names the modules none of its tests reached.

    python tests/fast_loop/check.py [extra pytest arguments]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("crawler", "dedup", "db")


def project_modules() -> set[Path]:
    """Modules with functions of their own: data-only modules (settings, empty `__init__.py`
    files) and migrations (run by Alembic, whose own test is slow by nature) are left out."""
    found = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" in path.parts or not path.read_text("utf-8").strip():
                continue
            if "def " not in path.read_text("utf-8"):
                continue  # data only (crawler/settings.py, a bare __init__): no call to see
            found.add(path)
    return found


def main() -> int:
    with tempfile.TemporaryDirectory() as traces:
        env = dict(
            os.environ,
            FAST_LOOP_TRACE_DIR=traces,
            FAST_LOOP_ROOT=str(REPO),
            PYTHONPATH=os.pathsep.join([str(Path(__file__).parent), str(REPO)]),
        )
        command = [sys.executable, "-m", "pytest", "-q", "-m", "not slow", *sys.argv[1:]]
        result = subprocess.run(command, cwd=REPO, env=env)
        called = {
            Path(line)
            for trace in Path(traces).glob("*.txt")
            for line in trace.read_text("utf-8").splitlines()
        }
    missing = sorted(str(p.relative_to(REPO)) for p in project_modules() - called)
    for name in missing:
        print(f"fast loop: no not-slow test calls into {name}")
    if not missing:
        print(f"fast loop: every one of {len(project_modules())} modules is exercised")
    return 1 if missing or result.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
