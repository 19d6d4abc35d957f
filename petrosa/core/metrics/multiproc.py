"""Where every process of one deployment writes its metric samples.

prometheus_client's multiprocess mode keeps one mmap file per process in
PROMETHEUS_MULTIPROC_DIR; /metrics adds them up. The variable must be set
before prometheus_client is first imported, so settings calls
`multiproc_dir_configure` at the very top of the process. No prometheus
import here.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

ENV = "PROMETHEUS_MULTIPROC_DIR"
_PID_IN_NAME = re.compile(r"_(\d+)\.db$")


def multiproc_dir_configure(*, base: Path, database_url: str) -> str:
    """Use PROMETHEUS_MULTIPROC_DIR if set (images set it, one per container);
    otherwise a directory under var/ named after the database, so `make run`
    and `make worker` on one database share one directory and two checkouts'
    test runs on different databases do not count each other's signals."""
    configured = os.environ.get(ENV)
    if configured:
        Path(configured).mkdir(parents=True, exist_ok=True)
        return configured
    name = (urlsplit(database_url).path.strip("/") or "sqlite") if database_url else "sqlite"
    directory = base / re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    directory.mkdir(parents=True, exist_ok=True)
    multiproc_dir_prune(directory, older_than_seconds=3600)
    # Children (workers started by tests, `make` targets) inherit the choice.
    os.environ[ENV] = str(directory)
    return str(directory)


def multiproc_dir_prune(directory: Path, *, older_than_seconds: float) -> int:
    """Remove the files of processes that are gone and have not written for a while,
    so a development directory does not grow without bound. Containers start with
    an empty directory instead (deploy/docker-entrypoint.sh)."""
    removed = 0
    cutoff = time.time() - older_than_seconds
    for path in directory.glob("*.db"):
        match = _PID_IN_NAME.search(path.name)
        if not match or _pid_alive(int(match.group(1))):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
