"""An earlier revision's code for before/after figures in one benchmark run (imported by the benches)."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: The last commit before the one reading of the OpenShift objects and the YAML 1.2 / kubectl readers.
BEFORE = "77fe4cf"


def checkout(rev: str, into: Path) -> Path:
    """The ``src`` directory of revision *rev* of this repository, extracted under *into* (git archive)."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"
