"""The one version string, and the build it came from.

`__version__` is the only place the version is written; settings, the OpenAPI
schema and /version read it from here. The git commit and build date come from
the image build (GIT_COMMIT and BUILD_DATE, set by deploy/Dockerfile) and, in a
checkout, from git itself.
"""

from __future__ import annotations

import functools
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

__version__ = "0.1.0"

NAME = "Petrosa Control Plane"
DESCRIPTION = "Signals in, risk-gated orders out: a Django control plane for crypto trading"
_REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class BuildInfo:
    version: str
    git_commit: str
    build_date: str


def _git(*args: str) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(_REPO), *args], capture_output=True, text=True, timeout=2, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


@functools.cache
def build_info() -> BuildInfo:
    """Read once per process: the build does not change while it runs."""
    commit = os.environ.get("GIT_COMMIT") or os.environ.get("PETROSA_GIT_COMMIT") or _git("rev-parse", "HEAD")
    # Outside an image build, the commit's own date is the closest thing to a build date.
    date = os.environ.get("BUILD_DATE") or os.environ.get("PETROSA_BUILD_DATE") or _git("show", "-s", "--format=%cI")
    return BuildInfo(version=__version__, git_commit=commit or "unknown", build_date=date or "unknown")
