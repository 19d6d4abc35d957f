"""A throwaway PostgreSQL server the soak may stop and restart, and a TCP relay
that can cut the connections to any PostgreSQL. Neither touches the machine's
shared server on 5432."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.e2e.processes import free_port, port_open, wait_for


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: install PostgreSQL's server binaries")
    return path


class PostgresCluster:
    """initdb into a temp dir and pg_ctl on a free port. initdb refuses to run as
    root, so as root the server runs as the `postgres` system user."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="petrosa-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "server.log"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"
        self._as_owner = os.geteuid() == 0
        if self._as_owner:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")  # fmt: skip

    def _run(self, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if self._as_owner else list(args)
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300"
        self._run(_bin("pg_ctl"), action, "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60",
                  "-o", options, *extra)  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")
        wait_for(lambda: port_open(self.port), timeout=30, what="throwaway PostgreSQL")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        """Every connection is cut; the server is back when this returns."""
        self._pg_ctl("restart", "-m", mode)

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

