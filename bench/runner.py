"""Each measurement runs in its own process, on its own fresh database (a copy
of a migrated template) and its own redis-server, so one measurement's rows,
queues and rate windows never weigh on the next.

    python -m bench.runner NAME '{"option": 1}' out.json   # what run_isolated does
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bench.stack import REPO, SHARED_POSTGRES, Stack, base_env, database_create, database_drop, database_migrated
from tests.e2e.processes import free_port

TEMPLATE = "petrosa_proof_template"
PREFIX = "petrosa_proof"


def template_build(server: str = SHARED_POSTGRES, name: str = TEMPLATE) -> str:
    """Migrate once per run; every measurement copies it (CREATE DATABASE ... TEMPLATE)."""
    return database_migrated(server, name)


def run_isolated(name: str, options: dict[str, Any], *, server: str = SHARED_POSTGRES, template: str = TEMPLATE,
                 timeout: float = 1800) -> dict[str, Any]:  # fmt: skip
    database = f"{PREFIX}_{name}"
    url = database_create(server, database, template=template)
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"petrosa-bench-{name}-{os.getpid()}.json"
    env = base_env(database_url=url, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    try:
        child = subprocess.run([sys.executable, "-m", "bench.runner", name, json.dumps(options), str(out)], cwd=REPO,
                               env=env, timeout=timeout)  # fmt: skip
        if child.returncode != 0 or not out.exists():
            return {"error": f"bench.{name} exited {child.returncode}", "seconds": time.monotonic() - started}
        result: dict[str, Any] = json.loads(out.read_text())
        return result
    finally:
        out.unlink(missing_ok=True)
        database_drop(server, database)


def stack_here() -> Stack:
    """The Stack for this process's DATABASE_URL and REDIS_URL (the redis-server is not started yet)."""
    redis_url = os.environ["REDIS_URL"]
    return Stack(env=base_env(database_url=os.environ["DATABASE_URL"], redis_url=redis_url),
                 redis_port=urlparse(redis_url).port or 0)  # fmt: skip


def main() -> None:
    name, options, out = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
    import django

    os.environ["DB_POOL"] = "false"  # this process only reads after runs; plain connections suffice
    django.setup()
    module = importlib.import_module(f"bench.{name}")
    result = module.measure(**options)
    out.write_text(json.dumps(result, default=str, indent=1))


if __name__ == "__main__":
    main()
